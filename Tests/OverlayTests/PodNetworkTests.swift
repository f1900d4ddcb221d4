import Foundation
import Netlink
import Overlay
import SkiffTestSupport
import XCTest

/// The pod network end to end with real parts: the built `skiff-cni` run on testbed nodes as a
/// runtime runs it (CNIPodRunner), pods as network namespaces, nodes joined by the VXLAN overlay
/// (OverlayTestbed, the reconciler between them), and real traffic: ping, TCP, a 10 MB transfer,
/// DF pings at the pod MTU. All of it inside test namespaces; tearDown removes every namespace,
/// process and temp file, pass or fail.
final class PodNetworkTests: XCTestCase {
    var bed: OverlayTestbed?
    var runners: [CNIPodRunner] = []
    var servers: [Process] = []
    var tempFiles: [String] = []

    override func tearDown() {
        for server in servers { PodNet.stop(server) }
        servers = []
        for runner in runners { runner.tearDown() }
        runners = []
        bed?.tearDown()
        bed = nil
        for file in tempFiles { try? FileManager.default.removeItem(atPath: file) }
        tempFiles = []
    }

    /// `count` nodes with their VXLAN devices and forwarding on, and a skiff-cni runner each whose
    /// pod MTU is the VXLAN device's (underlay − 50). With `overlay`, every node's peers are programmed.
    func nodes(_ count: Int, overlay: Bool = true) throws -> [CNIPodRunner] {
        _ = try CNIPodRunner.binary()
        let bed = try OverlayTestbed.make(nodes: count)
        self.bed = bed
        for node in bed.nodes {
            let device = try node.ensureDevice()
            let underlay = try XCTUnwrap(try node.json("ip", "-j", "link", "show", "dev", "eth0").first?["mtu"] as? Int)
            XCTAssertEqual(device.mtu, underlay - VXLANDevice.overhead)
            try node.enableForwarding()
            runners.append(try CNIPodRunner(node: node, mtu: device.mtu))
        }
        if overlay { try reconcileOverlay() }
        return runners
    }

    func reconcileOverlay() throws {
        guard let bed else { return }
        for node in bed.nodes { try node.reconcile(bed.nodes.filter { $0 !== node }) }
    }

    func tempFile(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "skiff-podnet-\(name)-\(UUID().uuidString.prefix(8))"
        tempFiles.append(path)
        return path
    }

    /// A TCP exchange: a server in `to`'s pod, `file` sent from `from`'s pod; the server's account
    /// (bytes, sha256, the client's address as it saw it) must match what was sent, unNATed.
    func assertTCP(from client: CNIPodRunner.Pod, _ clientIP: String, to server: CNIPodRunner.Pod, _ serverIP: String,
                   file: String, file callerFile: StaticString = #filePath, line: UInt = #line) throws {
        let port = Int.random(in: 20000..<40000)
        let process = try PodNet.startServer(in: server.namespace, address: serverIP, port: port)
        servers.append(process)
        let reply = try PodNet.send(from: client.namespace, to: serverIP, port: port, file: file)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        XCTAssertEqual(reply.bytes, size, file: callerFile, line: line)
        XCTAssertEqual(reply.sha256, try PodNet.sha256(file), "bytes differ", file: callerFile, line: line)
        XCTAssertEqual(reply.peer, clientIP, "the server saw another source address", file: callerFile, line: line)
        PodNet.stop(process)
    }

    func assertPing(_ from: CNIPodRunner.Pod, _ target: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try PodNet.ping(from.namespace, target)
        XCTAssertEqual(result.status, 0, "\(from.namespace) → \(target): \(result.output)\(result.error)", file: file, line: line)
    }

    /// The pod side of an attachment: eth0 with the address (in the node's podCIDR) and the pod MTU.
    func assertAttached(_ runner: CNIPodRunner, _ pod: CNIPodRunner.Pod, _ ip: String,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let link = try XCTUnwrap(try PodNet.json(pod.namespace, ["ip", "-j", "addr", "show", "dev", "eth0"]).first,
                                 file: file, line: line)
        let addresses = (link["addr_info"] as? [[String: Any]] ?? []).filter { $0["family"] as? String == "inet" }
            .map { "\($0["local"] ?? "")/\($0["prefixlen"] ?? "")" }
        XCTAssertEqual(addresses, ["\(ip)/24"], file: file, line: line)
        XCTAssertEqual(link["mtu"] as? Int, runner.mtu, file: file, line: line)
        XCTAssertTrue(runner.node.podCIDR.contains(IPAddress(ip)!), file: file, line: line)
    }

    // MARK: tests

    /// Two pods on one node: the bridge carries ping and TCP between them; DEL cuts it.
    func testPodToPodOnOneNode() throws {
        let node = try nodes(1)[0]
        let a = try node.makePod("a"), b = try node.makePod("b")
        let ipA = try node.add(a), ipB = try node.add(b)
        XCTAssertNotEqual(ipA, ipB)
        try assertAttached(node, a, ipA)
        try assertAttached(node, b, ipB)
        // skiff-cni found the testbed's cni0 (with the gateway already on it) and used it.
        let veths = try node.hostVeths()
        XCTAssertEqual(veths.count, 2)
        for veth in veths {
            XCTAssertEqual(veth["master"] as? String, "cni0", "\(veth)")
            XCTAssertEqual(veth["mtu"] as? Int, node.mtu, "\(veth)")
        }
        XCTAssertEqual(try node.node.json("ip", "-j", "link", "show", "type", "bridge").count, 1)

        try assertPing(a, ipB)
        try assertPing(b, ipA)
        try assertPing(a, node.node.podIP)
        let file = tempFile("hello")
        try Data("hello from pod a\n".utf8).write(to: URL(fileURLWithPath: file))
        try assertTCP(from: a, ipA, to: b, ipB, file: file)
        try assertTCP(from: b, ipB, to: a, ipA, file: file)

        // DEL b: a can no longer reach it.
        let del = try node.run("DEL", b)
        XCTAssertEqual(del.status, 0, del.stdout)
        XCTAssertNotEqual(try PodNet.ping(a.namespace, ipB, extra: ["-W1"]).status, 0, "b still answers after DEL")
        XCTAssertEqual(try node.hostVeths().count, 1)
        XCTAssertEqual(node.allocations(), [ipA])
    }

    /// Pods on two nodes: unreachable until the overlay is reconciled, then ping and TCP over VXLAN,
    /// with the pods' own addresses end to end (no NAT) and the traffic counted on skiff.1.
    func testPodToPodAcrossNodes() throws {
        let runners = try nodes(2, overlay: false)
        let (n1, n2) = (runners[0], runners[1])
        let a = try n1.makePod("a"), b = try n2.makePod("b")
        let ipA = try n1.add(a), ipB = try n2.add(b)
        XCTAssertEqual(ipA, "10.244.1.2")
        XCTAssertEqual(ipB, "10.244.2.2")
        try assertAttached(n1, a, ipA)
        try assertAttached(n2, b, ipB)
        XCTAssertNotEqual(try PodNet.ping(a.namespace, ipB, extra: ["-W1"]).status, 0, "reached another node's pod without the overlay")

        try reconcileOverlay()
        let before = try vxlanPackets(n1)
        try assertPing(a, ipB)
        try assertPing(b, ipA)
        let file = tempFile("cross")
        try Data("across the overlay\n".utf8).write(to: URL(fileURLWithPath: file))
        try assertTCP(from: a, ipA, to: b, ipB, file: file)
        try assertTCP(from: b, ipB, to: a, ipA, file: file)
        let after = try vxlanPackets(n1)
        XCTAssertGreaterThanOrEqual(after.tx - before.tx, 2, "pod traffic did not leave through skiff.1")
        XCTAssertGreaterThanOrEqual(after.rx - before.rx, 2, "pod traffic did not arrive through skiff.1")
    }

    /// 10 MB pod to pod across nodes over TCP, byte-exact.
    func testTenMegabytesAcrossNodes() throws {
        let runners = try nodes(2)
        let (n1, n2) = (runners[0], runners[1])
        let a = try n1.makePod("a"), b = try n2.makePod("b")
        let ipA = try n1.add(a), ipB = try n2.add(b)
        let file = tempFile("10mb")
        try Shell.run(["dd", "if=/dev/urandom", "of=\(file)", "bs=1M", "count=10", "status=none"])
        let started = Date()
        try assertTCP(from: a, ipA, to: b, ipB, file: file)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "10 MB took too long: a black-holed MTU?")
    }

    /// The pod MTU is exactly the overlay's: a DF ping of the full pod MTU crosses the nodes, one
    /// byte more is refused at the pod itself ("message too long"), not lost on the way.
    func testDontFragmentPingsAtThePodMTU() throws {
        let runners = try nodes(2)
        let (n1, n2) = (runners[0], runners[1])
        let a = try n1.makePod("a"), b = try n2.makePod("b")
        let ipA = try n1.add(a), ipB = try n2.add(b)
        let mtu = n1.mtu
        XCTAssertEqual(try PodNet.mtu(a.namespace, "eth0"), mtu)
        XCTAssertEqual(try n1.node.json("ip", "-j", "link", "show", "dev", "skiff.1").first?["mtu"] as? Int, mtu)
        XCTAssertEqual(try n1.node.json("ip", "-j", "link", "show", "dev", "eth0").first?["mtu"] as? Int, mtu + 50)

        for (from, target) in [(a, ipB), (b, ipA)] {
            let full = try PodNet.ping(from.namespace, target, extra: ["-M", "do", "-s", String(mtu - 28)])
            XCTAssertEqual(full.status, 0, "DF ping of \(mtu) bytes: \(full.output)\(full.error)")
            XCTAssertTrue(full.output.contains("\(mtu - 28 + 8) bytes from \(target)"), full.output)
            let over = try PodNet.ping(from.namespace, target, extra: ["-W1", "-M", "do", "-s", String(mtu - 27)])
            XCTAssertNotEqual(over.status, 0, "DF ping of \(mtu + 1) bytes went through: \(over.output)")
            XCTAssertTrue((over.output + over.error).lowercased().contains("message too long"),
                          "refused elsewhere than at the pod: \(over.output)\(over.error)")
        }
    }

    /// 50 concurrent ADDs on one node, each into its own pod: 50 distinct addresses of the podCIDR,
    /// all reachable; then 50 concurrent DELs, DEL again; nothing left on the node or on disk.
    func testFiftyConcurrentAddsWithRealPlumbing() throws {
        let node = try nodes(1)[0]
        let pods = try node.makePods((0..<50).map { "p\($0)" })
        let running = try pods.map { try node.launch("ADD", $0) }
        let outcomes = running.map(node.finish)
        var ips: [String] = []
        for (pod, outcome) in zip(pods, outcomes) {
            XCTAssertEqual(outcome.status, 0, "\(pod.containerID): \(outcome.stdout)\(outcome.stderr)")
            if let ip = outcome.ip { ips.append(ip) }
        }
        XCTAssertEqual(ips.count, 50)
        XCTAssertEqual(Set(ips).count, 50, "duplicates: \(ips.sorted())")
        let gateway = node.node.podIP
        for ip in ips {
            XCTAssertTrue(node.node.podCIDR.contains(IPAddress(ip)!), ip)
            XCTAssertNotEqual(ip, gateway)
            XCTAssertNotEqual(ip, "10.244.1.0")
            XCTAssertNotEqual(ip, "10.244.1.255")
        }
        XCTAssertEqual(node.allocations(), ips.sorted())
        let veths = try node.hostVeths()
        XCTAssertEqual(veths.count, 50)
        XCTAssertTrue(veths.allSatisfy { $0["master"] as? String == "cni0" })
        XCTAssertEqual(try node.node.json("ip", "-j", "link", "show", "type", "bridge").count, 1)

        guard ips.count == 50 else { return }
        // Every pod has its address on eth0 and reaches the gateway (all at once: 2 cores, 50 pods).
        let checks = try PodNet.parallel(pods.map {
            ["ip", "netns", "exec", $0.namespace, "sh", "-c", "ip -o -4 addr show dev eth0 && ping -c1 -W2 \(gateway)"]
        })
        for (pod, (ip, check)) in zip(pods, zip(ips, checks)) {
            XCTAssertEqual(check.status, 0, "\(pod.namespace): \(check.output)")
            XCTAssertTrue(check.output.contains("inet \(ip)/24"), "\(pod.namespace) has not \(ip): \(check.output)")
        }
        for (i, j) in [(0, 49), (17, 33), (48, 1)] { try assertPing(pods[i], ips[j]) }

        let deletes = try pods.map { try node.launch("DEL", $0) }.map(node.finish)
        for (pod, outcome) in zip(pods, deletes) {
            XCTAssertEqual(outcome.status, 0, "DEL \(pod.containerID): \(outcome.stdout)\(outcome.stderr)")
        }
        let again = try pods.map { try node.launch("DEL", $0) }.map(node.finish)
        for (pod, outcome) in zip(pods, again) {
            XCTAssertEqual(outcome.status, 0, "second DEL \(pod.containerID): \(outcome.stdout)\(outcome.stderr)")
            XCTAssertEqual(outcome.stdout, "")
        }
        XCTAssertEqual(try node.hostVeths().map { $0["ifname"] as? String ?? "?" }, [])
        XCTAssertEqual(node.allocations(), [])
        let leftovers = try PodNet.parallel(pods.map { ["ip", "netns", "exec", $0.namespace, "ip", "-o", "link", "show", "type", "veth"] })
        for (pod, result) in zip(pods, leftovers) {
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertEqual(result.output, "", "\(pod.namespace) still has its veth")
        }
    }

    /// An ADD SIGKILLed once its address is on disk (the binary's test fault hook, with the real
    /// bridge plumbing otherwise; the hook fires before any interface is made): the address stays
    /// held, nothing is half-made on the node or in the pod; GC with the runtime's valid
    /// attachments frees it (and a lost pod's) and only those, and the runtime's retry of that ADD
    /// then works.
    func testKilledMidAddIsFreedByGC() throws {
        let node = try nodes(1)[0]
        let live = try node.makePod("live"), crashy = try node.makePod("crashy")
        let liveAdd = try node.run("ADD", live)
        XCTAssertEqual(liveAdd.status, 0, liveAdd.stdout)
        let liveIP = try XCTUnwrap(liveAdd.ip)
        let liveVeth = try XCTUnwrap((liveAdd.json?["interfaces"] as? [[String: Any]])?.dropFirst().first?["name"] as? String)

        let killed = try node.run("ADD", crashy, extraEnv: ["SKIFF_CNI_TEST_FAULT": "die-after-allocate"])
        XCTAssertEqual(killed.reason, .uncaughtSignal)
        XCTAssertEqual(killed.status, SIGKILL)
        XCTAssertEqual(killed.stdout, "")
        let held = node.allocations().filter { $0 != liveIP }
        XCTAssertEqual(held.count, 1, "\(node.allocations())")
        let crashIP = try XCTUnwrap(held.first)
        XCTAssertEqual(node.owner(of: crashIP), "\(crashy.containerID)\neth0")
        // Nothing half-made: only the live pod's host end, no interface in the crashed pod but lo.
        XCTAssertEqual(try node.hostVeths().compactMap { $0["ifname"] as? String }, [liveVeth])
        XCTAssertEqual(try PodNet.json(crashy.namespace, ["ip", "-j", "link", "show"]).compactMap { $0["ifname"] as? String }, ["lo"])

        // And a pod the runtime lost without a DEL: its sandbox (netns) is gone, which takes the
        // veth pair with it; only its address is left, for GC.
        let orphan = try node.makePod("orphan")
        let orphanIP = try node.add(orphan)
        try Shell.run(["ip", "netns", "del", orphan.namespace])
        XCTAssertEqual(node.allocations(), [liveIP, crashIP, orphanIP].sorted())
        XCTAssertTrue(try eventually { try node.hostVeths().compactMap { $0["ifname"] as? String } == [liveVeth] },
                      "the orphan's host end outlived its netns: \((try? node.hostVeths()) ?? [])")

        let gc = try node.gc(valid: [live])
        XCTAssertEqual(gc.status, 0, gc.stdout + gc.stderr)
        XCTAssertEqual(gc.stdout, "")
        XCTAssertEqual(node.allocations(), [liveIP])
        XCTAssertEqual(try node.hostVeths().compactMap { $0["ifname"] as? String }, [liveVeth])
        XCTAssertFalse(((try? FileManager.default.contentsOfDirectory(atPath: node.poolDirectory)) ?? []).contains { $0.contains(".tmp-") })
        try assertPing(live, node.node.podIP)

        // The runtime retries the pod: it gets an address and a working interface.
        let retry = try node.run("ADD", crashy)
        XCTAssertEqual(retry.status, 0, retry.stdout)
        let retryIP = try XCTUnwrap(retry.ip)
        try assertAttached(node, crashy, retryIP)
        try assertPing(crashy, liveIP)
        XCTAssertEqual(node.allocations(), [liveIP, retryIP].sorted())

        for pod in [live, crashy] { XCTAssertEqual(try node.run("DEL", pod).status, 0) }
        XCTAssertEqual(try node.hostVeths().count, 0)
        XCTAssertEqual(node.allocations(), [])
    }

    /// Killed after the veth pair is made, before the result: GC removes the interfaces as
    /// well as the address, and the retried ADD is not refused for a taken eth0.
    func testKilledAfterPlumbingIsCleanedUpByGC() throws {
        let node = try nodes(1, overlay: false)[0]
        let pod = try node.makePod("halfmade")
        let killed = try node.run("ADD", pod, extraEnv: ["SKIFF_CNI_TEST_FAULT": "die-after-plumbing"])
        XCTAssertEqual(killed.reason, .uncaughtSignal)
        XCTAssertEqual(node.allocations().count, 1)
        XCTAssertEqual(try node.hostVeths().count, 1, "the fault fired after the veth pair was made")
        XCTAssertTrue(try PodNet.json(pod.namespace, ["ip", "-j", "link", "show"]).contains { $0["ifname"] as? String == "eth0" })

        let gc = try node.gc(valid: [])
        XCTAssertEqual(gc.status, 0, gc.stdout + gc.stderr)
        XCTAssertEqual(node.allocations(), [])
        XCTAssertEqual(try node.hostVeths().count, 0)
        XCTAssertEqual(try PodNet.json(pod.namespace, ["ip", "-j", "link", "show"]).compactMap { $0["ifname"] as? String }, ["lo"])
        let retry = try node.add(pod)
        try assertAttached(node, pod, retry)
        XCTAssertEqual(try node.run("DEL", pod).status, 0)
    }

    /// `ipMasq: true`: a pod reaching outside its network leaves with the node's address; inside
    /// the network it keeps its own; DEL stops masquerading its address.
    func testIPMasqMasqueradesTrafficLeavingTheNetwork() throws {
        let node = try nodes(1, overlay: false)[0]
        let masq = node.config(extra: #","ipMasq":true"#)
        let (pod, peer) = (try node.makePod("masq"), try node.makePod("peer"))
        let add = try node.run("ADD", pod, config: masq)
        XCTAssertEqual(add.status, 0, add.stdout + add.stderr)
        let podIP = try XCTUnwrap(add.ip)
        let peerIP = try node.add(peer)
        /// The addresses in the network's masquerade set.
        func masqueraded() throws -> Set<String> {
            let json = try node.node.exec("nft", "-j", "list", "set", "ip", "skiff-cni", "pods-\(CNIPodRunner.network)")
            let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])["nftables"] as? [[String: Any]]
            let set = items?.compactMap { $0["set"] as? [String: Any] }.first
            return Set((set?["elem"] as? [Any] ?? []).compactMap { $0 as? String })
        }
        XCTAssertEqual(try masqueraded(), [podIP])

        let bed = try XCTUnwrap(bed)
        let file = tempFile("masq")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: file))
        let outside = try PodNet.startServer(in: bed.switchNamespace, address: OverlayTestbed.outsideIP, port: 31000)
        servers.append(outside)
        XCTAssertEqual(try PodNet.send(from: pod.namespace, to: OverlayTestbed.outsideIP, port: 31000, file: file).peer,
                       node.node.ip, "leaving the network: the node's address")
        try assertTCP(from: pod, podIP, to: peer, peerIP, file: file)

        // A second ADD on the same network converges on the same chain (no duplicate rules).
        let second = try node.makePod("masq2")
        XCTAssertEqual(try node.run("ADD", second, config: masq).status, 0)
        let chain = try node.node.exec("nft", "list", "chain", "ip", "skiff-cni", "masq-\(CNIPodRunner.network)")
        XCTAssertEqual(chain.components(separatedBy: "masquerade").count - 1, 1, chain)

        XCTAssertEqual(try node.run("DEL", pod, config: masq).status, 0)
        XCTAssertEqual(try masqueraded().count, 1)
        XCTAssertFalse(try masqueraded().contains(podIP))
        XCTAssertEqual(try node.run("DEL", pod, config: masq).status, 0, "DEL twice")
        XCTAssertEqual(try node.run("DEL", second, config: masq).status, 0)
        XCTAssertEqual(try masqueraded(), [], "no addresses left")
    }

    // MARK: helpers

    /// Polls `condition` for up to `seconds` (netns teardown in the kernel is asynchronous).
    func eventually(_ seconds: Double = 5, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try condition() { return true }
            if Date() > deadline { return false }
            usleep(50_000)
        }
    }

    /// skiff.1's packet counters on a node.
    func vxlanPackets(_ runner: CNIPodRunner) throws -> (tx: Int, rx: Int) {
        let link = try XCTUnwrap(try runner.node.json("ip", "-s", "-j", "link", "show", "dev", "skiff.1").first)
        let stats = link["stats64"] as? [String: Any]
        return ((stats?["tx"] as? [String: Any])?["packets"] as? Int ?? 0, (stats?["rx"] as? [String: Any])?["packets"] as? Int ?? 0)
    }
}
