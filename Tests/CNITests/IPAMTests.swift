import CNI
import Foundation
import Netlink
import XCTest

final class IPAMStoreTests: XCTestCase {
    var dir = ""

    override func setUp() {
        dir = makeTempDir("ipam")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func store(_ subnet: String, gateway: String? = nil) -> IPAMStore {
        let prefix = IPPrefix(subnet)!
        let config = IPAMConfig(subnet: prefix, gateway: gateway.flatMap(IPAddress.init) ?? prefix.address.successor,
                                dataDir: dir, routes: [])
        return IPAMStore(network: "pods", config: config, lockTimeout: 5)
    }

    func code(_ body: () throws -> Void) -> Int? {
        do { try body(); return nil } catch { return (error as? CNIError)?.code }
    }

    func testRoundRobinDoesNotReuseAFreedAddressAtOnce() throws {
        let s = store("10.244.1.0/24")
        XCTAssertEqual(try s.allocate(containerID: "a", ifname: "eth0").description, "10.244.1.2")
        XCTAssertEqual(try s.allocate(containerID: "b", ifname: "eth0").description, "10.244.1.3")
        XCTAssertEqual(try s.allocate(containerID: "c", ifname: "eth0").description, "10.244.1.4")
        XCTAssertEqual(try s.release(containerID: "b", ifname: "eth0").map(\.description), ["10.244.1.3"])
        XCTAssertEqual(try s.allocate(containerID: "d", ifname: "eth0").description, "10.244.1.5")
        // The same attachment retried gets its address back.
        XCTAssertEqual(try s.allocate(containerID: "a", ifname: "eth0").description, "10.244.1.2")
        // Another interface of the same container is another attachment.
        XCTAssertEqual(try s.allocate(containerID: "a", ifname: "net1").description, "10.244.1.6")
        // On disk: one file per address holding "<containerID>\n<ifname>".
        XCTAssertEqual(try String(contentsOfFile: dir + "/pods/10.244.1.6", encoding: .utf8), "a\nnet1")
        XCTAssertEqual(try String(contentsOfFile: dir + "/pods/last_reserved_ip.0", encoding: .utf8), "10.244.1.6")
    }

    func testReservedAddressesAreNeverHandedOutAndExhaustionIsAnError() throws {
        // 10.244.1.0/29: .0 network, .7 broadcast, gateway .4 → .1 .2 .3 .5 .6 usable.
        let s = store("10.244.1.0/29", gateway: "10.244.1.4")
        XCTAssertEqual(s.capacity, 5)
        var got: [String] = []
        for i in 0..<5 { got.append(try s.allocate(containerID: "c\(i)", ifname: "eth0").description) }
        XCTAssertEqual(got, ["10.244.1.1", "10.244.1.2", "10.244.1.3", "10.244.1.5", "10.244.1.6"])
        XCTAssertEqual(code { _ = try s.allocate(containerID: "c5", ifname: "eth0") }, CNIError.addressPoolExhausted)
        try s.release(containerID: "c1", ifname: "eth0")
        // Wraps around past the broadcast and network addresses to the freed one.
        XCTAssertEqual(try s.allocate(containerID: "c5", ifname: "eth0").description, "10.244.1.2")
        // Cycle many times: still never a reserved address.
        for round in 0..<20 {
            try s.release(containerID: "c5", ifname: "eth0")
            let ip = try s.allocate(containerID: "c5", ifname: "eth0").description
            XCTAssertFalse(["10.244.1.0", "10.244.1.4", "10.244.1.7"].contains(ip), "round \(round): \(ip)")
        }
    }

    func testRequestedAddress() throws {
        let s = store("10.244.1.0/24")
        XCTAssertEqual(try s.allocate(containerID: "a", ifname: "eth0", requested: [IPAddress("10.244.1.50")!]).description,
                       "10.244.1.50")
        XCTAssertEqual(code { _ = try s.allocate(containerID: "b", ifname: "eth0", requested: [IPAddress("10.244.1.50")!]) },
                       CNIError.requestedAddressTaken)
        for reserved in ["10.244.1.0", "10.244.1.1", "10.244.1.255", "10.244.2.7", "fd00::5"] {
            XCTAssertEqual(code { _ = try s.allocate(containerID: "b", ifname: "eth0", requested: [IPAddress(reserved)!]) },
                           CNIError.requestedAddressUnavailable, reserved)
        }
        // An attachment that already holds an address gets it back, or a clear refusal.
        XCTAssertEqual(try s.allocate(containerID: "a", ifname: "eth0", requested: [IPAddress("10.244.1.50")!]).description,
                       "10.244.1.50")
        XCTAssertEqual(code { _ = try s.allocate(containerID: "a", ifname: "eth0", requested: [IPAddress("10.244.1.60")!]) },
                       CNIError.requestedAddressUnavailable)
        // Round-robin continues after the requested one.
        XCTAssertEqual(try s.allocate(containerID: "b", ifname: "eth0").description, "10.244.1.51")
    }

    func testIPv6Pool() throws {
        let s = store("fd00:10:244:1::/64")
        XCTAssertEqual(try s.allocate(containerID: "a", ifname: "eth0").description, "fd00:10:244:1::2")
        XCTAssertEqual(try s.allocate(containerID: "b", ifname: "eth0").description, "fd00:10:244:1::3")
    }

    func testReleaseIsIdempotentAndGCAndReconcile() throws {
        let s = store("10.244.1.0/24")
        for id in ["a", "b", "c", "d"] { _ = try s.allocate(containerID: id, ifname: "eth0") }
        XCTAssertEqual(try s.release(containerID: "zzz", ifname: "eth0"), [])
        try s.release(containerID: "d", ifname: "eth0")
        XCTAssertEqual(try s.release(containerID: "d", ifname: "eth0"), [])
        let freed = try s.garbageCollect(validAttachments: [CNIAttachment(containerID: "a", ifname: "eth0"),
                                                             CNIAttachment(containerID: "b", ifname: "net1")])
        XCTAssertEqual(freed.map(\.description), ["10.244.1.3", "10.244.1.4"])
        XCTAssertEqual(try s.allocations().map(\.containerID), ["a"])
        _ = try s.allocate(containerID: "e", ifname: "eth0")
        XCTAssertEqual(try s.reconcile(liveContainerIDs: ["e"]).map(\.description), ["10.244.1.2"])
        XCTAssertEqual(try s.allocations().map(\.containerID), ["e"])
    }

    func testLockTimeoutIsTryAgainLater() throws {
        let s = store("10.244.1.0/24")
        var quick = s
        quick.lockTimeout = 0.05
        let inner = try s.withLock { () throws(CNIError) -> Int? in
            do throws(CNIError) { _ = try quick.allocate(containerID: "a", ifname: "eth0"); return nil } catch { return error.code }
        }
        XCTAssertEqual(inner, CNIError.tryAgainLater)
    }
}

/// The dispatch in-process: ADD/DEL/CHECK/GC/STATUS as the runtime drives them.
final class CNIPluginTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir("plugin") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func run(_ e: [String: String], _ config: String) -> CNIOutcome {
        run(CNIPlugin(plumbing: IPAMOnlyPlumbing(), lockTimeout: 5), e, config)
    }

    func run(_ plugin: CNIPlugin, _ e: [String: String], _ config: String) -> CNIOutcome {
        plugin.run(environment: e, stdin: Array(config.utf8))
    }

    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/pods")) ?? []).filter { $0.hasPrefix("10.") }.sorted()
    }

    func testAddDelCheck() throws {
        let conf = configText(dataDir: dir, extra: #","dns":{"nameservers":["10.96.0.10"]}"#,
                              ipamExtra: #","routes":[{"dst":"0.0.0.0/0"}]"#)
        let add = run(env("ADD", "a"), conf)
        XCTAssertEqual(add.exitCode, 0, String(decoding: add.stdout, as: UTF8.self))
        let result = try XCTUnwrap(add.json)
        XCTAssertEqual(result["cniVersion"], "1.1.0")
        XCTAssertEqual(result["ips"], [["address": "10.244.1.2/24", "gateway": "10.244.1.1"]])
        XCTAssertEqual(result["routes"], [["dst": "0.0.0.0/0"]])
        XCTAssertEqual(result["dns"], ["nameservers": ["10.96.0.10"]])
        XCTAssertNil(result["interfaces"], "IPAM-only plumbing makes no interfaces")

        // CHECK with the ADD result as prevResult.
        let withPrev = configText(dataDir: dir, extra: ",\"prevResult\":" + String(decoding: add.stdout, as: UTF8.self))
        XCTAssertEqual(run(env("CHECK", "a"), withPrev).exitCode, 0)
        XCTAssertEqual(run(env("CHECK", "b"), withPrev).errorCode, Int64(CNIError.unknownContainer))
        XCTAssertEqual(run(env("CHECK", "a"), conf).errorCode, Int64(CNIError.invalidConfig), "CHECK needs prevResult")

        // DEL twice: both succeed with nothing on stdout.
        for _ in 0..<2 {
            let del = run(env("DEL", "a"), conf)
            XCTAssertEqual(del.exitCode, 0)
            XCTAssertTrue(del.stdout.isEmpty)
        }
        XCTAssertEqual(files(), [])
    }

    func testRequestedIPFromArgsAndRuntimeConfig() {
        let conf = configText(dataDir: dir)
        XCTAssertEqual(run(env("ADD", "a", args: "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.244.1.77"), conf).firstIP, "10.244.1.77")
        let rc = configText(dataDir: dir, extra: #","runtimeConfig":{"ips":["10.244.1.78/24"]}"#)
        XCTAssertEqual(run(env("ADD", "b"), rc).firstIP, "10.244.1.78")
        let taken = run(env("ADD", "c", args: "IP=10.244.1.77"), conf)
        XCTAssertEqual(taken.exitCode, 1)
        XCTAssertEqual(taken.errorCode, Int64(CNIError.requestedAddressTaken))
        XCTAssertEqual(run(env("ADD", "c", args: "IP=banana"), conf).errorCode, Int64(CNIError.invalidEnvironment))
    }

    func testExhaustionIsAClearError() {
        let conf = configText(dataDir: dir, subnet: "10.244.1.0/30")
        XCTAssertEqual(run(env("ADD", "a"), conf).firstIP, "10.244.1.2")
        let out = run(env("ADD", "b"), conf)
        XCTAssertEqual(out.exitCode, 1)
        XCTAssertEqual(out.errorCode, Int64(CNIError.addressPoolExhausted))
        XCTAssertEqual(out.json?["msg"]?.stringValue, "no IP addresses available in range 10.244.1.0/30")
    }

    struct FailingPlumbing: PodNetworkPlumbing {
        func setUp(_ attachment: PodAttachment, addresses: [CNIAddress]) throws(CNIError)
            -> (interfaces: [CNIResult.Interface], podInterface: Int?) {
            throw CNIError(code: CNIError.plumbingFailed, msg: "veth failed")
        }
        func tearDown(_ attachment: PodAttachment) throws(CNIError) {}
        func check(_ attachment: PodAttachment, expected: CNIResult) throws(CNIError) {}
        func status(_ config: NetworkConfig) throws(CNIError) {}
    }

    struct FakePlumbing: PodNetworkPlumbing {
        func setUp(_ attachment: PodAttachment, addresses: [CNIAddress]) throws(CNIError)
            -> (interfaces: [CNIResult.Interface], podInterface: Int?) {
            ([.init(name: "cni0"), .init(name: "veth1"), .init(name: attachment.ifname, sandbox: attachment.netns)], 2)
        }
        func tearDown(_ attachment: PodAttachment) throws(CNIError) {}
        func check(_ attachment: PodAttachment, expected: CNIResult) throws(CNIError) {}
        func status(_ config: NetworkConfig) throws(CNIError) {}
    }

    func testFailedAddReleasesItsAddress() {
        let conf = configText(dataDir: dir)
        let out = run(CNIPlugin(plumbing: FailingPlumbing()), env("ADD", "a"), conf)
        XCTAssertEqual(out.exitCode, 1)
        XCTAssertEqual(out.errorCode, Int64(CNIError.plumbingFailed))
        XCTAssertEqual(files(), [])
    }

    func testChainedPrevResultIsKeptAndInterfaceIndexOffset() throws {
        let prev = #"{"cniVersion":"1.0.0","interfaces":[{"name":"lo0"}],"ips":[{"address":"192.168.9.9/32","interface":0}]}"#
        let conf = configText(dataDir: dir, version: "1.0.0", extra: ",\"prevResult\":" + prev)
        let out = run(CNIPlugin(plumbing: FakePlumbing()), env("ADD", "a"), conf)
        let json = try XCTUnwrap(out.json)
        XCTAssertEqual(json["interfaces"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["lo0", "cni0", "veth1", "eth0"])
        XCTAssertEqual(json["interfaces"]?.arrayValue?[3]["sandbox"], "/var/run/netns/a")
        XCTAssertEqual(json["ips"], [["address": "192.168.9.9/32", "interface": 0],
                                     ["address": "10.244.1.2/24", "gateway": "10.244.1.1", "interface": 3]])
        // The same through a 0.4.0 config carries "version".
        let old = run(CNIPlugin(plumbing: FakePlumbing()), env("ADD", "b"), configText(dataDir: dir, version: "0.4.0"))
        XCTAssertEqual(old.json?["ips"]?.arrayValue?.first?["version"], "4")
    }

    func testGCAndStatus() {
        let conf = configText(dataDir: dir)
        for id in ["a", "b", "c"] { XCTAssertEqual(run(env("ADD", id), conf).exitCode, 0) }
        let gcConf = configText(dataDir: dir, extra: #","cni.dev/valid-attachments":[{"containerID":"b","ifname":"eth0"}]"#)
        let gc = run(["CNI_COMMAND": "GC", "CNI_PATH": "/x"], gcConf)
        XCTAssertEqual(gc.exitCode, 0)
        XCTAssertTrue(gc.stdout.isEmpty)
        XCTAssertEqual(files(), ["10.244.1.3"])
        XCTAssertEqual(run(["CNI_COMMAND": "GC", "CNI_PATH": "/x"], conf).errorCode, Int64(CNIError.invalidConfig))
        XCTAssertEqual(run(["CNI_COMMAND": "GC", "CNI_PATH": "/x"], configText(dataDir: dir, version: "1.0.0",
            extra: #","cni.dev/valid-attachments":[]"#)).errorCode, Int64(CNIError.incompatibleVersion))

        let status = run(["CNI_COMMAND": "STATUS"], conf)
        XCTAssertEqual(status.exitCode, 0)
        XCTAssertTrue(status.stdout.isEmpty)
        // A data dir under a regular file cannot be created: plugin not available (50).
        _ = FileManager.default.createFile(atPath: dir + "/file", contents: Data())
        let broken = run(["CNI_COMMAND": "STATUS"], configText(dataDir: dir + "/file/sub"))
        XCTAssertEqual(broken.exitCode, 1)
        XCTAssertEqual(broken.errorCode, Int64(CNIError.pluginNotAvailable))
    }
}
