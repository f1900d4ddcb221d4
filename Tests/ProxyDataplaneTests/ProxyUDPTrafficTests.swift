import Foundation
import KubeAPI
import Netlink
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane

/// UDP through the programmed rules, and the conntrack clean-up that keeps a UDP client working
/// when its endpoint goes away: UDP has no connection end, so without the clean-up the client's
/// conntrack entry keeps DNATing every datagram from the same source port to the old endpoint.
final class ProxyUDPTrafficTests: XCTestCase {
    override func tearDown() {
        let tables = (try? Shell.run(["nft", "list", "tables"])) ?? ""
        XCTAssertFalse(tables.contains("skiff-proxy"), "root namespace has a proxy table:\n\(tables)")
    }

    private let podA = "10.244.1.2", podB = "10.244.2.2"

    private static func dnsSlice(_ ips: [String]) -> EndpointSlice {
        Fixture.slice("dns-1", service: "dns", ports: [EndpointPort(name: "dns", port: 5353, protocol: "UDP")],
                      endpoints: ips.map { Fixture.endpoint($0, node: "node-a") })
    }

    /// One client socket: a frontend and a fixed source port.
    private struct Flow: Hashable, CustomStringConvertible {
        var host: String
        var port: UInt16
        var sourcePort: UInt16
        var description: String { "\(sourcePort) → \(host):\(port)" }
    }

    /// `conntrack -L -p udp` in the node namespace with extra filters; one line per entry.
    private func entries(_ topo: ProxyTopology, _ filters: String...) throws -> [String] {
        let r = try Shell.status(["ip", "netns", "exec", topo.node, "conntrack", "-L", "-p", "udp"] + filters)
        guard r.status == 0 else { throw TestFailure("conntrack -L: \(r.error)") }
        return r.output.split(separator: "\n").map(String.init)
    }

    func testUDPClientKeepsWorkingAcrossAnEndpointChange() throws {
        let topo = try ProxyTopology()
        defer { topo.tearDown() }
        try topo.startUDPServers(port: 5353)
        let config = RulesetConfig(clusterCIDRs: [IPPrefix("10.244.0.0/16")!], serviceCIDRs: [IPPrefix("10.96.0.0/12")!],
                                   nodePortAddresses: [IPAddress("192.168.50.1")!])
        let syncer = try ProxySyncer(configs: [config], networkNamespace: topo.nodePath)
        var model = ProxyModel(config: Fixture.config())
        model.serviceAdded(Fixture.service("dns", type: "NodePort", clusterIP: "10.96.0.60",
                                           ports: [ServicePort(name: "dns", protocol: "UDP", port: 53, nodePort: 30053)]))
        model.endpointSliceAdded(Self.dnsSlice([podA, podB]))
        let added = model.apply()
        try syncer.syncNow(model: model, update: added)
        // A new service asks for a scan of its frontends (entries made before its rules existed).
        let firstScan = try syncer.cleanUpStaleUDPConntrack(UDPConntrackCleanupPlan(added.udpConntrackCleanups),
                                                            families: [.ipv4])
        XCTAssertEqual(firstScan.deleted, 0, "\(firstScan)")

        // Client flows to the ClusterIP and to the NodePort, each from its own fixed source port,
        // until each frontend has flows pinned to both pods.
        var pinned: [Flow: String] = [:]
        var nextPort: UInt16 = 41000
        for (host, port) in [("10.96.0.60", UInt16(53)), ("192.168.50.1", UInt16(30053))] {
            var seen: Set<String> = []
            for _ in 0..<40 where seen.count < 2 {
                let flow = Flow(host: host, port: port, sourcePort: nextPort)
                nextPort += 1
                let answer = try topo.udpRequest(from: topo.client, to: host, port: port, sourcePort: flow.sourcePort)
                XCTAssertTrue(["pod-a", "pod-b"].contains(answer), "\(flow): \(answer)")
                pinned[flow] = answer
                seen.insert(answer)
            }
            XCTAssertEqual(seen, ["pod-a", "pod-b"], "\(host):\(port) balances over both pods")
        }
        // Conntrack pins each flow to its endpoint.
        for (flow, answer) in pinned {
            XCTAssertEqual(try topo.udpRequest(from: topo.client, to: flow.host, port: flow.port, sourcePort: flow.sourcePort),
                           answer, "\(flow) stays on its endpoint")
        }
        let toA = pinned.filter { $0.value == "pod-a" }.map(\.key)
        let toB = pinned.filter { $0.value == "pod-b" }.map(\.key)

        // pod-a leaves the service (its server keeps running, as a terminating pod's might).
        model.endpointSliceUpdated(old: Self.dnsSlice([podA, podB]), new: Self.dnsSlice([podB]))
        let update = model.apply()
        XCTAssertFalse(try syncer.syncNow(model: model, update: update).full)
        XCTAssertEqual(Set(update.udpConntrackCleanups.map(\.frontend)),
                       [.serviceIP(IPAddress("10.96.0.60")!, port: 53), .nodePort(30053, family: .ipv4)])

        // Without the clean-up the old entries persist, and a flow pinned to pod-a still reaches
        // it although the rules no longer name it; a new source port already meets the new rules.
        XCTAssertEqual(try entries(topo, "-d", "10.96.0.60", "--reply-src", podA).count,
                       toA.filter { $0.port == 53 }.count)
        XCTAssertEqual(try entries(topo, "--dport", "30053", "--reply-src", podA).count,
                       toA.filter { $0.port == 30053 }.count)
        let stale = try XCTUnwrap(toA.first)
        XCTAssertEqual(try topo.udpRequest(from: topo.client, to: stale.host, port: stale.port, sourcePort: stale.sourcePort),
                       "pod-a", "the stale entry still DNATs to the removed endpoint")
        XCTAssertEqual(try topo.udpRequest(from: topo.client, to: "10.96.0.60", port: 53, sourcePort: 42000), "pod-b")
        let bEntriesBefore = try entries(topo, "--reply-src", podB).filter { !$0.contains("dport=5353 ") }.count

        // The clean-up removes exactly the entries toward pod-a.
        let report = try syncer.cleanUpStaleUDPConntrack(UDPConntrackCleanupPlan(update.udpConntrackCleanups),
                                                         families: [.ipv4])
        print("[proxy] UDP conntrack clean-up: \(report)")
        XCTAssertEqual(report.deleted, toA.count, "\(report)")
        XCTAssertEqual(report.alreadyGone, 0)
        XCTAssertGreaterThanOrEqual(report.scanned, pinned.count + 1)
        XCTAssertEqual(try entries(topo, "-d", "10.96.0.60", "--reply-src", podA), [])
        XCTAssertEqual(try entries(topo, "--dport", "30053", "--reply-src", podA), [])
        XCTAssertEqual(try entries(topo, "--reply-src", podB).filter { !$0.contains("dport=5353 ") }.count, bEntriesBefore,
                       "entries toward the serving endpoint are kept")

        // The same source ports now reach the remaining endpoint.
        for flow in toA + toB {
            XCTAssertEqual(try topo.udpRequest(from: topo.client, to: flow.host, port: flow.port, sourcePort: flow.sourcePort),
                           "pod-b", "\(flow) after the clean-up")
        }
        // Nothing stale is left: a second run finds nothing to delete.
        let again = try syncer.cleanUpStaleUDPConntrack(UDPConntrackCleanupPlan(update.udpConntrackCleanups),
                                                        families: [.ipv4])
        XCTAssertEqual(again.deleted, 0, "\(again)")

        try syncer.cleanup()
    }
}
