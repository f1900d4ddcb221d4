import Foundation
import KubeAPI
import Netlink
import Overlay
import SkiffTestSupport
import XCTest

/// The component's Node → peers → reconcile path (no API server: `sync(nodes:)` is fed Node
/// objects as the informer would), doing its netlink work inside a testbed node's namespace.
final class OverlaySyncTests: XCTestCase {
    private func node(_ test: OverlayTestbed.TestNode, annotated: Bool = true) -> Node {
        Node(metadata: ObjectMeta(name: test.name, annotations: annotated ? [
                OverlayAnnotations.vtepMAC: test.mac.description, OverlayAnnotations.publicIP: test.ip,
             ] : nil),
             spec: NodeSpec(podCIDR: test.podCIDR.description),
             status: NodeStatus(addresses: [NodeAddress(type: "InternalIP", address: test.ip)]))
    }

    func testSyncFromNodeObjects() async throws {
        try await withTestbed { bed in
            let (n1, n2, n3) = (bed.nodes[0], bed.nodes[1], bed.nodes[2])
            for node in bed.nodes { try node.ensureDevice() }
            let client = try KubeClient(config: KubeClientConfig(server: "https://127.0.0.1:1"))
            let overlay = Overlay(client: client, config: OverlayConfig(
                nodeName: n1.name, namespace: try NetworkNamespace(named: n1.namespace)))
            // Self is skipped, node3 has no annotations yet: only node2 is a peer.
            await overlay.sync(nodes: [node(n1), node(n2), node(n3, annotated: false)])
            XCTAssertEqual(try n1.exec("ip", "route", "show", "dev", "skiff.1").trimmingCharacters(in: .whitespacesAndNewlines),
                           "10.244.2.0/24 via 10.244.2.0 proto 77 onlink")
            try n2.reconcile([n1])
            XCTAssertTrue(n1.ping(n2))
            // node3 publishes its annotations.
            await overlay.sync(nodes: [node(n1), node(n2), node(n3)])
            try n3.reconcile([n1])
            XCTAssertTrue(n1.ping(n3))
            // node2 is deleted.
            await overlay.sync(nodes: [node(n1), node(n3)])
            let fdb = try n1.exec("bridge", "fdb", "show", "dev", "skiff.1")
            XCTAssertFalse(fdb.contains(n2.mac.description), fdb)
            XCTAssertTrue(fdb.contains(n3.mac.description), fdb)
            XCTAssertFalse(n1.ping(n2))
            try? await client.shutdown()
        }
    }

    /// A Node event touches that node's entries only (no dump-and-diff of the whole table):
    /// an entry added by hand survives events for other nodes, and the resync removes it.
    func testNodeEventsAreAppliedOneNodeAtATime() async throws {
        try await withTestbed { bed in
            let (n1, n2, n3) = (bed.nodes[0], bed.nodes[1], bed.nodes[2])
            for node in bed.nodes { try node.ensureDevice() }
            let client = try KubeClient(config: KubeClientConfig(server: "https://127.0.0.1:1"))
            let overlay = Overlay(client: client, config: OverlayConfig(
                nodeName: n1.name, namespace: try NetworkNamespace(named: n1.namespace)))
            await overlay.sync(nodes: [node(n1), node(n2)])
            try n1.exec("bridge", "fdb", "append", "02:00:00:00:00:99", "dev", "skiff.1", "dst", "192.168.60.99")
            func fdb() throws -> String { try n1.exec("bridge", "fdb", "show", "dev", "skiff.1") }

            await overlay.update(nodeNamed: n3.name, to: node(n3))
            try n3.reconcile([n1])
            XCTAssertTrue(n1.ping(n3))
            XCTAssertTrue(try fdb().contains("02:00:00:00:00:99"), "an event for node3 leaves other entries alone")

            // node2's VTEP MAC changes: its neighbour and FDB entry follow, nothing stale stays.
            let oldMAC = n2.mac
            n2.mac = MACAddress("02:00:00:00:02:02")!
            await overlay.update(nodeNamed: n2.name, to: node(n2))
            XCTAssertFalse(try fdb().contains(oldMAC.description))
            XCTAssertTrue(try fdb().contains("02:00:00:00:02:02 dst \(n2.ip)"))
            XCTAssertTrue(try n1.exec("ip", "neigh", "show", "dev", "skiff.1").contains("10.244.2.0 lladdr 02:00:00:00:02:02"))

            // node3 is deleted: its route, FDB entry and neighbour go.
            await overlay.update(nodeNamed: n3.name, to: nil)
            XCTAssertFalse(try fdb().contains(n3.mac.description))
            XCTAssertFalse(try n1.exec("ip", "route", "show", "dev", "skiff.1").contains("10.244.3.0"))
            XCTAssertFalse(n1.ping(n3))

            await overlay.sync(nodes: [node(n1), node(n2)])
            XCTAssertFalse(try fdb().contains("02:00:00:00:00:99"), "the resync removes what nobody wants")
            try? await client.shutdown()
        }
    }

    /// OverlayTestbed.with for async bodies (the testbed work itself is synchronous).
    private func withTestbed(_ body: (OverlayTestbed) async throws -> Void) async throws {
        let bed = try OverlayTestbed.make(nodes: 3)
        do {
            try await body(bed)
        } catch {
            bed.tearDown()
            throw error
        }
        bed.tearDown()
    }
}
