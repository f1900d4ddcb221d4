import Foundation
import SkiffTestSupport
import XCTest

/// The built `skiff-cni` run on a testbed node as a container runtime runs a CNI plugin:
/// `ip netns exec NODE env -i CNI_COMMAND=… CNI_CONTAINERID=… CNI_NETNS=… CNI_IFNAME=… CNI_PATH=…
/// skiff-cni` with the network config on stdin, so the bridge and host veth ends are made in the
/// node's namespace. Each runner has its own IPAM data dir (the node's disk). Pods are network
/// namespaces the runner makes; `tearDown` deletes them and the data dir, pass or fail.
final class CNIPodRunner {
    /// One pod: its network namespace and the container ID the runtime would pass.
    struct Pod {
        let namespace: String
        let containerID: String
        var netnsPath: String { "/run/netns/\(namespace)" }
    }

    struct Outcome {
        var status: Int32
        var reason: Process.TerminationReason
        var stdout: String
        var stderr: String
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] }
        /// The first address of an ADD result, without its prefix length.
        var ip: String? {
            ((json?["ips"] as? [[String: Any]])?.first?["address"] as? String)?.split(separator: "/").first.map(String.init)
        }
    }

    struct Running {
        let process: Process
        let output: Pipe
        let error: Pipe
    }

    static let network = "skiff-pods"
    static let ifname = "eth0"

    let node: OverlayTestbed.TestNode
    let mtu: Int
    let dataDir: String
    let binary: String
    private(set) var pods: [Pod] = []
    private let tag = String(UInt64.random(in: 0..<(1 << 32)), radix: 16)

    /// `.build/debug/skiff-cni` from this file's path (as CNITests find it); `SKIFF_CNI_TEST_BINARY` points elsewhere.
    static func binary() throws -> String {
        if let override = ProcessInfo.processInfo.environment["SKIFF_CNI_TEST_BINARY"], !override.isEmpty { return override }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/skiff-cni").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("no .build/debug/skiff-cni yet: build the skiff-cni product first")
        }
        return path
    }

    init(node: OverlayTestbed.TestNode, mtu: Int) throws {
        binary = try Self.binary()
        self.node = node
        self.mtu = mtu
        dataDir = NSTemporaryDirectory() + "skiff-podnet-\(node.subnet)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
    }

    func tearDown() {
        _ = try? PodNet.parallel(pods.map { ["ip", "netns", "del", $0.namespace] })
        pods = []
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    /// `<dataDir>/<network>`: where the allocations live.
    var poolDirectory: String { dataDir + "/" + Self.network }

    /// The addresses held on disk (one file per address).
    func allocations() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: poolDirectory)) ?? []).filter { $0.hasPrefix("10.") }.sorted()
    }

    /// The owner (`containerID\nifname`) of an allocation file, nil when it is not there.
    func owner(of ip: String) -> String? {
        try? String(contentsOfFile: poolDirectory + "/" + ip, encoding: .utf8)
    }

    /// The node's bridge-mode config: the node's podCIDR, the gateway on `cni0`, the pod MTU.
    func config(extra: String = "") -> String {
        """
        {"cniVersion":"1.1.0","name":"\(Self.network)","type":"skiff-cni","bridge":"cni0","isGateway":true,\
        "mtu":\(mtu)\(extra),"ipam":{"podCIDR":"\(node.podCIDR)","dataDir":"\(dataDir)"}}
        """
    }

    /// A new pod namespace (deleted in tearDown).
    func makePod(_ role: String) throws -> Pod {
        try makePods([role])[0]
    }

    /// New pod namespaces, made concurrently (deleted in tearDown, also when making one fails).
    func makePods(_ roles: [String]) throws -> [Pod] {
        let made = roles.map { Pod(namespace: "skiff-pn-\(node.subnet)\($0)-\(tag)", containerID: "ctr-\(node.subnet)-\($0)-\(tag)") }
        pods += made
        for (pod, result) in zip(made, try PodNet.parallel(made.map { ["ip", "netns", "add", $0.namespace] })) where result.status != 0 {
            throw TestFailure("ip netns add \(pod.namespace) exited \(result.status): \(result.output)")
        }
        return made
    }

    /// Starts skiff-cni on the node with the runtime's environment (`env -i`: nothing else leaks in).
    func launch(_ command: String, _ pod: Pod?, config: String? = nil, extraEnv: [String: String] = [:],
                netns: Bool = true) throws -> Running {
        var arguments = ["ip", "netns", "exec", node.namespace, "env", "-i", "CNI_COMMAND=\(command)", "CNI_PATH=/opt/cni/bin"]
        if let pod {
            arguments += ["CNI_CONTAINERID=\(pod.containerID)", "CNI_IFNAME=\(Self.ifname)"]
            if netns { arguments.append("CNI_NETNS=\(pod.netnsPath)") }
        }
        arguments += extraEnv.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        arguments.append(binary)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // A config is a few hundred bytes: it fits the pipe; closing gives the plugin its EOF.
        input.fileHandleForWriting.write(Data((config ?? self.config()).utf8))
        try? input.fileHandleForWriting.close()
        return Running(process: process, output: output, error: error)
    }

    func finish(_ running: Running) -> Outcome {
        let out = running.output.fileHandleForReading.readDataToEndOfFile()
        let err = running.error.fileHandleForReading.readDataToEndOfFile()
        running.process.waitUntilExit()
        return Outcome(status: running.process.terminationStatus, reason: running.process.terminationReason,
                       stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    func run(_ command: String, _ pod: Pod?, config: String? = nil, extraEnv: [String: String] = [:],
             netns: Bool = true) throws -> Outcome {
        finish(try launch(command, pod, config: config, extraEnv: extraEnv, netns: netns))
    }

    /// ADD that must succeed; returns the pod's address.
    @discardableResult
    func add(_ pod: Pod, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let outcome = try run("ADD", pod)
        guard outcome.status == 0, let ip = outcome.ip else {
            throw TestFailure("ADD \(pod.containerID) exited \(outcome.status): \(outcome.stdout) \(outcome.stderr)")
        }
        return ip
    }

    /// GC with the runtime's list of valid attachments.
    func gc(valid: [Pod]) throws -> Outcome {
        let list = valid.map { #"{"containerID":"\#($0.containerID)","ifname":"\#(Self.ifname)"}"# }.joined(separator: ",")
        return try run("GC", nil, config: config(extra: #","cni.dev/valid-attachments":[\#(list)]"#))
    }

    /// Host veth ends on the node (`veth…`; the node's own underlay `eth0` is a veth too).
    func hostVeths() throws -> [[String: Any]] {
        try node.json("ip", "-j", "-d", "link", "show", "type", "veth").filter { ($0["ifname"] as? String)?.hasPrefix("veth") == true }
    }
}

/// Commands inside a pod (or node) namespace.
enum PodNet {
    @discardableResult
    static func exec(_ namespace: String, _ command: [String]) throws -> String {
        try Shell.run(["ip", "netns", "exec", namespace] + command)
    }

    static func status(_ namespace: String, _ command: [String]) throws -> (status: Int32, output: String, error: String) {
        try Shell.status(["ip", "netns", "exec", namespace] + command)
    }

    static func json(_ namespace: String, _ command: [String]) throws -> [[String: Any]] {
        let text = try exec(namespace, command)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [] }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
    }

    /// Runs commands concurrently; (status, stdout + stderr) of each, in order.
    static func parallel(_ commands: [[String]]) throws -> [(status: Int32, output: String)] {
        var running: [(Process, Pipe)] = []
        defer { for (process, _) in running where process.isRunning { process.waitUntilExit() } }
        for command in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            running.append((process, output))
        }
        return running.map { process, output in
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    static func ping(_ namespace: String, _ target: String, extra: [String] = []) throws -> (status: Int32, output: String, error: String) {
        try status(namespace, ["ping", "-c1", "-W2"] + extra + [target])
    }

    static func mtu(_ namespace: String, _ ifname: String) throws -> Int? {
        try json(namespace, ["ip", "-j", "link", "show", "dev", ifname]).first?["mtu"] as? Int
    }

    static let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"

    /// Accepts one connection, reads to EOF, answers "<bytes> <sha256> <peer address>" and exits.
    static let serverScript = """
    import hashlib, socket, sys
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(30)
    c, peer = s.accept(); c.settimeout(30)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(65536)
        if not b: break
        h.update(b); n += len(b)
    c.sendall(("%d %s %s\\n" % (n, h.hexdigest(), peer[0])).encode()); c.close()
    """

    /// Connects (retrying while the server starts), sends the file, half-closes, prints the answer.
    static let clientScript = """
    import socket, sys, time
    deadline = time.time() + 10
    while True:
        try:
            c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5); break
        except OSError:
            if time.time() > deadline: raise
            time.sleep(0.05)
    c.settimeout(30)
    with open(sys.argv[3], "rb") as f: c.sendall(f.read())
    c.shutdown(socket.SHUT_WR)
    r = b""
    while True:
        b = c.recv(4096)
        if not b: break
        r += b
    print(r.decode().strip())
    """

    /// A TCP server in `namespace` for one connection; the caller must `stop` it.
    static func startServer(in namespace: String, address: String, port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace, python, "-c", serverScript, address, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Ends a server this test started (by its pid; `ip netns exec` execs python in place).
    static func stop(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Sends `file` from `namespace` to the server; returns (bytes, sha256, peer address) it reports.
    static func send(from namespace: String, to address: String, port: Int, file: String) throws -> (bytes: Int, sha256: String, peer: String) {
        let reply = try exec(namespace, [python, "-c", clientScript, address, String(port), file])
        let parts = reply.split(separator: " ").map(String.init)
        guard parts.count == 3, let bytes = Int(parts[0]) else { throw TestFailure("unexpected server reply: \(reply)") }
        return (bytes, parts[1], parts[2].trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func sha256(_ file: String) throws -> String {
        String(try Shell.run(["sha256sum", file]).split(separator: " ")[0])
    }
}

extension OverlayTestbed.TestNode {
    /// IPv4 forwarding on in the node's namespace (a node routes its pods' traffic; this is the
    /// node's business, not the plugin's).
    func enableForwarding() throws {
        try exec("sysctl", "-qw", "net.ipv4.ip_forward=1")
    }
}
