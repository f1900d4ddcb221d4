import Foundation
import KubeAPI
import Netlink
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane

/// One service port whose rules the kernel refuses must cost only itself. The refusal here is
/// the real kernel's (a rule jumping to a chain that does not exist: ENOENT); the test hook
/// only plants that rule into the chosen services' fragments, standing in for bad input that
/// got past translation.
final class ProxyQuarantineTests: XCTestCase {
    override func tearDown() {
        let tables = (try? Shell.run(["nft", "list", "tables"])) ?? ""
        XCTAssertFalse(tables.contains("skiff-proxy"), "root namespace has a proxy table:\n\(tables)")
    }

    /// Which services get the poisoned rule; changed by the test between syncs.
    private final class Poison: @unchecked Sendable {
        private let lock = NSLock()
        private var names: Set<String> = []
        func set(_ n: Set<String>) { lock.lock(); names = n; lock.unlock() }
        func contains(_ n: String) -> Bool { lock.lock(); defer { lock.unlock() }; return names.contains(n) }
    }

    private func service(_ name: String, _ ip: String) -> Service {
        Fixture.service(name, clusterIP: ip, ports: [ServicePort(name: "http", protocol: "TCP", port: 80)])
    }

    private func slice(_ service: String, _ ips: [String]) -> EndpointSlice {
        Fixture.slice("\(service)-1", service: service, endpoints: ips.map { Fixture.endpoint($0, node: "node-a") })
    }

    func testRefusedServicePortsAreLeftOutAndTheRestIsProgrammed() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        let config = RulesetConfig(clusterCIDRs: [IPPrefix("10.244.0.0/16")!], serviceCIDRs: [IPPrefix("10.96.0.0/12")!])
        let syncer = try ProxySyncer(configs: [config], networkNamespace: topo.nodePath)
        let poison = Poison()
        syncer.fragmentTransform = { name, fragment in
            guard poison.contains(name.service.name), !fragment.isEmpty else { return fragment }
            // A chain of its own (common services have none in the flat layout) whose rule
            // jumps nowhere.
            var f = fragment
            f.chains.append(ChainSpec(name: "poison-\(name.service.name)", rules: [RuleSpec([.verdict(.jump("no-such-chain"))])]))
            return f
        }
        func reachable(_ ip: String) throws -> Bool { try topo.curl(from: topo.node, "http://\(ip)/", timeout: 1).status == 0 }

        // First sync, full, with a bad service among good ones: a fresh table refuses the
        // whole ruleset, so it is rebuilt in pieces and only the bad one is left out.
        poison.set(["bad"])
        var model = ProxyModel(config: Fixture.config())
        for (name, ip) in [("web", "10.96.0.60"), ("bad", "10.96.0.61"), ("api", "10.96.0.62")] {
            model.serviceAdded(service(name, ip))
            model.endpointSliceAdded(slice(name, ["10.244.1.2"]))
        }
        let first = try syncer.syncNow(applying: &model)
        XCTAssertEqual(Set(first.rejected.keys.map(\.service.name)), ["bad"], "\(first.rejected)")
        XCTAssertTrue(first.rejected.values.first?.contains("No such file or directory") ?? false, "\(first.rejected)")
        XCTAssertEqual(first.quarantined, 1)
        XCTAssertTrue(try reachable("10.96.0.60"))
        XCTAssertTrue(try reachable("10.96.0.62"))
        XCTAssertFalse(try reachable("10.96.0.61"), "the refused service is not programmed")

        // A partial sync where a good change and a bad new service arrive together: the
        // kernel refuses the batch, bisection programs the good half and quarantines the bad.
        poison.set(["bad", "bad2"])
        model.serviceAdded(service("bad2", "10.96.0.63"))
        model.endpointSliceAdded(slice("bad2", ["10.244.2.2"]))
        model.serviceAdded(service("new", "10.96.0.64"))
        model.endpointSliceAdded(slice("new", ["10.244.2.2"]))
        let second = try syncer.syncNow(applying: &model)
        XCTAssertEqual(second.mode, .partial, "isolated without a full resync")
        XCTAssertEqual(Set(second.rejected.keys.map(\.service.name)), ["bad2"])
        XCTAssertEqual(second.quarantined, 2)
        XCTAssertTrue(try reachable("10.96.0.64"))
        XCTAssertTrue(try reachable("10.96.0.60"))
        XCTAssertFalse(try reachable("10.96.0.63"))
        XCTAssertFalse(syncer.nextSyncIsFull, "the table is known exactly after isolation")
        let tables = try topo.exec(topo.node, "nft", "list", "tables")
        XCTAssertFalse(tables.contains("probe"), "the scratch table is gone: \(tables)")

        // A quarantined service whose rules change (here: fixed) is tried again.
        poison.set(["bad2"])
        model.endpointSliceUpdated(old: slice("bad", ["10.244.1.2"]), new: slice("bad", ["10.244.2.2"]))
        let third = try syncer.syncNow(applying: &model)
        XCTAssertTrue(third.rejected.isEmpty)
        XCTAssertEqual(third.quarantined, 1)
        XCTAssertEqual(try topo.bodies(from: topo.node, "http://10.96.0.61/", count: 3), ["pod-b", "pod-b", "pod-b"])

        // A later full resync keeps the quarantined one out and everything else in.
        let full = try syncer.syncNow(applying: &model, full: true)
        XCTAssertEqual(full.quarantined, 1)
        XCTAssertTrue(full.rejected.isEmpty, "unchanged rules are not retried: \(full.rejected)")
        XCTAssertTrue(try reachable("10.96.0.61"))
        XCTAssertFalse(try reachable("10.96.0.63"))
        try syncer.cleanup()
    }
}
