import CNI
import Foundation
import SkiffTestSupport
import XCTest

/// Bridge mode against the real kernel: the built `skiff-cni` runs inside a throwaway "node"
/// namespace (`ip netns exec NODE env CNI_COMMAND=… skiff-cni < config`), so the bridge and
/// the host ends are made there, never in the root namespace; pods are namespaces of their own.
/// Every namespace is deleted in tearDown, pass or fail.
final class BridgePlumbingTests: XCTestCase {
    var dir = ""
    var namespaces: [String] = []
    let tag = String(UInt64.random(in: 0..<(1 << 32)), radix: 16)

    override func setUp() { dir = makeTempDir("bridge") }

    override func tearDown() {
        for name in namespaces { _ = try? Shell.status(["ip", "netns", "del", name]) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// `ip netns add skiff-cni-test-<role>-<tag>`, deleted in tearDown.
    func namespace(_ role: String) throws -> String {
        let name = "skiff-cni-test-\(role)-\(tag)"
        try Shell.run(["ip", "netns", "add", name])
        namespaces.append(name)
        return name
    }

    func binary() throws -> String {
        if let override = ProcessInfo.processInfo.environment["SKIFF_CNI_TEST_BINARY"], !override.isEmpty { return override }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/skiff-cni").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("no .build/debug/skiff-cni yet: build the skiff-cni product first")
        }
        return path
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var json: [String: Any]? {
            try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        }
    }

    /// Starts a CNI plugin inside `node` the way a runtime does: environment + config on stdin.
    func launch(_ plugin: String, in node: String, _ command: String, id: String, netns: String?, ifname: String = "eth0",
                config: String) throws -> (Process, Pipe) {
        let confPath = dir + "/conf-\(UUID().uuidString)"
        try config.write(toFile: confPath, atomically: false, encoding: .utf8)
        var arguments = ["ip", "netns", "exec", node, "env", "-i", "CNI_COMMAND=\(command)", "CNI_CONTAINERID=\(id)",
                         "CNI_IFNAME=\(ifname)", "CNI_PATH=/usr/lib/cni"]
        if let netns { arguments.append("CNI_NETNS=\(netns)") }
        arguments.append(plugin)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = FileHandle(forReadingAtPath: confPath)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output)
    }

    func finish(_ running: (Process, Pipe)) -> Outcome {
        let data = running.1.fileHandleForReading.readDataToEndOfFile()
        running.0.waitUntilExit()
        return Outcome(status: running.0.terminationStatus, stdout: String(decoding: data, as: UTF8.self))
    }

    func cni(_ plugin: String, in node: String, _ command: String, id: String, netns: String?, ifname: String = "eth0",
             config: String) throws -> Outcome {
        finish(try launch(plugin, in: node, command, id: id, netns: netns, ifname: ifname, config: config))
    }

    func skiff(_ node: String, _ command: String, id: String, netns: String?, ifname: String = "eth0",
               config: String) throws -> Outcome {
        try cni(try binary(), in: node, command, id: id, netns: netns, ifname: ifname, config: config)
    }

    func bridgeConfig(version: String = "1.1.0", extra: String = #","hairpinMode":true,"mtu":1400"#) -> String {
        configText(dataDir: dir, version: version, extra: extra)
    }

    /// `ip -j …` (or `bridge -j …`) inside `ns`, parsed.
    func json(_ ns: String, _ command: String...) throws -> [[String: Any]] {
        let text = try Shell.run(["ip", "netns", "exec", ns] + command)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [] }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
    }

    func vethNames(_ ns: String) throws -> [String] {
        try json(ns, "ip", "-j", "link", "show", "type", "veth").compactMap { $0["ifname"] as? String }
    }

    func allocations() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/pods")) ?? []).filter { $0.hasPrefix("10.") }.sorted()
    }

    func addresses(_ ns: String, _ ifname: String) throws -> [String] {
        try json(ns, "ip", "-j", "addr", "show", "dev", ifname).flatMap { ($0["addr_info"] as? [[String: Any]]) ?? [] }
            .filter { $0["family"] as? String == "inet" }
            .compactMap { info in (info["local"] as? String).map { "\($0)/\(info["prefixlen"] ?? "")" } }
    }

    func link(_ ns: String, _ ifname: String) throws -> [String: Any]? {
        try json(ns, "ip", "-j", "link", "show", "dev", ifname).first
    }

    func ping(_ ns: String, _ address: String) throws -> Bool {
        try Shell.status(["ip", "netns", "exec", ns, "ping", "-c1", "-W1", address]).status == 0
    }

    // MARK: tests

    func testTwoPodsOnTheBridge() throws {
        let node = try namespace("node"), podA = try namespace("pa"), podB = try namespace("pb")
        let conf = bridgeConfig()
        let a = try skiff(node, "ADD", id: "pod-a", netns: "/run/netns/\(podA)", config: conf)
        XCTAssertEqual(a.status, 0, a.stdout)
        let b = try skiff(node, "ADD", id: "pod-b", netns: "/run/netns/\(podB)", config: conf)
        XCTAssertEqual(b.status, 0, b.stdout)
        let result = try XCTUnwrap(a.json)
        let hostA = HostVethName(containerID: "pod-a", ifname: "eth0").name
        let hostB = HostVethName(containerID: "pod-b", ifname: "eth0").name

        // The result: bridge, host veth, pod interface in its sandbox; the address points at it.
        let interfaces = try XCTUnwrap(result["interfaces"] as? [[String: Any]])
        XCTAssertEqual(interfaces.compactMap { $0["name"] as? String }, ["cni0", hostA, "eth0"])
        XCTAssertEqual(interfaces[2]["sandbox"] as? String, "/run/netns/\(podA)")
        XCTAssertNil(interfaces[1]["sandbox"])
        XCTAssertEqual(interfaces[1]["mac"] as? String, HostVethName(containerID: "pod-a", ifname: "eth0").macAddress.description)
        let ips = try XCTUnwrap(result["ips"] as? [[String: Any]])
        XCTAssertEqual(ips.first?["address"] as? String, "10.244.1.2/24")
        XCTAssertEqual(ips.first?["gateway"] as? String, "10.244.1.1")
        XCTAssertEqual(ips.first?["interface"] as? Int, 2)
        XCTAssertEqual(result["routes"] as? [[String: String]], [["dst": "0.0.0.0/0", "gw": "10.244.1.1"]])
        XCTAssertEqual(b.json?["ips"].flatMap { ($0 as? [[String: Any]])?.first?["address"] as? String }, "10.244.1.3/24")

        // The node side: the bridge with the gateway address, both host ends on it, hairpin on.
        XCTAssertEqual(try addresses(node, "cni0"), ["10.244.1.1/24"])
        XCTAssertEqual(try vethNames(node).sorted(), [hostA, hostB].sorted())
        let ports = try json(node, "bridge", "-d", "-j", "link")
        for host in [hostA, hostB] {
            let port = try XCTUnwrap(ports.first { $0["ifname"] as? String == host }, "\(ports)")
            XCTAssertEqual(port["master"] as? String, "cni0")
            XCTAssertEqual(port["hairpin"] as? Bool, true, "\(port)")
            XCTAssertEqual(try link(node, host)?["mtu"] as? Int, 1400)
            XCTAssertEqual(try link(node, host)?["operstate"] as? String, "UP")
        }
        // The pod side: eth0 up with its address and MTU, lo up, the default route via the gateway.
        XCTAssertEqual(try addresses(podA, "eth0"), ["10.244.1.2/24"])
        XCTAssertEqual(try addresses(podB, "eth0"), ["10.244.1.3/24"])
        XCTAssertEqual(try link(podA, "eth0")?["mtu"] as? Int, 1400)
        XCTAssertTrue((try link(podA, "lo")?["flags"] as? [String])?.contains("UP") ?? false)
        let routes = try json(podA, "ip", "-j", "route", "show", "default")
        XCTAssertEqual(routes.first?["gateway"] as? String, "10.244.1.1", "\(routes)")
        XCTAssertEqual(routes.first?["dev"] as? String, "eth0")
        // Nothing landed in the root namespace.
        for host in [hostA, hostB] {
            XCTAssertNotEqual(try Shell.status(["ip", "link", "show", "dev", host]).status, 0, "\(host) in the root namespace")
        }

        // Traffic: pod to pod across the bridge, pod to gateway.
        XCTAssertTrue(try ping(podA, "10.244.1.3"))
        XCTAssertTrue(try ping(podB, "10.244.1.2"))
        XCTAssertTrue(try ping(podA, "10.244.1.1"))
        XCTAssertTrue(try ping(podA, "10.244.1.2"), "a pod reaches its own address")

        // CHECK with the ADD result passes; a pod interface without its address fails it.
        let withPrev = configText(dataDir: dir, extra: #","hairpinMode":true,"mtu":1400,"prevResult":"# + a.stdout)
        let check = try skiff(node, "CHECK", id: "pod-a", netns: "/run/netns/\(podA)", config: withPrev)
        XCTAssertEqual(check.status, 0, check.stdout)
        try Shell.run(["ip", "netns", "exec", podA, "ip", "addr", "del", "10.244.1.2/24", "dev", "eth0"])
        let broken = try skiff(node, "CHECK", id: "pod-a", netns: "/run/netns/\(podA)", config: withPrev)
        XCTAssertEqual(broken.status, 1)
        XCTAssertEqual(broken.json?["code"] as? Int, CNIError.plumbingFailed, broken.stdout)

        // DEL twice: both succeed, the pair and the address are gone, the bridge and pod b stay.
        for _ in 0..<2 {
            let del = try skiff(node, "DEL", id: "pod-a", netns: "/run/netns/\(podA)", config: conf)
            XCTAssertEqual(del.status, 0, del.stdout)
            XCTAssertEqual(del.stdout, "")
        }
        XCTAssertEqual(try vethNames(node), [hostB])
        XCTAssertNil(try json(podA, "ip", "-j", "link", "show", "type", "veth").first)
        XCTAssertEqual(allocations(), ["10.244.1.3"])
        XCTAssertNotNil(try link(node, "cni0"))
        XCTAssertTrue(try ping(podB, "10.244.1.1"))
    }

    /// The runtime deleted the pod's netns before DEL: DEL still succeeds and frees the address.
    func testDelAfterTheNetnsIsGone() throws {
        let node = try namespace("node"), pod = try namespace("pod")
        let conf = bridgeConfig()
        let add = try skiff(node, "ADD", id: "gone", netns: "/run/netns/\(pod)", config: conf)
        XCTAssertEqual(add.status, 0, add.stdout)
        XCTAssertEqual(allocations(), ["10.244.1.2"])
        try Shell.run(["ip", "netns", "del", pod])
        for netns in ["/run/netns/\(pod)", nil] {
            let del = try skiff(node, "DEL", id: "gone", netns: netns, config: conf)
            XCTAssertEqual(del.status, 0, del.stdout)
        }
        XCTAssertEqual(allocations(), [])
        XCTAssertEqual(try vethNames(node), [])
    }

    /// CNI_IFNAME taken in the pod: the spec's error, nothing made, nothing allocated; the DEL
    /// the runtime sends after a failed ADD leaves the pod's own interface alone.
    func testInterfaceNameTaken() throws {
        let node = try namespace("node"), pod = try namespace("pod")
        // A veth of the pod's own (no dummy module here): DEL must tell it from one of ours.
        try Shell.run(["ip", "netns", "exec", pod, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer"])
        let conf = bridgeConfig()
        let add = try skiff(node, "ADD", id: "taken", netns: "/run/netns/\(pod)", config: conf)
        XCTAssertEqual(add.status, 1)
        let error = try XCTUnwrap(add.json, add.stdout)
        XCTAssertEqual(error["code"] as? Int, CNIError.interfaceNameTaken)
        XCTAssertEqual(error["cniVersion"] as? String, "1.1.0")
        XCTAssertEqual(error["msg"] as? String, "interface eth0 already exists in /run/netns/\(pod)")
        XCTAssertEqual(try vethNames(node), [])
        XCTAssertEqual(allocations(), [])
        let del = try skiff(node, "DEL", id: "taken", netns: "/run/netns/\(pod)", config: conf)
        XCTAssertEqual(del.status, 0, del.stdout)
        XCTAssertNotNil(try link(pod, "eth0"), "the pod's own eth0 is untouched")
        XCTAssertNotNil(try link(pod, "eth0-peer"))

        // Another name in the same pod works.
        let other = try skiff(node, "ADD", id: "taken", netns: "/run/netns/\(pod)", ifname: "net1", config: conf)
        XCTAssertEqual(other.status, 0, other.stdout)
        // .3: the refused ADD held .2 for a moment, and round-robin does not hand a freed address out at once.
        XCTAssertEqual(try addresses(pod, "net1"), ["10.244.1.3/24"])
    }

    /// An ADD repeated for a live attachment is refused (the pod's interface exists) and leaves
    /// the first ADD's pod alone, address included; the same attachment into another pod finds
    /// its host end taken and says so, making nothing. DEL then frees everything.
    func testRepeatedAddKeepsTheLiveAttachment() throws {
        let node = try namespace("node"), pod = try namespace("pod"), other = try namespace("other")
        let conf = bridgeConfig()
        let first = try skiff(node, "ADD", id: "again", netns: "/run/netns/\(pod)", config: conf)
        XCTAssertEqual(first.status, 0, first.stdout)

        let repeated = try skiff(node, "ADD", id: "again", netns: "/run/netns/\(pod)", config: conf)
        XCTAssertEqual(repeated.status, 1)
        XCTAssertEqual(repeated.json?["code"] as? Int, CNIError.interfaceNameTaken, repeated.stdout)
        let elsewhere = try skiff(node, "ADD", id: "again", netns: "/run/netns/\(other)", config: conf)
        XCTAssertEqual(elsewhere.status, 1)
        XCTAssertEqual(elsewhere.json?["code"] as? Int, CNIError.plumbingFailed, elsewhere.stdout)
        XCTAssertTrue((elsewhere.json?["msg"] as? String ?? "").contains("host interface veth"), elsewhere.stdout)
        XCTAssertEqual(try vethNames(other), [], "nothing made in the other pod")

        XCTAssertEqual(allocations(), ["10.244.1.2"])
        XCTAssertEqual(try addresses(pod, "eth0"), ["10.244.1.2/24"])
        XCTAssertEqual(try vethNames(node).count, 1)
        XCTAssertTrue(try ping(pod, "10.244.1.1"), "the first pod still reaches its gateway")

        let del = try skiff(node, "DEL", id: "again", netns: "/run/netns/\(pod)", config: conf)
        XCTAssertEqual(del.status, 0, del.stdout)
        XCTAssertEqual(allocations(), [])
        XCTAssertEqual(try vethNames(node), [])
    }

    /// A failure after the pair exists (a route the kernel refuses: its gateway is off-link)
    /// removes the pair and releases the address.
    func testFailedAddRemovesItsVeth() throws {
        let node = try namespace("node"), pod = try namespace("pod")
        let conf = configText(dataDir: dir, ipamExtra: #","routes":[{"dst":"10.96.0.0/12","gw":"192.0.2.1"}]"#)
        let add = try skiff(node, "ADD", id: "unroutable", netns: "/run/netns/\(pod)", config: conf)
        XCTAssertEqual(add.status, 1)
        XCTAssertEqual(add.json?["code"] as? Int, CNIError.plumbingFailed, add.stdout)
        XCTAssertEqual(try vethNames(node), [])
        XCTAssertEqual(try vethNames(pod), [])
        XCTAssertEqual(allocations(), [])
        XCTAssertNotNil(try link(node, "cni0"), "the bridge stays")
    }

    /// Concurrent ADDs on a node without a bridge yet: one bridge, every pod on it.
    func testConcurrentAddsShareOneBridge() throws {
        let node = try namespace("node")
        let pods = try (0..<8).map { try namespace("c\($0)") }
        let conf = bridgeConfig()
        let running = try pods.enumerated().map { i, pod in
            try launch(try binary(), in: node, "ADD", id: "c\(i)", netns: "/run/netns/\(pod)", config: conf)
        }
        for (i, outcome) in running.map(finish).enumerated() {
            XCTAssertEqual(outcome.status, 0, "pod \(i): \(outcome.stdout)")
        }
        XCTAssertEqual(try json(node, "ip", "-j", "link", "show", "type", "bridge").count, 1)
        XCTAssertEqual(try addresses(node, "cni0"), ["10.244.1.1/24"])
        let ports = try json(node, "bridge", "-j", "link").filter { $0["master"] as? String == "cni0" }
        XCTAssertEqual(ports.count, 8)
        XCTAssertEqual(allocations().count, 8)
        XCTAssertTrue(try ping(pods[0], "10.244.1.1"))
    }

    func testMissingNetnsFailsCleanly() throws {
        let node = try namespace("node")
        let add = try skiff(node, "ADD", id: "nons", netns: "/run/netns/skiff-cni-test-missing-\(tag)", config: bridgeConfig())
        XCTAssertEqual(add.status, 1)
        XCTAssertEqual(add.json?["code"] as? Int, CNIError.invalidEnvironment, add.stdout)
        XCTAssertEqual(allocations(), [])
        XCTAssertEqual(try vethNames(node), [])
    }

    /// The reference `bridge` plugin with `host-local` (Debian's containernetworking-plugins)
    /// and skiff-cni given the same kind of config: the ADD results have the same shape (keys,
    /// interfaces/ips/routes structure, cniVersion); values differ (names, MACs).
    func testResultHasTheReferencePluginsShape() throws {
        let reference = "/usr/lib/cni/bridge"
        guard FileManager.default.isExecutableFile(atPath: reference),
              FileManager.default.isExecutableFile(atPath: "/usr/lib/cni/host-local")
        else { throw XCTSkip("containernetworking-plugins is not installed (scripts/setup installs it)") }
        let refNode = try namespace("rnode"), refPod = try namespace("rpod")
        let node = try namespace("node"), pod = try namespace("pod")
        // Debian's plugins speak up to 1.0.0; routes from IPAM as host-local reads them.
        let common = #""cniVersion":"1.0.0","bridge":"cni0","isGateway":true,"hairpinMode":true,"mtu":1400"#
        let routes = #""routes":[{"dst":"0.0.0.0/0"}]"#
        let refConf = #"{"name":"ref","type":"bridge","# + common + #","ipam":{"type":"host-local","subnet":"10.244.7.0/24","dataDir":""#
            + dir + #"/ref","# + routes + "}}"
        let ourConf = #"{"name":"pods","type":"skiff-cni","# + common + #","ipam":{"subnet":"10.244.1.0/24","dataDir":""#
            + dir + #"","# + routes + "}}"
        let theirs = try cni(reference, in: refNode, "ADD", id: "shape", netns: "/run/netns/\(refPod)", config: refConf)
        XCTAssertEqual(theirs.status, 0, theirs.stdout)
        let ours = try skiff(node, "ADD", id: "shape", netns: "/run/netns/\(pod)", config: ourConf)
        XCTAssertEqual(ours.status, 0, ours.stdout)
        let theirJSON = try XCTUnwrap(theirs.json, theirs.stdout), ourJSON = try XCTUnwrap(ours.json, ours.stdout)
        XCTAssertEqual(shape(ourJSON), shape(theirJSON), "ours: \(ours.stdout)\nreference: \(theirs.stdout)")
        XCTAssertEqual(ourJSON["cniVersion"] as? String, theirJSON["cniVersion"] as? String)
        // The same kinds of values where they are comparable.
        let theirIPs = theirJSON["ips"] as? [[String: Any]], ourIPs = ourJSON["ips"] as? [[String: Any]]
        XCTAssertEqual(ourIPs?.first?["interface"] as? Int, theirIPs?.first?["interface"] as? Int)
        XCTAssertEqual(ourJSON["routes"] as? [[String: String]], theirJSON["routes"] as? [[String: String]])
        XCTAssertEqual(try link(pod, "eth0")?["mtu"] as? Int, try link(refPod, "eth0")?["mtu"] as? Int)
    }

    /// A JSON value's structure: objects keep their keys, arrays their length, leaves their type.
    func shape(_ value: Any) -> String {
        switch value {
        case let object as [String: Any]:
            return "{" + object.keys.sorted().map { "\($0):\(shape(object[$0]!))" }.joined(separator: ",") + "}"
        case let array as [Any]:
            return "[" + array.map(shape).joined(separator: ",") + "]"
        case is String: return "string"
        case is NSNumber: return "number"
        default: return "null"
        }
    }
}
