import Foundation
import KubeAPI
import Netlink
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane

/// Traffic policies, hairpin and failure handling, with real connections in namespaces.
final class ProxyPolicyTrafficTests: XCTestCase {
    override func tearDown() {
        let tables = (try? Shell.run(["nft", "list", "tables"])) ?? ""
        XCTAssertFalse(tables.contains("skiff-proxy"), "root namespace has a proxy table:\n\(tables)")
    }

    let config = RulesetConfig(clusterCIDRs: [IPPrefix("10.244.0.0/16")!], serviceCIDRs: [IPPrefix("10.96.0.0/12")!],
                               nodePortAddresses: [IPAddress("192.168.50.1")!])

    static func webSlice(_ ips: [String]) -> EndpointSlice {
        Fixture.slice("web-1", service: "web", endpoints: ips.map { Fixture.endpoint($0, node: "node-a") })
    }

    func testLocalPolicyAndHairpin() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        let syncer = try ProxySyncer(configs: [config], networkNamespace: topo.nodePath)
        var model = ProxyModel(config: Fixture.config())
        model.serviceAdded(Fixture.service("web", type: "NodePort", clusterIP: "10.96.0.50",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30080)]))
        model.endpointSliceAdded(Self.webSlice(["10.244.1.2", "10.244.2.2"]))
        // Local policy: pod-a is on this node (node-a), pod-b elsewhere.
        model.serviceAdded(Fixture.service("local", type: "NodePort", clusterIP: "10.96.0.53",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30081)],
                                           externalTrafficPolicy: "Local"))
        model.endpointSliceAdded(Fixture.slice("local-1", service: "local", endpoints: [
            Fixture.endpoint("10.244.1.2", node: "node-a"), Fixture.endpoint("10.244.2.2", node: "node-b")]))
        // Local policy without a local endpoint.
        model.serviceAdded(Fixture.service("remote", type: "NodePort", clusterIP: "10.96.0.54",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30082)],
                                           externalTrafficPolicy: "Local"))
        model.endpointSliceAdded(Fixture.slice("remote-1", service: "remote", endpoints: [
            Fixture.endpoint("10.244.2.2", node: "node-b")]))
        try syncer.syncNow(applying: &model)

        // Local: only the local endpoint, and the client's address reaches it unchanged.
        XCTAssertEqual(Set(try topo.bodies(from: topo.client, "http://192.168.50.1:30081/", count: 15)), ["pod-a"])
        XCTAssertEqual(try topo.curl(from: topo.client, "http://192.168.50.1:30081/ip").body, "192.168.50.2")
        // Cluster policy: the client is masqueraded to the node.
        let seen = Set(try topo.bodies(from: topo.client, "http://192.168.50.1:30080/ip", count: 10))
        XCTAssertTrue(seen.isSubset(of: ["10.244.1.1", "10.244.2.1"]), "\(seen)")
        // Local without a local endpoint: dropped, not rejected (other nodes may serve it).
        XCTAssertEqual(try topo.curl(from: topo.client, "http://192.168.50.1:30082/", timeout: 1).status, 28)
        // ...while its cluster IP still works (cluster policy inside).
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.54/", count: 3)), ["pod-b"])

        // Hairpin: pod-a reaches itself through the service (masqueraded so the reply comes back).
        let hairpin = try topo.bodies(from: topo.podA, "http://10.96.0.50/", count: 20)
        XCTAssertEqual(Set(hairpin), ["pod-a", "pod-b"], "\(hairpin)")

        let json = try topo.exec(topo.node, "nft", "-j", "list", "map", "ip", "skiff-proxy", "no-endpoint-nodeports")
        XCTAssertTrue(json.contains("30082") && json.contains("drop"), json)
        try syncer.cleanup()
    }

    func testLoadBalancerSourceRanges() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        try topo.exec(topo.client, "ip", "route", "add", "192.168.60.0/24", "via", "192.168.50.1")
        let syncer = try ProxySyncer(configs: [config], networkNamespace: topo.nodePath)
        var model = ProxyModel(config: Fixture.config())
        func lb(_ name: String, ip: String, vip: String, ranges: [String]) -> Service {
            Fixture.service(name, type: "LoadBalancer", clusterIP: ip,
                            ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: name == "open" ? 30090 : 30091)],
                            sourceRanges: ranges, ingress: [LoadBalancerIngress(ip: vip)])
        }
        model.serviceAdded(lb("open", ip: "10.96.0.70", vip: "192.168.60.10", ranges: ["192.168.50.0/24"]))
        model.serviceAdded(lb("closed", ip: "10.96.0.71", vip: "192.168.60.11", ranges: ["10.0.0.0/8", "172.16.0.0/12"]))
        for name in ["open", "closed"] {
            model.endpointSliceAdded(Fixture.slice("\(name)-1", service: name, endpoints: [Fixture.endpoint("10.244.1.2")]))
        }
        try syncer.syncNow(applying: &model)
        XCTAssertEqual(try topo.curl(from: topo.client, "http://192.168.60.10/").body, "pod-a", "source in range")
        XCTAssertEqual(try topo.curl(from: topo.client, "http://192.168.60.11/", timeout: 1).status, 28, "source out of range: dropped")
        // The ranges restrict the LB address only, as upstream: the cluster IP stays open.
        XCTAssertEqual(try topo.curl(from: topo.node, "http://10.96.0.71/").body, "pod-a")
        try syncer.cleanup()
    }

    func testFailedBatchKeepsOldRulesAndDriftIsRepairedInTheSameSync() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        let syncer = try ProxySyncer(configs: [config], networkNamespace: topo.nodePath)
        var model = ProxyModel(config: Fixture.config())
        model.serviceAdded(Fixture.service("web", clusterIP: "10.96.0.50",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80)]))
        model.endpointSliceAdded(Self.webSlice(["10.244.1.2", "10.244.2.2"]))
        model.serviceAdded(Fixture.service("other", clusterIP: "10.96.0.55",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80)]))
        model.endpointSliceAdded(Fixture.slice("other-1", service: "other", endpoints: [Fixture.endpoint("10.244.2.2")]))
        try syncer.syncNow(applying: &model)
        XCTAssertFalse(syncer.nextSyncIsFull)

        // A transaction the kernel refuses changes nothing, not even its valid part: the old
        // rules keep serving. (Our own batches' atomicity is in NetlinkTests.ErrorTests.)
        let before = try topo.exec(topo.node, "nft", "list", "table", "ip", "skiff-proxy")
        let refused = try Shell.status(["ip", "netns", "exec", topo.node, "nft",
            "delete element ip skiff-proxy service-ips { 10.96.0.55 . tcp . 80 } ; "
            + "add element ip skiff-proxy service-ips { 10.96.0.99 . tcp . 80 : goto no-such-chain }"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(try topo.exec(topo.node, "nft", "list", "table", "ip", "skiff-proxy"), before)
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.55/", count: 3)), ["pod-b"])

        // Drift the kernel so the next partial batch fails (the element it will delete is
        // gone): the syncer sees the refusal, finds no service to blame, and repairs
        // everything with a full resync in the same call.
        try topo.exec(topo.node, "nft", "delete", "element", "ip", "skiff-proxy", "service-ips", "{ 10.96.0.50 . tcp . 80 }")
        model.endpointSliceUpdated(old: Self.webSlice(["10.244.1.2", "10.244.2.2"]), new: Self.webSlice([]))
        model.serviceAdded(Fixture.service("new", clusterIP: "10.96.0.56",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80)]))
        model.endpointSliceAdded(Fixture.slice("new-1", service: "new", endpoints: [Fixture.endpoint("10.244.1.2")]))
        let report = try syncer.syncNow(applying: &model)
        XCTAssertTrue(report.full, "repaired by a full resync")
        XCTAssertTrue(report.rejected.isEmpty, "drift is not bad input: \(report.rejected)")
        XCTAssertEqual(try topo.curl(from: topo.node, "http://10.96.0.50/", timeout: 3).status, 7, "no endpoints: refused")
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.56/", count: 3)), ["pod-a"])
        XCTAssertEqual(Set(try topo.bodies(from: topo.node, "http://10.96.0.55/", count: 3)), ["pod-b"])
        try syncer.cleanup()
    }
}
