// skiff-cni: the pod network plugin, invoked as a container runtime invokes any CNI plugin
// (CNI_COMMAND & co. in the environment, the network config on stdin, the result or the spec's
// error JSON on stdout). Glibc only, no Foundation: it is exec'ed for every pod.
//
// Bridge mode (BridgePlumbing): a veth pair per pod on the node bridge, programmed in the
// namespace the plugin is started in.
import CNI
import Glibc

func readEnvironment() -> [String: String] {
    var env: [String: String] = [:]
    var cursor = environ
    while let entry = cursor.pointee {
        let text = String(cString: entry)
        if let eq = text.firstIndex(of: "=") {
            env[String(text[..<eq])] = String(text[text.index(after: eq)...])
        }
        cursor += 1
    }
    return env
}

func readStandardInput() -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        out.append(contentsOf: buffer[0..<n])
    }
    return out
}

func writeStandardOutput(_ bytes: [UInt8]) {
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + written, $0.count - written) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        written += n
    }
}

/// Test-only fault injection: `SKIFF_CNI_TEST_FAULT=die-after-allocate` SIGKILLs the process once
/// its address is on disk, `die-after-plumbing` once the veth pair is made too, as a crash mid-ADD
/// would (the tests prove GC frees both). Inert otherwise.
struct DieMidAdd: PodNetworkPlumbing {
    /// The plumbing to run before dying; nil: die before making any interface.
    var before: BridgePlumbing?
    func setUp(_ attachment: PodAttachment, addresses: [CNIAddress]) throws(CNIError)
        -> (interfaces: [CNIResult.Interface], podInterface: Int?) {
        if let before { _ = try before.setUp(attachment, addresses: addresses) }
        kill(getpid(), SIGKILL)
        return ([], nil)
    }
    func tearDown(_ attachment: PodAttachment) throws(CNIError) {}
    func check(_ attachment: PodAttachment, expected: CNIResult) throws(CNIError) {}
    func status(_ config: NetworkConfig) throws(CNIError) {}
}

let environment = readEnvironment()
// VERSION may come with nothing on stdin; everything else reads its config.
let input = readStandardInput()
var plugin = CNIPlugin(plumbing: BridgePlumbing())
// Test-only: `SKIFF_CNI_TEST_PLUMBING=ipam-only` runs the dispatch and IPAM without making
// interfaces, so the binary tests can race 50 ADDs with made-up netns paths. Never set by a runtime.
if environment["SKIFF_CNI_TEST_PLUMBING"] == "ipam-only" {
    plugin.plumbing = IPAMOnlyPlumbing()
}
switch environment["SKIFF_CNI_TEST_FAULT"] {
case "die-after-allocate": plugin.plumbing = DieMidAdd(before: nil)
case "die-after-plumbing": plugin.plumbing = DieMidAdd(before: BridgePlumbing())
default: break
}
let outcome = plugin.run(environment: environment, stdin: input)
writeStandardOutput(outcome.stdout)
exit(outcome.exitCode)
