import XCTest
@testable import ProxyDataplane

final class CategorizedEndpointsTests: XCTestCase {
    private let portName = Fixture.portName("s")

    private func service(etpLocal: Bool = false, itpLocal: Bool = false, nodePort: UInt16? = nil) -> ServicePortInfo {
        ServicePortInfo(name: portName, clusterIPs: [Fixture.ip("10.96.0.1")], port: 80, nodePort: nodePort,
                        externalPolicyLocal: etpLocal, internalPolicyLocal: itpLocal)
    }

    private func ep(_ ip: String, ready: Bool = true, serving: Bool? = nil, terminating: Bool = false,
                    local: Bool = false, hints: Set<String> = []) -> EndpointInfo {
        EndpointInfo(address: Fixture.ip(ip), port: 8080, ready: ready, serving: serving ?? ready,
                     terminating: terminating, zoneHints: hints, isLocal: local)
    }

    private func ips(_ e: [EndpointInfo]) -> [String] { e.map(\.address.description) }

    func testReadyEndpointsOnly() {
        let c = CategorizedEndpoints(endpoints: [
            ep("10.0.0.1"), ep("10.0.0.2", ready: false), ep("10.0.0.3", ready: false, serving: true, terminating: true),
        ], service: service())
        XCTAssertEqual(ips(c.cluster), ["10.0.0.1"])
        XCTAssertEqual(ips(c.allReachable), ["10.0.0.1"])
        XCTAssertTrue(c.local.isEmpty)
        XCTAssertTrue(c.hasAnyEndpoints)
    }

    func testFallsBackToServingTerminatingWhenNoneReady() {
        let c = CategorizedEndpoints(endpoints: [
            ep("10.0.0.1", ready: false),                                         // not ready, not terminating
            ep("10.0.0.2", ready: false, serving: true, terminating: true),       // draining
            ep("10.0.0.3", ready: false, serving: false, terminating: true),      // gone
        ], service: service())
        XCTAssertEqual(ips(c.cluster), ["10.0.0.2"])
        XCTAssertTrue(c.hasAnyEndpoints)
    }

    func testNothingUsable() {
        let c = CategorizedEndpoints(endpoints: [ep("10.0.0.1", ready: false)], service: service())
        XCTAssertTrue(c.cluster.isEmpty)
        XCTAssertFalse(c.hasAnyEndpoints)
        XCTAssertFalse(CategorizedEndpoints(endpoints: [], service: service()).hasAnyEndpoints)
    }

    func testExternalTrafficPolicyLocal() {
        let svc = service(etpLocal: true, nodePort: 30080)
        let c = CategorizedEndpoints(endpoints: [ep("10.0.0.1", local: true), ep("10.0.0.2")], service: svc)
        XCTAssertEqual(ips(c.cluster), ["10.0.0.1", "10.0.0.2"])
        XCTAssertEqual(ips(c.local), ["10.0.0.1"])
        XCTAssertEqual(ips(c.externalTrafficEndpoints(for: svc)), ["10.0.0.1"])
        XCTAssertEqual(ips(c.internalTrafficEndpoints(for: svc)), ["10.0.0.1", "10.0.0.2"])
        XCTAssertEqual(ips(c.allReachable), ["10.0.0.1", "10.0.0.2"])

        // No local endpoint: external traffic has nowhere to go, yet the service has endpoints
        // (so the dataplane drops rather than rejects).
        let none = CategorizedEndpoints(endpoints: [ep("10.0.0.2")], service: svc)
        XCTAssertTrue(none.local.isEmpty)
        XCTAssertTrue(none.hasAnyEndpoints)
    }

    func testInternalTrafficPolicyLocalUsesOnlyLocal() {
        let svc = service(itpLocal: true)
        let c = CategorizedEndpoints(endpoints: [ep("10.0.0.1", local: true), ep("10.0.0.2")], service: svc)
        XCTAssertTrue(c.cluster.isEmpty, "a purely internal Local service never uses cluster endpoints")
        XCTAssertEqual(ips(c.local), ["10.0.0.1"])
        XCTAssertEqual(ips(c.allReachable), ["10.0.0.1"])
        XCTAssertEqual(ips(c.internalTrafficEndpoints(for: svc)), ["10.0.0.1"])
        XCTAssertTrue(c.hasAnyEndpoints)
    }

    func testLocalFallsBackToLocalServingTerminating() {
        let svc = service(etpLocal: true, nodePort: 30080)
        let c = CategorizedEndpoints(endpoints: [
            ep("10.0.0.1", ready: false, serving: true, terminating: true, local: true),
            ep("10.0.0.2"),
        ], service: svc)
        XCTAssertEqual(ips(c.local), ["10.0.0.1"])
        XCTAssertEqual(ips(c.cluster), ["10.0.0.2"])
        XCTAssertEqual(ips(c.allReachable), ["10.0.0.1", "10.0.0.2"], "union when local uses terminating ones")
    }

    func testZoneHints() {
        let eps = [ep("10.0.0.1", hints: ["z1"]), ep("10.0.0.2", hints: ["z2"]), ep("10.0.0.3", ready: false)]
        XCTAssertEqual(ips(CategorizedEndpoints(endpoints: eps, service: service(), nodeZone: "z1").cluster), ["10.0.0.1"])
        // No endpoint hinted for this zone, or no zone: hints ignored.
        XCTAssertEqual(CategorizedEndpoints(endpoints: eps, service: service(), nodeZone: "z3").cluster.count, 2)
        XCTAssertEqual(CategorizedEndpoints(endpoints: eps, service: service()).cluster.count, 2)
        // One ready endpoint without hints: hints ignored.
        let partial = eps + [ep("10.0.0.4")]
        XCTAssertEqual(CategorizedEndpoints(endpoints: partial, service: service(), nodeZone: "z1").cluster.count, 3)
    }

    func testPerFamily() {
        let eps = [ep("10.0.0.1"), EndpointInfo(address: Fixture.ip("fd00::1"), port: 8080, ready: false)]
        let v6 = CategorizedEndpoints(endpoints: eps, service: service(), family: .ipv6)
        XCTAssertFalse(v6.hasAnyEndpoints, "the v4 endpoint's readiness does not count for v6")
        XCTAssertTrue(CategorizedEndpoints(endpoints: eps, service: service(), family: .ipv4).hasAnyEndpoints)
    }
}
