import Foundation
import KubeAPI
import Netlink
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane

/// IPv6 through the `ip6` table: the same layout as IPv4, with real traffic.
final class ProxyIPv6TrafficTests: XCTestCase {
    override func tearDown() {
        let tables = (try? Shell.run(["nft", "list", "tables"])) ?? ""
        XCTAssertFalse(tables.contains("skiff-proxy"), "root namespace has a proxy table:\n\(tables)")
    }

    func testIPv6ClusterIPNodePortAndRejectCarryRealTraffic() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        try topo.addIPv6()
        let v4 = RulesetConfig(family: .ipv4, clusterCIDRs: [IPPrefix("10.244.0.0/16")!],
                               serviceCIDRs: [IPPrefix("10.96.0.0/12")!], nodePortAddresses: [IPAddress("192.168.50.1")!])
        let v6 = RulesetConfig(family: .ipv6, clusterCIDRs: [IPPrefix("fd00::/60")!],
                               serviceCIDRs: [IPPrefix("fd00:96::/112")!], nodePortAddresses: [IPAddress("fd00:50::1")!])
        let syncer = try ProxySyncer(configs: [v4, v6], networkNamespace: topo.nodePath)
        var model = ProxyModel(config: Fixture.config(families: [.ipv4, .ipv6]))
        let v6Port = [EndpointPort(name: "http", port: 8081, protocol: "TCP")]
        model.serviceAdded(Fixture.service("web6", type: "NodePort", clusterIP: "fd00:96::10",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30081)]))
        model.endpointSliceAdded(Fixture.slice("web6-1", service: "web6", addressType: "IPv6", ports: v6Port,
                                               endpoints: [Fixture.endpoint("fd00:1::2"), Fixture.endpoint("fd00:2::2")]))
        model.serviceAdded(Fixture.service("empty6", clusterIP: "fd00:96::11"))
        try syncer.syncNow(applying: &model)

        // ClusterIP from the client namespace, through the node: both endpoints.
        let bodies = try topo.bodies(from: topo.client, "http://[fd00:96::10]/", count: 30)
        XCTAssertEqual(Set(bodies), ["pod-a", "pod-b"], "\(bodies)")
        // NodePort on the node's IPv6 address.
        let nodePort = try topo.bodies(from: topo.client, "http://[fd00:50::1]:30081/", count: 20)
        XCTAssertEqual(Set(nodePort), ["pod-a", "pod-b"], "\(nodePort)")
        // No endpoints: rejected at once (TCP reset), not dropped.
        XCTAssertEqual(try topo.curl(from: topo.client, "http://[fd00:96::11]/", timeout: 5).status, 7)
        // An unallocated address of the IPv6 service CIDR is dropped.
        XCTAssertEqual(try topo.curl(from: topo.client, "http://[fd00:96::99]/", timeout: 1).status, 28)
        // Off-cluster client: masqueraded (the pod sees the node's address, not the client's).
        let seen = try topo.curl(from: topo.client, "http://[fd00:96::10]/ip").body
        XCTAssertTrue(seen.hasPrefix("fd00:1::1") || seen.hasPrefix("fd00:2::1"), seen)

        // Removing an endpoint: new connections go to the other only.
        model.endpointSliceUpdated(
            old: Fixture.slice("web6-1", service: "web6", addressType: "IPv6", ports: v6Port,
                               endpoints: [Fixture.endpoint("fd00:1::2"), Fixture.endpoint("fd00:2::2")]),
            new: Fixture.slice("web6-1", service: "web6", addressType: "IPv6", ports: v6Port,
                               endpoints: [Fixture.endpoint("fd00:2::2")]))
        let partial = try syncer.syncNow(applying: &model)
        XCTAssertFalse(partial.full)
        XCTAssertEqual(Set(try topo.bodies(from: topo.client, "http://[fd00:96::10]/", count: 15)), ["pod-b"])
        try syncer.cleanup()
    }
}
