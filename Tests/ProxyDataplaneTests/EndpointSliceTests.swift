import XCTest
import KubeAPI
@testable import ProxyDataplane
import Netlink

final class EndpointSliceTests: XCTestCase {
    private func endpoints(after slices: [EndpointSlice], config: ProxyModelConfig = Fixture.config())
        -> EndpointsMap {
        var tracker = EndpointSliceChangeTracker(config: config)
        for s in slices { tracker.add(s) }
        var map = EndpointsMap()
        _ = tracker.apply(to: &map)
        return map
    }

    func testSlicesOfOneServiceAreMergedAndDeduplicated() {
        let map = endpoints(after: [
            Fixture.slice("web-abc", service: "web", endpoints: [
                Fixture.endpoint("10.244.1.5"), Fixture.endpoint("10.244.1.6"),
            ]),
            Fixture.slice("web-def", service: "web", endpoints: [
                Fixture.endpoint("10.244.2.7"),
                Fixture.endpoint("10.244.1.5", ready: false), // stale copy while moving between slices
            ]),
            Fixture.slice("other-xyz", service: "other", endpoints: [Fixture.endpoint("10.244.3.1")]),
        ])
        let web = map[Fixture.portName("web")]
        XCTAssertEqual(web.map(\.description), ["10.244.1.5:8080", "10.244.1.6:8080", "10.244.2.7:8080"])
        XCTAssertTrue(web.allSatisfy(\.ready), "the ready copy of a duplicated endpoint wins")
        XCTAssertEqual(map[Fixture.portName("other")].count, 1)
        XCTAssertEqual(map.endpointCount, 4)
    }

    func testNamedTargetPortsResolvePerSlicePort() {
        // targetPort "web" resolved by the slice controller to different numbers on different
        // pods: two slices, same port name, different numbers. Matching is by name + protocol.
        let map = endpoints(after: [
            Fixture.slice("web-1", service: "web",
                          ports: [EndpointPort(name: "http", port: 8080, protocol: "TCP"),
                                  EndpointPort(name: "dns", port: 5353, protocol: "UDP")],
                          endpoints: [Fixture.endpoint("10.244.1.5")]),
            Fixture.slice("web-2", service: "web",
                          ports: [EndpointPort(name: "http", port: 9090)], // protocol defaults to TCP
                          endpoints: [Fixture.endpoint("10.244.2.5")]),
        ])
        XCTAssertEqual(map[Fixture.portName("web", "http")].map(\.description), ["10.244.1.5:8080", "10.244.2.5:9090"])
        XCTAssertEqual(map[Fixture.portName("web", "dns", .udp)].map(\.description), ["10.244.1.5:5353"])
        XCTAssertTrue(map[Fixture.portName("web", "dns", .tcp)].isEmpty)
    }

    func testUnnamedPort() {
        let map = endpoints(after: [Fixture.slice("s-1", service: "s", ports: [EndpointPort(port: 80)],
                                                  endpoints: [Fixture.endpoint("10.244.1.1")])])
        XCTAssertEqual(map[Fixture.portName("s", "")].count, 1)
    }

    func testConditionDefaults() {
        let map = endpoints(after: [Fixture.slice("s-1", service: "s", endpoints: [
            Fixture.endpoint("10.0.0.1", ready: nil, serving: nil, terminating: nil),  // all unknown
            Fixture.endpoint("10.0.0.2", ready: false, serving: nil, terminating: true), // serving defers to ready
            Fixture.endpoint("10.0.0.3", ready: false, serving: true, terminating: true),
            Endpoint(addresses: ["10.0.0.4"]), // no conditions at all
        ])])
        let e = map[Fixture.portName("s")]
        XCTAssertEqual(e.map { [$0.ready, $0.serving, $0.terminating] }, [
            [true, true, false], [false, false, true], [false, true, true], [true, true, false],
        ])
    }

    func testLocalityZoneAndHints() {
        let map = endpoints(after: [Fixture.slice("s-1", service: "s", endpoints: [
            Fixture.endpoint("10.0.0.1", node: "node-a", zone: "z1", hints: ["z1"]),
            Fixture.endpoint("10.0.0.2", node: "node-b", zone: "z2"),
            Fixture.endpoint("10.0.0.3", node: nil),
        ])])
        let e = map[Fixture.portName("s")]
        XCTAssertEqual(e.map(\.isLocal), [true, false, false])
        XCTAssertEqual(e[0].nodeName, "node-a")
        XCTAssertEqual(e[0].zone, "z1")
        XCTAssertEqual(e[0].zoneHints, ["z1"])
        // Without a node name nothing is local.
        let anonymous = endpoints(after: [Fixture.slice("s-1", service: "s", endpoints: [
            Fixture.endpoint("10.0.0.1", node: "")])], config: ProxyModelConfig(nodeName: ""))
        XCTAssertFalse(anonymous[Fixture.portName("s")][0].isLocal)
    }

    func testSlicesNotForTheProxyAreIgnoredAndBadPartsReported() {
        var tracker = EndpointSliceChangeTracker(config: Fixture.config())
        XCTAssertFalse(tracker.add(Fixture.slice("fqdn", service: "s", addressType: "FQDN",
                                                 endpoints: [Endpoint(addresses: ["example.com"])])))
        XCTAssertFalse(tracker.add(Fixture.slice("nolabel", service: nil, endpoints: [Fixture.endpoint("10.0.0.1")])))
        XCTAssertFalse(tracker.add(Fixture.slice("v6", service: "s", addressType: "IPv6",
                                                 endpoints: [Fixture.endpoint("fd00::1")])))
        XCTAssertTrue(tracker.add(Fixture.slice("bad", service: "s",
            ports: [EndpointPort(name: "http", port: 8080), EndpointPort(name: "zero", port: 0),
                    EndpointPort(name: "icmp", port: 1, protocol: "ICMP")],
            endpoints: [Fixture.endpoint("10.0.0.1"), Fixture.endpoint("nope"), Fixture.endpoint("fd00::2"),
                        Endpoint(addresses: [])])))
        var map = EndpointsMap()
        _ = tracker.apply(to: &map)
        XCTAssertEqual(map[Fixture.portName("s")].map(\.description), ["10.0.0.1:8080"])
        XCTAssertEqual(tracker.problems[EndpointSliceKey(namespace: "default", name: "bad")]?.map(\.code),
                       ["InvalidPort", "UnsupportedProtocol", "InvalidAddress", "AddressFamilyMismatch", "MissingAddress"])
    }

    func testDualStackNodeKeepsBothFamilies() {
        let map = endpoints(after: [
            Fixture.slice("s-v4", service: "s", endpoints: [Fixture.endpoint("10.0.0.1")]),
            Fixture.slice("s-v6", service: "s", addressType: "IPv6", endpoints: [Fixture.endpoint("fd00::1")]),
        ], config: Fixture.config(families: [.ipv4, .ipv6]))
        XCTAssertEqual(map[Fixture.portName("s")].map(\.description), ["10.0.0.1:8080", "[fd00::1]:8080"])
    }
}
