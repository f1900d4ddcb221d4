import XCTest
import KubeAPI
@testable import ProxyDataplane

final class ConntrackCleanupTests: XCTestCase {
    private let dnsPorts = [ServicePort(name: "dns", protocol: "UDP", port: 53),
                            ServicePort(name: "dns-tcp", protocol: "TCP", port: 53)]
    private let slicePorts = [EndpointPort(name: "dns", port: 5353, protocol: "UDP"),
                              EndpointPort(name: "dns-tcp", port: 5353, protocol: "TCP")]
    private var udp: ServicePortName { Fixture.portName("dns", "dns", .udp) }

    private func dnsModel(_ endpoints: [Endpoint]) -> ProxyModel {
        var model = ProxyModel(config: Fixture.config())
        model.serviceAdded(Fixture.service("dns", type: "NodePort", clusterIP: "10.96.0.10",
                                           ports: [ServicePort(name: "dns", protocol: "UDP", port: 53, nodePort: 30053),
                                                   ServicePort(name: "dns-tcp", protocol: "TCP", port: 53)],
                                           externalIPs: ["198.51.100.53"]))
        model.endpointSliceAdded(Fixture.slice("dns-a", service: "dns", ports: slicePorts, endpoints: endpoints))
        return model
    }

    private func sliceUpdate(_ model: inout ProxyModel, _ old: [Endpoint], _ new: [Endpoint]) -> ProxyModelUpdate {
        model.endpointSliceUpdated(old: Fixture.slice("dns-a", service: "dns", ports: slicePorts, endpoints: old),
                                   new: Fixture.slice("dns-a", service: "dns", ports: slicePorts, endpoints: new))
        return model.apply()
    }

    func testNewUDPServiceAsksForAScanOfItsFrontends() {
        var model = dnsModel([Fixture.endpoint("10.244.0.5")])
        let update = model.apply()
        // Entries created while the service had no rules were never DNATed: only a scan finds them.
        XCTAssertEqual(Set(update.udpConntrackCleanups.map(\.frontend)), [
            .serviceIP(Fixture.ip("10.96.0.10"), port: 53), .serviceIP(Fixture.ip("198.51.100.53"), port: 53),
            .nodePort(30053, family: .ipv4),
        ])
        XCTAssertTrue(update.udpConntrackCleanups.allSatisfy { $0.requiresScan && $0.servicePort == udp })
    }

    func testEndpointThatStopsServingIsStale() {
        let a = Fixture.endpoint("10.244.0.5"), b = Fixture.endpoint("10.244.0.6")
        var model = dnsModel([a, b])
        _ = model.apply()

        let update = sliceUpdate(&model, [a, b], [a, Fixture.endpoint("10.244.0.6", ready: false, serving: false)])
        XCTAssertEqual(update.changedServicePorts, [udp, Fixture.portName("dns", "dns-tcp", .tcp)])
        XCTAssertEqual(update.udpConntrackCleanups.count, 3) // cluster IP, external IP, node port; UDP only
        for cleanup in update.udpConntrackCleanups {
            XCTAssertEqual(cleanup.stoppedServing, [Fixture.ip("10.244.0.6")])
            XCTAssertEqual(cleanup.servingEndpoints, [Fixture.ip("10.244.0.5")])
            XCTAssertFalse(cleanup.requiresScan)
            XCTAssertTrue(cleanup.isStale(replySource: Fixture.ip("10.244.0.6")))
            XCTAssertFalse(cleanup.isStale(replySource: Fixture.ip("10.244.0.5")))
        }
        let plan = UDPConntrackCleanupPlan(update.udpConntrackCleanups)
        XCTAssertTrue(plan.shouldDelete(originalDestination: Fixture.ip("10.96.0.10"), originalDestinationPort: 53,
                                        replySource: Fixture.ip("10.244.0.6")))
        XCTAssertFalse(plan.shouldDelete(originalDestination: Fixture.ip("10.96.0.10"), originalDestinationPort: 53,
                                         replySource: Fixture.ip("10.244.0.5")))
        XCTAssertTrue(plan.shouldDelete(originalDestination: Fixture.ip("192.168.1.10"), originalDestinationPort: 30053,
                                        replySource: Fixture.ip("10.244.0.6")))
        XCTAssertFalse(plan.shouldDelete(originalDestination: Fixture.ip("10.96.0.11"), originalDestinationPort: 53,
                                         replySource: Fixture.ip("10.244.0.6")), "another service is not touched")
    }

    func testTerminatingButServingEndpointIsNotStale() {
        let a = Fixture.endpoint("10.244.0.5"), b = Fixture.endpoint("10.244.0.6")
        var model = dnsModel([a, b])
        _ = model.apply()
        let draining = Fixture.endpoint("10.244.0.6", ready: false, serving: true, terminating: true)
        let update = sliceUpdate(&model, [a, b], [a, draining])
        XCTAssertFalse(update.changedServicePorts.isEmpty)
        XCTAssertTrue(update.udpConntrackCleanups.isEmpty, "serving endpoints keep their flows, as upstream")
    }

    func testLastEndpointGoingAwayLeavesEntriesAndNoEndpoints() {
        let a = Fixture.endpoint("10.244.0.5")
        var model = dnsModel([a])
        _ = model.apply()
        let update = sliceUpdate(&model, [a], [])
        XCTAssertEqual(update.changedServicePorts, [udp, Fixture.portName("dns", "dns-tcp", .tcp)])
        XCTAssertTrue(model.endpoints[udp].isEmpty)
        // Upstream: a service without serving endpoints needs no conntrack clean-up.
        XCTAssertTrue(update.udpConntrackCleanups.isEmpty)
        let c = model.categorizedEndpoints(for: udp, family: .ipv4)
        XCTAssertEqual(c?.hasAnyEndpoints, false) // the dataplane rejects new connections
        XCTAssertEqual(c?.allReachable, [])

        // A new endpoint arrives: entries made while it had none (never DNATed) must go.
        let back = sliceUpdate(&model, [], [Fixture.endpoint("10.244.0.9")])
        XCTAssertEqual(back.udpConntrackCleanups.count, 3)
        XCTAssertTrue(back.udpConntrackCleanups.allSatisfy { $0.requiresScan && $0.stoppedServing.isEmpty })
        XCTAssertTrue(UDPConntrackCleanupPlan(back.udpConntrackCleanups).shouldDelete(
            originalDestination: Fixture.ip("10.96.0.10"), originalDestinationPort: 53,
            replySource: Fixture.ip("10.96.0.10")), "an un-DNATed entry replies from the service IP itself")
    }

    func testEndpointReplacedInOneSyncIsStale() {
        let a = Fixture.endpoint("10.244.0.5")
        var model = dnsModel([a])
        _ = model.apply()
        let update = sliceUpdate(&model, [a], [Fixture.endpoint("10.244.0.7")])
        XCTAssertEqual(update.udpConntrackCleanups.map(\.stoppedServing), Array(repeating: [Fixture.ip("10.244.0.5")], count: 3))
    }

    func testRemovedServiceListsItsUDPFrontends() {
        var model = dnsModel([Fixture.endpoint("10.244.0.5")])
        _ = model.apply()
        model.serviceDeleted(Fixture.service("dns"))
        let update = model.apply()
        XCTAssertEqual(Set(update.removedUDPFrontends), [
            .serviceIP(Fixture.ip("10.96.0.10"), port: 53), .serviceIP(Fixture.ip("198.51.100.53"), port: 53),
            .nodePort(30053, family: .ipv4),
        ])
        XCTAssertTrue(update.udpConntrackCleanups.isEmpty)
    }

    func testChangedExternalIPGetsAScan() {
        var model = dnsModel([Fixture.endpoint("10.244.0.5")])
        _ = model.apply()
        let old = Fixture.service("dns", type: "NodePort", clusterIP: "10.96.0.10",
                                  ports: [ServicePort(name: "dns", protocol: "UDP", port: 53, nodePort: 30053),
                                          ServicePort(name: "dns-tcp", protocol: "TCP", port: 53)],
                                  externalIPs: ["198.51.100.53"])
        var new = old
        new.spec?.externalIPs = ["198.51.100.54"]
        model.serviceUpdated(old: old, new: new)
        let update = model.apply()
        XCTAssertEqual(update.udpConntrackCleanups.map(\.frontend), [.serviceIP(Fixture.ip("198.51.100.54"), port: 53)])
        XCTAssertEqual(update.removedUDPFrontends, [.serviceIP(Fixture.ip("198.51.100.53"), port: 53)])
    }

    func testFullPlanMatchesUpstreamReconcile() {
        var model = dnsModel([Fixture.endpoint("10.244.0.5"), Fixture.endpoint("10.244.0.6", ready: false)])
        model.serviceAdded(Fixture.service("empty", clusterIP: "10.96.0.20",
                                           ports: [ServicePort(name: "u", protocol: "UDP", port: 99)]))
        _ = model.apply()
        let plan = UDPConntrackCleanupPlan.full(services: model.services, endpoints: model.endpoints, families: [.ipv4])
        XCTAssertTrue(plan.shouldDelete(originalDestination: Fixture.ip("10.96.0.10"), originalDestinationPort: 53,
                                        replySource: Fixture.ip("10.244.0.6")))
        XCTAssertFalse(plan.shouldDelete(originalDestination: Fixture.ip("10.96.0.10"), originalDestinationPort: 53,
                                         replySource: Fixture.ip("10.244.0.5")))
        XCTAssertFalse(plan.shouldDelete(originalDestination: Fixture.ip("10.96.0.20"), originalDestinationPort: 99,
                                         replySource: Fixture.ip("10.244.9.9")), "no serving endpoints: left alone")
    }
}
