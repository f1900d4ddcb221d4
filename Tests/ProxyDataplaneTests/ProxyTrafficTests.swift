import Foundation
import KubeAPI
import Netlink
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane

/// Real connections through the programmed rules, in throwaway namespaces.
final class ProxyTrafficTests: XCTestCase {
    override func tearDown() {
        let tables = (try? Shell.run(["nft", "list", "tables"])) ?? ""
        XCTAssertFalse(tables.contains("skiff-proxy"), "root namespace has a proxy table:\n\(tables)")
    }

    static func webSlice(_ ips: [String]) -> EndpointSlice {
        Fixture.slice("web-1", service: "web", endpoints: ips.map { Fixture.endpoint($0, node: "node-a") })
    }

    func makeModel() -> ProxyModel {
        var m = ProxyModel(config: Fixture.config())
        m.serviceAdded(Fixture.service("web", type: "NodePort", clusterIP: "10.96.0.50",
                                       ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30080)]))
        m.serviceAdded(Fixture.service("empty", clusterIP: "10.96.0.51",
                                       ports: [ServicePort(name: "http", protocol: "TCP", port: 80)]))
        m.serviceAdded(Fixture.service("sticky", clusterIP: "10.96.0.52",
                                       ports: [ServicePort(name: "http", protocol: "TCP", port: 80)],
                                       sessionAffinity: "ClientIP"))
        m.endpointSliceAdded(Self.webSlice(["10.244.1.2", "10.244.2.2"]))
        m.endpointSliceAdded(Fixture.slice("sticky-1", service: "sticky",
                                           endpoints: ["10.244.1.2", "10.244.2.2"].map { Fixture.endpoint($0, node: "node-a") }))
        return m
    }

    func testServicesCarryRealTraffic() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        let config = RulesetConfig(clusterCIDRs: [IPPrefix("10.244.0.0/16")!], serviceCIDRs: [IPPrefix("10.96.0.0/12")!],
                                   nodePortAddresses: [IPAddress("192.168.50.1")!])
        let syncer = try ProxySyncer(configs: [config], networkNamespace: topo.nodePath)
        var model = makeModel()
        let first = try syncer.syncNow(applying: &model)
        XCTAssertEqual(first.mode, .rebuild, "the first sync rebuilds the table")
        print("[proxy] full sync: \(first.messages) messages, \(first.bytes) bytes in \(first.duration)")

        // ClusterIP reaches both endpoints.
        let web = try topo.bodies(from: topo.node, "http://10.96.0.50/", count: 30)
        XCTAssertEqual(Set(web), ["pod-a", "pod-b"], "\(web)")

        // No endpoints: refused at once, not a timeout.
        let start = ContinuousClock.now
        let refused = try topo.curl(from: topo.node, "http://10.96.0.51/", timeout: 5)
        XCTAssertEqual(refused.status, 7, "curl exit 7 = connection refused")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))

        // Unallocated service IP: dropped (times out). Known IP, unknown port: refused.
        XCTAssertEqual(try topo.curl(from: topo.node, "http://10.96.0.99/", timeout: 1).status, 28)
        XCTAssertEqual(try topo.curl(from: topo.node, "http://10.96.0.50:81/", timeout: 3).status, 7)

        // Session affinity sticks.
        let sticky = try topo.bodies(from: topo.node, "http://10.96.0.52/", count: 10)
        XCTAssertEqual(Set(sticky).count, 1, "\(sticky)")
        XCTAssertTrue(["pod-a", "pod-b"].contains(sticky[0]), "\(sticky)")
        // A periodic full resync rewrites everything in place and keeps the affinity entries.
        syncer.requestFullSync()
        XCTAssertEqual(try syncer.syncNow(applying: &model).mode, .resync)
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.52/", count: 10)), [sticky[0]])

        // NodePort on the node's address from a client namespace (masqueraded, so replies return).
        let nodePort = try topo.bodies(from: topo.client, "http://192.168.50.1:30080/", count: 20)
        XCTAssertEqual(Set(nodePort), ["pod-a", "pod-b"], "\(nodePort)")
        // ClusterIP from the client namespace (off-cluster source → masqueraded).
        XCTAssertEqual(Set(try topo.bodies(from: topo.client, "http://10.96.0.50/", count: 10))
            .subtracting(["pod-a", "pod-b"]), [])

        // Removing an endpoint: a partial sync that only touches this service.
        model.endpointSliceUpdated(old: Self.webSlice([]), new: Self.webSlice(["10.244.1.2"]))
        let partial = try syncer.syncNow(applying: &model)
        XCTAssertFalse(partial.full)
        XCTAssertEqual(partial.chainsTouched, 0, "flat layout: only map elements change (goto cluster-lb-1)")
        print("[proxy] partial sync: \(partial.messages) messages, \(partial.bytes) bytes in \(partial.duration)")
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.50/", count: 15)), ["pod-a"])
        let listed = try topo.exec(topo.node, "nft", "list", "table", "ip", "skiff-proxy")
        XCTAssertFalse(listed.contains("10.244.2.2 . 8080"), "the endpoint is gone from the endpoint maps")
        XCTAssertTrue(listed.contains("10.96.0.50 . tcp . 80 : goto cluster-lb-1"), listed)

        // Last endpoint gone: refused; back: served.
        model.endpointSliceUpdated(old: Self.webSlice([]), new: Self.webSlice([]))
        try syncer.syncNow(applying: &model)
        XCTAssertEqual(try topo.curl(from: topo.node, "http://10.96.0.50/", timeout: 3).status, 7)
        XCTAssertEqual(try topo.curl(from: topo.client, "http://192.168.50.1:30080/", timeout: 3).status, 7)
        model.endpointSliceUpdated(old: Self.webSlice([]), new: Self.webSlice(["10.244.2.2"]))
        try syncer.syncNow(applying: &model)
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.50/", count: 5)), ["pod-b"])

        // Drift: someone flushes the ruleset; a full resync repairs it.
        try topo.exec(topo.node, "nft", "flush", "ruleset")
        XCTAssertNotEqual(try topo.curl(from: topo.node, "http://10.96.0.51/", timeout: 1).status, 7)
        syncer.requestFullSync()
        let repaired = try syncer.syncNow(applying: &model)
        XCTAssertTrue(repaired.full)
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.50/", count: 5)), ["pod-b"])
        XCTAssertEqual(try topo.curl(from: topo.node, "http://10.96.0.51/", timeout: 3).status, 7)

        // Service deleted: its chains and elements go.
        model.serviceDeleted(Fixture.service("sticky", clusterIP: "10.96.0.52",
                                             ports: [ServicePort(name: "http", protocol: "TCP", port: 80)],
                                             sessionAffinity: "ClientIP"))
        let removal = try syncer.syncNow(applying: &model)
        XCTAssertFalse(removal.full)
        let after = try topo.exec(topo.node, "nft", "list", "table", "ip", "skiff-proxy")
        XCTAssertFalse(after.contains("default/sticky"), after)
        XCTAssertEqual(try topo.curl(from: topo.node, "http://10.96.0.52/", timeout: 1).status, 28, "now unallocated: dropped")

        try syncer.cleanup()
        XCTAssertFalse(try topo.exec(topo.node, "nft", "list", "tables").contains("skiff-proxy"))
    }
}
