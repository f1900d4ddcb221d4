import XCTest
import KubeAPI
@testable import ProxyDataplane
import Netlink

final class ChangeTrackingTests: XCTestCase {
    /// A model holding `count` services web-0… each with one slice of two endpoints, applied.
    private func populated(_ count: Int) -> ProxyModel {
        var model = ProxyModel(config: Fixture.config())
        for i in 0..<count {
            model.serviceAdded(Fixture.service("web-\(i)", clusterIP: "10.96.\(i / 250).\(i % 250 + 1)"))
            model.endpointSliceAdded(Fixture.slice("web-\(i)-a", service: "web-\(i)", endpoints: [
                Fixture.endpoint("10.244.\(i / 250).\(i % 250 + 1)"), Fixture.endpoint("10.245.\(i / 250).\(i % 250 + 1)"),
            ]))
        }
        let first = model.apply()
        XCTAssertEqual(first.changedServicePorts.count, count)
        XCTAssertFalse(model.hasPendingChanges)
        return model
    }

    func testOnlyChangedServicePortsAreReported() {
        var model = populated(300)
        XCTAssertEqual(model.services.count, 300)
        XCTAssertEqual(model.endpoints.endpointCount, 600)

        // A new endpoint for one service.
        XCTAssertTrue(model.endpointSliceUpdated(
            old: Fixture.slice("web-7-a", service: "web-7", endpoints: []),
            new: Fixture.slice("web-7-a", service: "web-7", endpoints: [
                Fixture.endpoint("10.244.0.8"), Fixture.endpoint("10.245.0.8"), Fixture.endpoint("10.246.0.8"),
            ])))
        // A port change for another.
        let old = Fixture.service("web-9", clusterIP: "10.96.0.10")
        var new = old
        new.spec?.ports = [ServicePort(name: "http", port: 8080)]
        XCTAssertTrue(model.serviceUpdated(old: old, new: new))

        let update = model.apply()
        XCTAssertEqual(update.changedServicePorts, [Fixture.portName("web-7"), Fixture.portName("web-9")])
        XCTAssertEqual(update.changedServices, [ServiceName(namespace: "default", name: "web-7"),
                                                ServiceName(namespace: "default", name: "web-9")])
        XCTAssertEqual(update.endpoints.previous[Fixture.portName("web-7")]?.count, 2)
        XCTAssertEqual(model.endpoints[Fixture.portName("web-7")].count, 3)
        XCTAssertEqual(update.services.previous[Fixture.portName("web-9")]??.port, 80)
        XCTAssertEqual(model.services[Fixture.portName("web-9")]?.port, 8080)
        XCTAssertTrue(update.udpConntrackCleanups.isEmpty) // TCP only
        XCTAssertTrue(update.services.addedPorts.isEmpty)

        // Nothing pending: an empty apply.
        XCTAssertTrue(model.apply().isEmpty)
    }

    func testNoOpUpdatesAreDropped() {
        var model = populated(3)
        let old = Fixture.service("web-1", clusterIP: "10.96.0.2")
        var new = old
        new.metadata?.annotations = ["touched": "yes"]          // nothing the proxy programs
        new.status = ServiceStatus(conditions: [])
        XCTAssertFalse(model.serviceUpdated(old: old, new: new))

        let slice = Fixture.slice("web-1-a", service: "web-1", endpoints: [
            Fixture.endpoint("10.245.0.2"), Fixture.endpoint("10.244.0.2"), // same endpoints, other order
        ])
        var relabelled = slice
        relabelled.metadata?.annotations = ["endpoints.kubernetes.io/last-change-trigger-time": "now"]
        XCTAssertFalse(model.endpointSliceUpdated(old: slice, new: relabelled))
        XCTAssertTrue(model.apply().isEmpty)
    }

    func testChangeThenRevertBeforeSyncCancels() {
        var model = populated(2)
        let a = Fixture.service("web-0", clusterIP: "10.96.0.1")
        var b = a
        b.spec?.sessionAffinity = "ClientIP"
        XCTAssertTrue(model.serviceUpdated(old: a, new: b))
        XCTAssertFalse(model.serviceUpdated(old: b, new: a))

        let s1 = Fixture.slice("web-0-a", service: "web-0", endpoints: [Fixture.endpoint("10.244.0.1"),
                                                                        Fixture.endpoint("10.245.0.1")])
        let s2 = Fixture.slice("web-0-a", service: "web-0", endpoints: [Fixture.endpoint("10.244.0.1")])
        XCTAssertTrue(model.endpointSliceUpdated(old: s1, new: s2))
        XCTAssertFalse(model.endpointSliceUpdated(old: s2, new: s1))
        XCTAssertTrue(model.apply().isEmpty)
    }

    func testBurstsCoalesceIntoOneChange() {
        var model = populated(1)
        var previous = Fixture.service("web-0", clusterIP: "10.96.0.1")
        for port in Int32(81)...Int32(90) {
            var next = previous
            next.spec?.ports = [ServicePort(name: "http", port: port)]
            model.serviceUpdated(old: previous, new: next)
            previous = next
        }
        XCTAssertEqual(model.serviceChanges.pendingCount, 1)
        let update = model.apply()
        XCTAssertEqual(update.services.previous[Fixture.portName("web-0")]??.port, 80)
        XCTAssertEqual(model.services[Fixture.portName("web-0")]?.port, 90)
    }

    func testServiceDeletionAndSliceDeletion() {
        var model = populated(2)
        model.serviceDeleted(Fixture.service("web-0", clusterIP: "10.96.0.1"))
        model.endpointSliceDeleted(Fixture.slice("web-0-a", service: "web-0", endpoints: []))
        let update = model.apply()
        XCTAssertEqual(update.changedServicePorts, [Fixture.portName("web-0")])
        XCTAssertNil(model.services[Fixture.portName("web-0")])
        XCTAssertTrue(model.endpoints[Fixture.portName("web-0")].isEmpty)
        XCTAssertEqual(model.services.count, 1)
        XCTAssertEqual(model.endpoints.endpointCount, 2)
    }

    func testServiceBecomingHeadlessRemovesItsPorts() {
        var model = populated(1)
        let old = Fixture.service("web-0", clusterIP: "10.96.0.1")
        let headless = Fixture.service("web-0", clusterIP: "None")
        model.serviceUpdated(old: old, new: headless)
        let update = model.apply()
        XCTAssertEqual(update.services.previous.count, 1)
        XCTAssertTrue(model.services.isEmpty)
    }

    func testSliceMovingToAnotherServiceLeavesTheOld() {
        var model = ProxyModel(config: Fixture.config())
        model.serviceAdded(Fixture.service("a", clusterIP: "10.96.0.1"))
        model.serviceAdded(Fixture.service("b", clusterIP: "10.96.0.2"))
        let slice = Fixture.slice("shared", service: "a", endpoints: [Fixture.endpoint("10.244.0.1")])
        model.endpointSliceAdded(slice)
        _ = model.apply()
        XCTAssertEqual(model.endpoints[Fixture.portName("a")].count, 1)

        let moved = Fixture.slice("shared", service: "b", endpoints: [Fixture.endpoint("10.244.0.1")])
        model.endpointSliceUpdated(old: slice, new: moved)
        let update = model.apply()
        XCTAssertEqual(update.changedServicePorts, [Fixture.portName("a"), Fixture.portName("b")])
        XCTAssertTrue(model.endpoints[Fixture.portName("a")].isEmpty)
        XCTAssertEqual(model.endpoints[Fixture.portName("b")].count, 1)

        // The delete event may carry any label: the tracker knows where the slice is.
        model.endpointSliceDeleted(Fixture.slice("shared", service: "a", endpoints: []))
        _ = model.apply()
        XCTAssertTrue(model.endpoints[Fixture.portName("b")].isEmpty)
    }

    func testProblemsFollowASliceThatMoves() {
        var tracker = EndpointSliceChangeTracker(config: Fixture.config())
        var map = EndpointsMap()
        let bad = [Fixture.endpoint("10.244.0.1"), Fixture.endpoint("garbage")]
        tracker.add(Fixture.slice("s", service: "a", endpoints: bad))
        _ = tracker.apply(to: &map)
        let key = EndpointSliceKey(namespace: "default", name: "s")
        XCTAssertEqual(tracker.problems[key], [.invalidAddress("garbage")])
        tracker.update(Fixture.slice("s", service: "b", endpoints: bad))
        _ = tracker.apply(to: &map)
        XCTAssertEqual(tracker.problems[key], [.invalidAddress("garbage")])
        tracker.delete(Fixture.slice("s", service: "b", endpoints: []))
        _ = tracker.apply(to: &map)
        XCTAssertNil(tracker.problems[key])
    }

    func testEndpointsBeforeTheirServiceAreKeptButNotReportedAsRules() {
        var model = ProxyModel(config: Fixture.config())
        model.endpointSliceAdded(Fixture.slice("late-a", service: "late", endpoints: [Fixture.endpoint("10.244.0.1")]))
        let first = model.apply()
        XCTAssertTrue(first.changedServicePorts.isEmpty)
        XCTAssertEqual(first.endpoints.changedPorts, [Fixture.portName("late")])
        model.serviceAdded(Fixture.service("late", clusterIP: "10.96.0.1"))
        let second = model.apply()
        XCTAssertEqual(second.changedServicePorts, [Fixture.portName("late")])
        XCTAssertEqual(model.categorizedEndpoints(for: Fixture.portName("late"), family: .ipv4)?.cluster.count, 1)
    }

    func testSkippedServicesAreTrackedAndDoNotBlockOthers() {
        var model = ProxyModel(config: Fixture.config())
        let bad = Fixture.service("bad", clusterIP: "10.96.0.999")
        model.serviceAdded(bad)
        model.serviceAdded(Fixture.service("good", clusterIP: "10.96.0.2"))
        let update = model.apply()
        XCTAssertEqual(update.changedServicePorts, [Fixture.portName("good")])
        XCTAssertEqual(update.services.skips.map(\.reason.code), ["InvalidClusterIP"])
        XCTAssertEqual(model.serviceChanges.skipped.keys.map(\.name), ["bad"])

        // Fixed: programmed, and no longer counted as skipped.
        model.serviceUpdated(old: bad, new: Fixture.service("bad", clusterIP: "10.96.0.9"))
        XCTAssertEqual(model.apply().changedServicePorts, [Fixture.portName("bad")])
        XCTAssertTrue(model.serviceChanges.skipped.isEmpty)
    }

    func testInformerChangesAreAccepted() {
        var model = ProxyModel(config: Fixture.config())
        XCTAssertTrue(model.record(ObjectChange<ProxyService>.added(ProxyService(Fixture.service("s")))))
        XCTAssertTrue(model.record(ObjectChange<ProxyEndpointSlice>.added(
            ProxyEndpointSlice(Fixture.slice("s-a", service: "s", endpoints: [Fixture.endpoint("10.244.0.1")])))))
        let added = model.apply()
        XCTAssertEqual(added.changedServicePorts, [Fixture.portName("s")])
        XCTAssertEqual(added.services.addedPorts, [Fixture.portName("s")])
        model.record(ObjectChange<ProxyService>.deleted(ProxyService(Fixture.service("s"))))
        XCTAssertTrue(model.apply().changedServicePorts.contains(Fixture.portName("s")))
    }

    func testHealthCheckNodePortsAndLocalReadyCounts() {
        var model = ProxyModel(config: Fixture.config())
        model.serviceAdded(Fixture.service("lb", type: "LoadBalancer",
                                           ports: [ServicePort(name: "http", port: 80, nodePort: 30080),
                                                   ServicePort(name: "https", port: 443, nodePort: 30443)],
                                           externalTrafficPolicy: "Local", healthCheckNodePort: 32100))
        model.endpointSliceAdded(Fixture.slice("lb-a", service: "lb",
            ports: [EndpointPort(name: "http", port: 8080), EndpointPort(name: "https", port: 8443)],
            endpoints: [Fixture.endpoint("10.244.0.1", node: "node-a"),
                        Fixture.endpoint("10.244.0.2", ready: false, serving: true, terminating: true, node: "node-a"),
                        Fixture.endpoint("10.244.1.1", node: "node-b")]))
        _ = model.apply()
        let lb = ServiceName(namespace: "default", name: "lb")
        XCTAssertEqual(model.services.healthCheckNodePorts(), [lb: 32100])
        XCTAssertEqual(model.endpoints.localReadyEndpoints(), [lb: 1]) // by IP, ready only
    }
}
