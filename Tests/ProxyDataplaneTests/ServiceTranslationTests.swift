import XCTest
import KubeAPI
@testable import ProxyDataplane
import Netlink

final class ServiceTranslationTests: XCTestCase {
    private func translate(_ s: Service, families: Set<IPFamily> = [.ipv4]) -> ServiceTranslation {
        ServiceTranslation(s, families: families)!
    }

    func testClusterIPService() throws {
        let t = translate(Fixture.service("web", ports: [
            ServicePort(name: "http", port: 80, targetPort: "web"),
            ServicePort(name: "dns", protocol: "UDP", port: 53, targetPort: 5353),
            ServicePort(name: "sig", protocol: "SCTP", port: 9999),
        ]))
        XCTAssertEqual(t.skips, [])
        XCTAssertNil(t.notProxied)
        XCTAssertEqual(t.ports.count, 3)
        let http = try XCTUnwrap(t.ports[Fixture.portName("web")])
        XCTAssertEqual(http.clusterIPs, [Fixture.ip("10.96.0.10")])
        XCTAssertEqual(http.port, 80)
        XCTAssertEqual(http.protocol, .tcp) // absent protocol is TCP
        XCTAssertNil(http.nodePort)
        XCTAssertEqual(http.sessionAffinity, .none)
        XCTAssertFalse(http.externallyAccessible)
        XCTAssertTrue(http.usesClusterEndpoints)
        XCTAssertFalse(http.usesLocalEndpoints)
        XCTAssertEqual(t.ports[Fixture.portName("web", "dns", .udp)]?.port, 53)
        XCTAssertEqual(t.ports[Fixture.portName("web", "sig", .sctp)]?.protocol.ipProtocolNumber, 132)
        XCTAssertEqual(http.description, "10.96.0.10:80/TCP")
    }

    func testNodePortService() throws {
        let t = translate(Fixture.service("np", type: "NodePort",
                                          ports: [ServicePort(name: "http", port: 80, nodePort: 30080)],
                                          externalTrafficPolicy: "Local"))
        let info = try XCTUnwrap(t.ports[Fixture.portName("np")])
        XCTAssertEqual(info.nodePort, 30080)
        XCTAssertTrue(info.externallyAccessible)
        XCTAssertTrue(info.externalPolicyLocal)
        XCTAssertNil(info.healthCheckNodePort) // only LoadBalancers get a health check port
        XCTAssertTrue(info.usesLocalEndpoints)
        XCTAssertTrue(info.usesClusterEndpoints) // short-circuit for pods on this node
    }

    func testLoadBalancerServiceHonoursIPModeAndSourceRanges() throws {
        let t = translate(Fixture.service(
            "lb", type: "LoadBalancer", ports: [ServicePort(name: "https", port: 443, nodePort: 31443)],
            sourceRanges: ["192.168.0.0/16", " 10.1.2.3/8 ", "fd00::/8"],
            externalTrafficPolicy: "Local", healthCheckNodePort: 32000,
            ingress: [
                LoadBalancerIngress(ip: "203.0.113.10"),                 // unset ipMode = VIP
                LoadBalancerIngress(ip: "203.0.113.11", ipMode: "VIP"),
                LoadBalancerIngress(ip: "203.0.113.12", ipMode: "Proxy"), // the LB proxies: no rules here
                LoadBalancerIngress(hostname: "lb.example.com"),          // hostname-only: nothing
                LoadBalancerIngress(ip: "2001:db8::1"),                   // family the node does not run
                LoadBalancerIngress(ip: "203.0.113.10"),                  // duplicate
            ]))
        XCTAssertEqual(t.skips, [])
        let info = try XCTUnwrap(t.ports[Fixture.portName("lb", "https")])
        XCTAssertEqual(info.loadBalancerVIPs, [Fixture.ip("203.0.113.10"), Fixture.ip("203.0.113.11")])
        XCTAssertEqual(info.loadBalancerSourceRanges.map(\.description), ["192.168.0.0/16", "10.0.0.0/8"])
        XCTAssertEqual(info.nodePort, 31443)
        XCTAssertEqual(info.healthCheckNodePort, 32000)
        XCTAssertTrue(info.externalPolicyLocal)
    }

    func testExternalIPsAndSessionAffinity() throws {
        let t = translate(Fixture.service("ext", externalIPs: ["198.51.100.7", "", "198.51.100.7", "2001:db8::7"],
                                          sessionAffinity: "ClientIP", externalTrafficPolicy: "Local"))
        let info = try XCTUnwrap(t.ports[Fixture.portName("ext")])
        XCTAssertEqual(info.externalIPs, [Fixture.ip("198.51.100.7")])
        XCTAssertEqual(info.sessionAffinity, .clientIP(timeoutSeconds: 10_800)) // the API default
        // A ClusterIP service with external IPs is externally accessible, so Local applies.
        XCTAssertTrue(info.externalPolicyLocal)

        let custom = translate(Fixture.service("ext", sessionAffinity: "ClientIP", affinityTimeout: 60))
        XCTAssertEqual(custom.ports.first?.value.sessionAffinity.timeoutSeconds, 60)

        // externalTrafficPolicy means nothing for a ClusterIP service without external IPs.
        let internalOnly = translate(Fixture.service("in", externalTrafficPolicy: "Local", internalTrafficPolicy: "Local"))
        XCTAssertFalse(internalOnly.ports.first!.value.externalPolicyLocal)
        XCTAssertTrue(internalOnly.ports.first!.value.internalPolicyLocal)
        XCTAssertFalse(internalOnly.ports.first!.value.usesClusterEndpoints)
    }

    func testDualStackKeepsOnlyTheNodesFamilies() throws {
        let s = Fixture.service("ds", clusterIPs: ["fd00:10:96::10", "10.96.0.20"],
                                externalIPs: ["198.51.100.1", "2001:db8::1"], sourceRanges: ["10.0.0.0/8", "fd00::/8"])
        let v4 = translate(s)
        XCTAssertEqual(v4.ports.first?.value.clusterIPs, [Fixture.ip("10.96.0.20")])
        XCTAssertEqual(v4.ports.first?.value.externalIPs, [Fixture.ip("198.51.100.1")])

        let both = translate(s, families: [.ipv4, .ipv6])
        let info = try XCTUnwrap(both.ports.first?.value)
        XCTAssertEqual(info.clusterIPs.map(\.description), ["fd00:10:96::10", "10.96.0.20"]) // primary first
        XCTAssertEqual(info.clusterIP(for: .ipv6)?.description, "fd00:10:96::10")
        XCTAssertEqual(info.externalIPs(for: .ipv6).map(\.description), ["2001:db8::1"])
        XCTAssertEqual(info.loadBalancerSourceRanges(for: .ipv4).map(\.description), ["10.0.0.0/8"])
        XCTAssertEqual(info.families, [.ipv6, .ipv4])
    }

    func testHeadlessAndExternalNameProgramNothing() {
        let headless = translate(Fixture.service("h", clusterIP: "None"))
        XCTAssertEqual(headless.notProxied, .headless)
        XCTAssertTrue(headless.ports.isEmpty)
        XCTAssertTrue(headless.skips.isEmpty) // by design, not an error

        let external = translate(Fixture.service("x", type: "ExternalName", clusterIP: nil, externalName: "example.com"))
        XCTAssertEqual(external.notProxied, .externalName)
        XCTAssertTrue(external.ports.isEmpty)

        let unallocated = translate(Fixture.service("u", clusterIP: nil))
        XCTAssertEqual(unallocated.notProxied, .noClusterIP)
        XCTAssertTrue(unallocated.skips.isEmpty)
    }

    func testBadServicesAreSkippedWithReasons() {
        func reasons(_ s: Service, families: Set<IPFamily> = [.ipv4]) -> [String] {
            let t = translate(s, families: families)
            return t.skips.map { ($0.portName.map { "\($0):" } ?? "") + $0.reason.code }
        }
        XCTAssertEqual(reasons(Fixture.service("a", clusterIP: "10.96.0.300")), ["InvalidClusterIP"])
        XCTAssertEqual(reasons(Fixture.service("b", clusterIP: "fd00::10")), ["IPFamilyNotOnNode"])
        XCTAssertEqual(reasons(Fixture.service("c", externalIPs: ["not-an-ip"])), ["InvalidExternalIP"])
        XCTAssertEqual(reasons(Fixture.service("d", sourceRanges: ["10.0.0.0/99"])), ["InvalidSourceRange"])
        XCTAssertEqual(reasons(Fixture.service("e", ingress: [LoadBalancerIngress(ip: "lb!")])), ["InvalidLoadBalancerIP"])
        XCTAssertEqual(reasons(Fixture.service("f", sessionAffinity: "ClientIP", affinityTimeout: 0)),
                       ["InvalidSessionAffinityTimeout"])
        // Per-port problems skip just that port.
        let s = Fixture.service("g", type: "NodePort", ports: [
            ServicePort(name: "zero", port: 0),
            ServicePort(name: "big", port: 70_000),
            ServicePort(name: "none"),
            ServicePort(name: "icmp", protocol: "ICMP", port: 1),
            ServicePort(name: "lower", protocol: "tcp", port: 2),
            ServicePort(name: "badnp", port: 3, nodePort: 99_999),
            ServicePort(name: "ok", port: 80, nodePort: 30080),
            ServicePort(name: "ok", protocol: "UDP", port: 81),  // other protocol: a distinct ServicePortName, as upstream
            ServicePort(name: "ok", port: 82),
            ServicePort(name: "again", port: 80),
            ServicePort(name: "np-again", port: 83, nodePort: 30080),
        ])
        XCTAssertEqual(reasons(s), [
            "zero:InvalidPort", "big:InvalidPort", "none:InvalidPort", "icmp:UnsupportedProtocol",
            "lower:UnsupportedProtocol", "badnp:InvalidNodePort", "ok:DuplicatePortName", "again:DuplicatePort",
            "np-again:DuplicateNodePort",
        ])
        let t = translate(s)
        XCTAssertEqual(Set(t.ports.keys), [Fixture.portName("g", "ok"), Fixture.portName("g", "ok", .udp)])
        XCTAssertEqual(t.skips.first?.description, "service default/g port zero skipped: port 0 is outside 1…65535")
    }

    func testObjectsWithoutNameAreNotTranslated() {
        XCTAssertNil(ServiceTranslation(Service(metadata: ObjectMeta(name: "x"), spec: ServiceSpec()), families: [.ipv4]))
    }
}
