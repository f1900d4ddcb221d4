import Foundation
import KubeAPI
import Netlink
import Overlay
import SkiffTestSupport
import XCTest

/// The overlay's VXLAN device and reconciler against the real kernel, between node namespaces
/// joined by a bridge (see OverlayTestbed), checked with `ip -j`, `bridge -j` and real pings.
final class OverlayRoutesTests: XCTestCase {
    typealias TestNode = OverlayTestbed.TestNode

    /// (neighbour address → MAC) on skiff.1, from `ip -j neigh`.
    private func neighbours(_ node: TestNode) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in try node.json("ip", "-j", "neigh", "show", "dev", "skiff.1") {
            result[entry["dst"] as? String ?? "?"] = entry["lladdr"] as? String ?? "-"
            XCTAssertTrue((entry["state"] as? [String] ?? []).contains("PERMANENT"), "\(entry)")
        }
        return result
    }

    /// "MAC dst IP" entries on skiff.1, from `bridge -j fdb`.
    private func fdb(_ node: TestNode) throws -> Set<String> {
        Set(try node.json("bridge", "-j", "fdb", "show", "dev", "skiff.1").compactMap { entry in
            guard let dst = entry["dst"] as? String else { return nil }
            return "\(entry["mac"] as? String ?? "?") dst \(dst)"
        })
    }

    /// "DST via GATEWAY [onlink]" routes on a device, from `ip -j route`.
    private func routes(_ node: TestNode, dev: String = "skiff.1") throws -> Set<String> {
        Set(try node.json("ip", "-j", "route", "show", "dev", dev).compactMap { entry in
            guard let gateway = entry["gateway"] as? String else { return nil }
            let onlink = (entry["flags"] as? [String] ?? []).contains("onlink")
            return "\(entry["dst"] as? String ?? "?") via \(gateway)" + (onlink ? " onlink" : "")
        })
    }

    private func assertProgrammed(_ node: TestNode, for peers: [TestNode], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try neighbours(node), Dictionary(uniqueKeysWithValues: peers.map { ("10.244.\($0.subnet).0", $0.mac.description) }),
                       file: file, line: line)
        XCTAssertEqual(try fdb(node), Set(peers.map { "\($0.mac) dst \($0.ip)" }), file: file, line: line)
        XCTAssertEqual(try routes(node), Set(peers.map { "10.244.\($0.subnet).0/24 via 10.244.\($0.subnet).0 onlink" }),
                       file: file, line: line)
    }

    func testStableMACIsLocallyAdministeredUnicast() {
        let mac = VXLANDevice.macAddress(forNode: "node-a")
        XCTAssertEqual(mac, VXLANDevice.macAddress(forNode: "node-a"))
        XCTAssertNotEqual(mac, VXLANDevice.macAddress(forNode: "node-b"))
        XCTAssertEqual(mac.bytes[0] & 0x03, 0x02)
    }

    func testDeviceAttributesAndIdempotence() throws {
        try OverlayTestbed.with(nodes: 1) { bed in
            let node = bed.nodes[0]
            let first = try node.ensureDevice()
            let again = try node.ensureDevice()
            XCTAssertEqual(first.index, again.index, "a matching device is kept, not re-created")
            XCTAssertEqual(again.mtu, 1450)
            XCTAssertEqual(again.macAddress, node.mac)
            XCTAssertTrue(again.isUp)
            XCTAssertEqual(again.vxlan?.vni, 1)
            XCTAssertEqual(again.vxlan?.port, 8472)
            XCTAssertEqual(again.vxlan?.learning, false)
            XCTAssertEqual(again.vxlan?.local, IPAddress(node.ip))
            let link = try node.json("ip", "-d", "-j", "addr", "show", "dev", "skiff.1").first ?? [:]
            let addresses = (link["addr_info"] as? [[String: Any]] ?? []).filter { $0["family"] as? String == "inet" }
            XCTAssertEqual(addresses.map { "\($0["local"] ?? "")/\($0["prefixlen"] ?? "")" }, ["10.244.1.0/32"])
            // Wrong attributes (another MAC, say, after a rename of the node) re-create it.
            node.mac = MACAddress("0e:00:00:00:00:42")!
            let recreated = try node.ensureDevice()
            XCTAssertEqual(recreated.macAddress, node.mac)
            // A changed MTU alone is fixed in place.
            try node.exec("ip", "link", "set", "skiff.1", "mtu", "1300")
            XCTAssertEqual(try node.ensureDevice().mtu, 1450)
        }
    }

    func testThreeNodesOverVXLAN() throws {
        try OverlayTestbed.with(nodes: 3) { bed in
            let (n1, n2, n3) = (bed.nodes[0], bed.nodes[1], bed.nodes[2])
            for node in bed.nodes { try node.ensureDevice() }
            for node in bed.nodes { try node.reconcile(bed.nodes.filter { $0 !== node }) }
            for node in bed.nodes { try assertProgrammed(node, for: bed.nodes.filter { $0 !== node }) }
            XCTAssertTrue(n1.ping(n2))
            XCTAssertTrue(n1.ping(n3))
            XCTAssertTrue(n3.ping(n2))
            // A second reconcile changes nothing.
            XCTAssertTrue(try n1.reconcile([n2, n3]).isEmpty)

            // DF at the full overlay MTU: 1450 − 20 (IP) − 8 (ICMP).
            XCTAssertTrue(n1.ping(n2, extra: ["-M", "do", "-s", "1422"]))
            XCTAssertFalse(n1.ping(n2, extra: ["-M", "do", "-s", "1423"]))

            // node2 gets another VTEP MAC and another underlay IP.
            let oldMAC = n2.mac, oldIP = n2.ip
            n2.mac = MACAddress("0e:00:00:00:02:02")!
            try n2.exec("ip", "addr", "del", "\(oldIP)/24", "dev", "eth0")
            n2.ip = "192.168.60.22"
            try n2.exec("ip", "addr", "add", "\(n2.ip)/24", "dev", "eth0", "nodad")
            let device = try n2.ensureDevice()
            XCTAssertEqual(device.macAddress, n2.mac)
            XCTAssertEqual(device.vxlan?.local, IPAddress(n2.ip))
            try n2.reconcile([n1, n3])
            let changes = try n1.reconcile([n2, n3])
            XCTAssertTrue(changes.removed.contains("fdb \(oldMAC) dst \(oldIP)"), "\(changes)")
            try assertProgrammed(n1, for: [n2, n3])
            XCTAssertFalse(try fdb(n1).contains { $0.hasPrefix(oldMAC.description) })
            XCTAssertTrue(n1.ping(n2))
            XCTAssertTrue(n2.ping(n1))

            // node3 goes away.
            try n1.reconcile([n2])
            try assertProgrammed(n1, for: [n2])
            XCTAssertFalse(n1.ping(n3))
            XCTAssertTrue(n1.ping(n2))

            // Entries nobody wants (left by an earlier run, or by hand) go at the next resync.
            try n1.exec("ip", "neigh", "replace", "10.244.99.0", "lladdr", "0e:99:00:00:00:99", "dev", "skiff.1", "nud", "permanent")
            try n1.exec("bridge", "fdb", "append", "0e:99:00:00:00:99", "dev", "skiff.1", "dst", "192.168.60.99")
            try n1.exec("ip", "route", "add", "10.244.99.0/24", "via", "10.244.99.0", "dev", "skiff.1", "onlink")
            // …and a wanted entry someone deleted comes back.
            try n1.exec("ip", "neigh", "del", "10.244.2.0", "dev", "skiff.1")
            let resync = try n1.reconcile([n2])
            XCTAssertEqual(resync.removed.count, 3, "\(resync)")
            XCTAssertEqual(resync.added, ["neigh 10.244.2.0 lladdr \(n2.mac)"])
            try assertProgrammed(n1, for: [n2])
            XCTAssertTrue(n1.ping(n2))

            // No peers at all: everything goes.
            try n1.inside { try OverlayRoutes().removeAll(on: $0) }
            try assertProgrammed(n1, for: [])
        }
    }

    func testDirectRoutingOnTheSameSubnet() throws {
        try OverlayTestbed.with(nodes: 2) { bed in
            let (n1, n2) = (bed.nodes[0], bed.nodes[1])
            for node in bed.nodes { try node.ensureDevice() }
            try n1.reconcile([n2], directRouting: true)
            try n2.reconcile([n1], directRouting: true)
            XCTAssertEqual(try routes(n1, dev: "eth0"), ["10.244.2.0/24 via \(n2.ip)"])
            XCTAssertEqual(try routes(n1), [])
            XCTAssertEqual(try fdb(n1), [])
            XCTAssertEqual(try neighbours(n1), [:])
            XCTAssertTrue(n1.ping(n2))
            XCTAssertTrue(n2.ping(n1))
            // Nothing crossed the VXLAN device.
            let stats = try n1.json("ip", "-s", "-j", "link", "show", "dev", "skiff.1").first?["stats64"] as? [String: Any]
            XCTAssertEqual((stats?["tx"] as? [String: Any])?["packets"] as? Int, 0)

            // Turning direct routing off moves the peer back onto VXLAN, in place.
            try n1.reconcile([n2])
            try n2.reconcile([n1])
            XCTAssertEqual(try routes(n1, dev: "eth0"), [])
            try assertProgrammed(n1, for: [n2])
            XCTAssertTrue(n1.ping(n2))
        }
    }

    func testPeerFromNode() {
        let node = Node(metadata: ObjectMeta(name: "n2", annotations: [OverlayAnnotations.vtepMAC: "0e:00:00:00:00:02",
                                                                        OverlayAnnotations.publicIP: "192.168.1.2"]),
                        spec: NodeSpec(podCIDR: "10.244.2.0/24"),
                        status: NodeStatus(addresses: [NodeAddress(type: "InternalIP", address: "192.168.9.9")]))
        XCTAssertEqual(try OverlayPeer.from(node).get(),
                       OverlayPeer(name: "n2", underlayIP: IPAddress("192.168.1.2")!, vtepMAC: MACAddress("0e:00:00:00:00:02")!,
                                   podCIDR: IPPrefix("10.244.2.0/24")!))
        var fallback = node
        fallback.metadata?.annotations?[OverlayAnnotations.publicIP] = nil
        XCTAssertEqual(try OverlayPeer.from(fallback).get().underlayIP, IPAddress("192.168.9.9"))
        var noMAC = node
        noMAC.metadata?.annotations = nil
        XCTAssertEqual(OverlayPeer.from(noMAC), .failure(.noMAC))
        var noCIDR = node
        noCIDR.spec = nil
        XCTAssertEqual(OverlayPeer.from(noCIDR), .failure(.noPodCIDR))
    }
}
