import Foundation
import KubeAPI
import Netlink
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane

/// The flat layout (shared `*-lb-N` chains, endpoints in data maps) with real connections:
/// load spread, node ports, external IPs, hairpin, endpoint changes and a full resync.
final class ProxyFlatLayoutTrafficTests: XCTestCase {
    override func tearDown() {
        let tables = (try? Shell.run(["nft", "list", "tables"])) ?? ""
        XCTAssertFalse(tables.contains("skiff-proxy"), "root namespace has a proxy table:\n\(tables)")
    }

    let config = RulesetConfig(clusterCIDRs: [IPPrefix("10.244.0.0/16")!], serviceCIDRs: [IPPrefix("10.96.0.0/12")!],
                               nodePortAddresses: [IPAddress("192.168.50.1")!])

    static func slice(_ service: String, _ ips: [String]) -> EndpointSlice {
        Fixture.slice("\(service)-1", service: service, endpoints: ips.map { Fixture.endpoint($0, node: "node-a") })
    }

    /// How often each answer came back.
    func histogram(_ answers: [String]) -> [String: Int] {
        answers.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    func testCommonServiceSpreadsLoadAndHairpins() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        // A third endpoint: a second address in pod-a (its server answers /local with the
        // address a connection arrived at), and a route for the external IP.
        try topo.exec(topo.podA, "ip", "addr", "add", "10.244.1.3/24", "dev", "eth0")
        try topo.exec(topo.client, "ip", "route", "add", "192.168.60.0/24", "via", "192.168.50.1")
        let syncer = try ProxySyncer(configs: [config], networkNamespace: topo.nodePath)
        var model = ProxyModel(config: Fixture.config())
        model.serviceAdded(Fixture.service("three", type: "NodePort", clusterIP: "10.96.0.60",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30060)],
                                           externalIPs: ["192.168.60.20"]))
        model.endpointSliceAdded(Self.slice("three", ["10.244.1.2", "10.244.1.3", "10.244.2.2"]))
        model.serviceAdded(Fixture.service("solo", clusterIP: "10.96.0.61",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80)]))
        model.endpointSliceAdded(Self.slice("solo", ["10.244.1.2"]))
        try syncer.syncNow(applying: &model)

        // The layout as nft reads it back: no chain of their own, the shared chains and maps.
        let listed = try topo.exec(topo.node, "nft", "list", "table", "ip", "skiff-proxy")
        XCTAssertFalse(listed.contains("goto service-") || listed.contains("chain endpoint-"), listed)
        XCTAssertTrue(listed.contains("10.96.0.60 . tcp . 80 : goto cluster-lb-3"), listed)
        XCTAssertTrue(listed.contains("192.168.60.20 . tcp . 80 : goto external-lb-3"), listed)
        XCTAssertTrue(listed.contains("tcp . 30060 : goto nodeport-lb-3"), listed)
        XCTAssertTrue(listed.contains("dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 3 map @cluster-endpoints"), listed)
        XCTAssertTrue(listed.contains("dnat ip to meta l4proto . th dport . numgen random mod 3 map @nodeport-endpoints"), listed)
        XCTAssertTrue(listed.contains("typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport"), listed)
        XCTAssertTrue(listed.contains("10.96.0.60 . tcp . 80 . 2 : 10.244.2.2 . 8080"), listed)
        XCTAssertTrue(listed.contains("ct status dnat ip saddr . ip daddr @hairpin"), listed)
        let json = try topo.exec(topo.node, "nft", "-j", "list", "table", "ip", "skiff-proxy")
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)), json)

        // ClusterIP from the node: ~60 connections reach each of the 3 endpoints.
        let three = ["10.244.1.2", "10.244.1.3", "10.244.2.2"]
        let spread = histogram(try topo.bodies(from: topo.node, "http://10.96.0.60/local", count: 60))
        print("[proxy-flat] 60 connections over 3 endpoints: \(spread)")
        XCTAssertEqual(Set(spread.keys), Set(three), "\(spread)")
        // NodePort and external IP from the client namespace: the same endpoints, masqueraded.
        XCTAssertEqual(Set(try topo.bodies(from: topo.client, "http://192.168.50.1:30060/local", count: 30)), Set(three))
        XCTAssertEqual(Set(try topo.bodies(from: topo.client, "http://192.168.60.20/local", count: 30)), Set(three))
        XCTAssertTrue(Set(try topo.bodies(from: topo.client, "http://192.168.50.1:30060/ip", count: 10))
            .isSubset(of: ["10.244.1.1", "10.244.2.1"]), "external traffic is masqueraded to the node")
        // The cluster IP from off-cluster: masqueraded too; from a pod: the pod's own address.
        XCTAssertTrue(Set(try topo.bodies(from: topo.client, "http://10.96.0.60/ip", count: 10))
            .isSubset(of: ["10.244.1.1", "10.244.2.1"]))
        XCTAssertEqual(try topo.curl(from: topo.podB, "http://10.96.0.61/ip").body, "10.244.2.2")

        // Hairpin: pod-a → ClusterIP → pod-a sees the node's address (masqueraded so the
        // reply comes back through the node).
        XCTAssertEqual(Set(try topo.bodies(from: topo.podA, "http://10.96.0.61/ip", count: 5)), ["10.244.1.1"])
        // pod-b through "three": hairpinned to itself (node address) or sent to pod-a (own address).
        let fromB = histogram(try topo.bodies(from: topo.podB, "http://10.96.0.60/ip", count: 30))
        XCTAssertEqual(Set(fromB.keys), ["10.244.2.1", "10.244.2.2"], "\(fromB)")

        // An endpoint replaced, same count: map elements only, no chain touched.
        model.endpointSliceUpdated(old: Self.slice("solo", []), new: Self.slice("solo", ["10.244.2.2"]))
        let replaced = try syncer.syncNow(applying: &model)
        XCTAssertEqual(replaced.mode, .partial)
        XCTAssertEqual(replaced.chainsTouched, 0)
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.61/local", count: 5)), ["10.244.2.2"])
        XCTAssertEqual(Set(try topo.bodies(from: topo.podB, "http://10.96.0.61/ip", count: 5)), ["10.244.2.1"], "hairpin")
        XCTAssertEqual(try topo.curl(from: topo.podA, "http://10.96.0.61/ip").body, "10.244.1.2", "no longer hairpin")

        // Endpoint count 3 → 2: the frontend moves to cluster-lb-2.
        model.endpointSliceUpdated(old: Self.slice("three", []), new: Self.slice("three", ["10.244.1.3", "10.244.2.2"]))
        let shrunk = try syncer.syncNow(applying: &model)
        XCTAssertEqual(shrunk.chainsTouched, 0)
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.60/local", count: 30)), ["10.244.1.3", "10.244.2.2"])
        XCTAssertEqual(Set(try topo.bodies(from: topo.client, "http://192.168.50.1:30060/local", count: 30)),
                       ["10.244.1.3", "10.244.2.2"])

        // A full resync (flush, refill the maps, rules re-added while they are empty) keeps it working.
        let resync = try syncer.syncNow(applying: &model, full: true)
        XCTAssertEqual(resync.mode, .resync)
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.60/local", count: 30)), ["10.244.1.3", "10.244.2.2"])
        XCTAssertEqual(Set(try topo.bodies(from: topo.podB, "http://10.96.0.61/ip", count: 3)), ["10.244.2.1"])

        // Last endpoints gone: rejected at once; the elements leave the maps.
        model.endpointSliceUpdated(old: Self.slice("three", []), new: Self.slice("three", []))
        try syncer.syncNow(applying: &model)
        XCTAssertEqual(try topo.curl(from: topo.node, "http://10.96.0.60/", timeout: 3).status, 7)
        XCTAssertEqual(try topo.curl(from: topo.client, "http://192.168.50.1:30060/", timeout: 3).status, 7)
        let after = try topo.exec(topo.node, "nft", "list", "table", "ip", "skiff-proxy")
        XCTAssertFalse(after.contains("10.96.0.60 . tcp . 80 . "), after)
        XCTAssertFalse(after.contains("tcp . 30060 . "), after)
        try syncer.cleanup()
    }

    /// Past `maxSharedEndpoints` a service gets its own chains again; both layouts carry
    /// traffic side by side, and a service moves between them as its endpoints change.
    func testServicesMoveBetweenSharedAndDedicatedChains() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        try topo.exec(topo.podA, "ip", "addr", "add", "10.244.1.3/24", "dev", "eth0")
        var small = config
        small.maxSharedEndpoints = 2
        let syncer = try ProxySyncer(configs: [small], networkNamespace: topo.nodePath)
        var model = ProxyModel(config: Fixture.config())
        model.serviceAdded(Fixture.service("web", clusterIP: "10.96.0.62", ports: [ServicePort(name: "http", protocol: "TCP", port: 80)]))
        model.endpointSliceAdded(Self.slice("web", ["10.244.1.2", "10.244.2.2"]))
        try syncer.syncNow(applying: &model)
        XCTAssertTrue(try topo.exec(topo.node, "nft", "list", "map", "ip", "skiff-proxy", "service-ips")
            .contains("goto cluster-lb-2"))
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.62/local", count: 30)), ["10.244.1.2", "10.244.2.2"])

        model.endpointSliceUpdated(old: Self.slice("web", []), new: Self.slice("web", ["10.244.1.2", "10.244.1.3", "10.244.2.2"]))
        let grown = try syncer.syncNow(applying: &model)
        XCTAssertEqual(grown.mode, .partial)
        let listed = try topo.exec(topo.node, "nft", "list", "table", "ip", "skiff-proxy")
        XCTAssertTrue(listed.contains("goto service-"), listed)
        XCTAssertFalse(listed.contains("10.96.0.62 . tcp . 80 . 0"), "left the endpoint map: \(listed)")
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.62/local", count: 60)),
                       ["10.244.1.2", "10.244.1.3", "10.244.2.2"])
        XCTAssertEqual(try topo.curl(from: topo.podB, "http://10.96.0.62/ip").body.isEmpty, false)

        model.endpointSliceUpdated(old: Self.slice("web", []), new: Self.slice("web", ["10.244.2.2"]))
        try syncer.syncNow(applying: &model)
        let back = try topo.exec(topo.node, "nft", "list", "table", "ip", "skiff-proxy")
        XCTAssertFalse(back.contains("goto service-") || back.contains("chain endpoint-"), back)
        XCTAssertTrue(back.contains("goto cluster-lb-1"), back)
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.62/local", count: 5)), ["10.244.2.2"])
        try syncer.cleanup()
    }
}
