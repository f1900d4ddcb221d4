import Foundation
import KubeAPI
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane
import Netlink

/// The same layout in an `ip6` table: programmed by the kernel and read back with nft.
final class ProxyDualStackTests: XCTestCase {
    func testDualStackTablesCommit() async throws {
        let name = "skp-ds-" + String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
        try Shell.run(["ip", "netns", "add", name])
        defer { _ = try? Shell.status(["ip", "netns", "del", name]) }
        let cidrs = [IPPrefix("10.244.0.0/16")!, IPPrefix("fd00:10:244::/56")!]
        let serviceCIDRs = [IPPrefix("10.96.0.0/12")!, IPPrefix("fd00:96::/112")!]
        let configs = [IPFamily.ipv4, .ipv6].map {
            RulesetConfig(family: $0, clusterCIDRs: cidrs, serviceCIDRs: serviceCIDRs,
                          nodePortAddresses: [IPAddress("192.168.50.1")!, IPAddress("fd00:50::1")!, IPAddress("::1")!])
        }
        let syncer = try ProxySyncer(configs: configs, networkNamespace: "/var/run/netns/\(name)")
        var model = ProxyModel(config: Fixture.config(families: [.ipv4, .ipv6]))
        model.serviceAdded(Fixture.service("web", type: "NodePort", clusterIP: "10.96.0.50",
                                           clusterIPs: ["10.96.0.50", "fd00:96::50"],
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30080)],
                                           sessionAffinity: "ClientIP"))
        model.endpointSliceAdded(Fixture.slice("web-4", service: "web", endpoints: [Fixture.endpoint("10.244.1.2")]))
        model.endpointSliceAdded(Fixture.slice("web-6", service: "web", addressType: "IPv6",
                                               endpoints: [Fixture.endpoint("fd00:10:244:1::2"), Fixture.endpoint("fd00:10:244:2::2")]))
        let report = try syncer.syncNow(applying: &model)
        XCTAssertTrue(report.full)
        let v6 = try Shell.run(["ip", "netns", "exec", name, "nft", "list", "table", "ip6", "skiff-proxy"])
        XCTAssertTrue(v6.contains("fd00:96::50 . tcp . 80 : goto service-"), v6)
        XCTAssertTrue(v6.contains("dnat to [fd00:10:244:2::2]:8080"), v6)
        XCTAssertTrue(v6.contains("ip6 daddr fd00:96::/112 drop"), v6)
        XCTAssertTrue(v6.contains("update @affinity-"), v6)
        let nodePortIPs = try Shell.run(["ip", "netns", "exec", name, "nft", "list", "set", "ip6", "skiff-proxy", "nodeport-ips"])
        XCTAssertTrue(nodePortIPs.contains("elements = { fd00:50::1 }"), "loopback is no NodePort address: \(nodePortIPs)")
        let v4 = try Shell.run(["ip", "netns", "exec", name, "nft", "list", "table", "ip", "skiff-proxy"])
        XCTAssertTrue(v4.contains("10.96.0.50 . tcp . 80 : goto service-"), v4)
        XCTAssertFalse(v4.contains("fd00"), v4)

        // A v6-only endpoint change touches only the ip6 table.
        model.endpointSliceUpdated(old: Fixture.slice("web-6", service: "web", addressType: "IPv6", endpoints: []),
                                   new: Fixture.slice("web-6", service: "web", addressType: "IPv6",
                                                      endpoints: [Fixture.endpoint("fd00:10:244:1::2")]))
        let update = model.apply()
        let partial = try await syncer.sync(model: model, update: update)
        XCTAssertFalse(partial.full)
        XCTAssertFalse(try Shell.run(["ip", "netns", "exec", name, "nft", "list", "table", "ip6", "skiff-proxy"])
            .contains("fd00:10:244:2::2"))
        try syncer.cleanup()
        XCTAssertEqual(try Shell.run(["ip", "netns", "exec", name, "nft", "list", "tables"]), "")
        print("[proxy-ds] dual-stack partial sync: \(partial.messages) messages, mode \(partial.mode)")
    }
}
