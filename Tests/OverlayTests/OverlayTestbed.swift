import Foundation
import Netlink
import Overlay
import SkiffTestSupport
import XCTest

/// Test "nodes" for the overlay: one network namespace per node, all joined by veths to a
/// bridge in a switch namespace (the L2 underlay), each with a `cni0` bridge holding its
/// podCIDR's .1 (a pod address). Everything lives in namespaces the testbed made, with a
/// random suffix, and `with` deletes them all, pass or fail.
final class OverlayTestbed {
    struct NodeSpec {
        var name: String
        var ip: String
        var subnet: Int
    }

    final class TestNode {
        let name: String
        let namespace: String
        var ip: String
        let subnet: Int
        var mac: MACAddress

        init(name: String, namespace: String, ip: String, subnet: Int) {
            self.name = name
            self.namespace = namespace
            self.ip = ip
            self.subnet = subnet
            mac = VXLANDevice.macAddress(forNode: name)
        }

        var podCIDR: IPPrefix { IPPrefix("10.244.\(subnet).0/24")! }
        var podIP: String { "10.244.\(subnet).1" }
        var peer: OverlayPeer { OverlayPeer(name: name, underlayIP: IPAddress(ip)!, vtepMAC: mac, podCIDR: podCIDR) }

        /// Runs `body` with a RouteSocket inside the node's namespace.
        func inside<T>(_ body: (RouteSocket) throws -> T) throws -> T {
            try NetworkNamespace(named: namespace).run { try body(RouteSocket()) }
        }

        @discardableResult
        func exec(_ command: String...) throws -> String { try Shell.run(["ip", "netns", "exec", namespace] + command) }

        func status(_ command: String...) throws -> Int32 { try Shell.status(["ip", "netns", "exec", namespace] + command).status }

        /// `ip -j …` / `bridge -j …` parsed.
        func json(_ command: String...) throws -> [[String: Any]] {
            let text = try Shell.run(["ip", "netns", "exec", namespace] + command)
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [] }
            return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        }

        /// Sets up (or repairs) the VXLAN device, with the node's current IP and MAC.
        @discardableResult
        func ensureDevice() throws -> Link {
            let (ip, mac, podCIDR) = (IPAddress(self.ip)!, self.mac, self.podCIDR)
            return try inside { socket in
                let underlay = try Underlay.find(ip: ip, interface: nil, on: socket)
                return try VXLANDevice(localIP: ip, underlay: underlay.link, macAddress: mac, podCIDR: podCIDR).ensure(on: socket)
            }
        }

        @discardableResult
        func reconcile(_ peers: [TestNode], directRouting: Bool = false) throws -> OverlayRoutes.Changes {
            let (ip, wanted) = (IPAddress(self.ip)!, peers.map(\.peer))
            return try inside { socket in
                let underlay = try Underlay.find(ip: ip, interface: nil, on: socket)
                return try OverlayRoutes(directRouting: directRouting, underlay: underlay).reconcile(peers: wanted, on: socket)
            }
        }

        func ping(_ target: TestNode, extra: [String] = []) -> Bool {
            let result = try? Shell.status(["ip", "netns", "exec", namespace, "ping", "-c1", "-W2", "-I", podIP]
                                           + extra + [target.podIP])
            return result?.status == 0
        }
    }

    /// The switch namespace's own address: a host outside the cluster (no route to pods).
    static let outsideIP = "192.168.60.254"

    let suffix = String(UInt64.random(in: 0..<(1 << 32)), radix: 16)
    var switchNamespace: String { "skiff-ov-sw-\(suffix)" }
    private(set) var nodes: [TestNode] = []
    private var namespaces: [String] = []

    static func with<T>(nodes count: Int, _ body: (OverlayTestbed) throws -> T) throws -> T {
        let bed = try make(nodes: count)
        defer { bed.tearDown() }
        return try body(bed)
    }

    /// A testbed the caller must `tearDown()`.
    static func make(nodes count: Int) throws -> OverlayTestbed {
        let bed = OverlayTestbed()
        do {
            try bed.setUp(count)
        } catch {
            bed.tearDown()
            throw error
        }
        return bed
    }

    func tearDown() {
        for name in namespaces.reversed() { _ = try? Shell.run(["ip", "netns", "del", name]) }
    }

    private func setUp(_ count: Int) throws {
        try Shell.run(["ip", "netns", "add", switchNamespace])
        namespaces.append(switchNamespace)
        let sw = try NetworkNamespace(named: switchNamespace)
        try sw.run {
            let socket = try RouteSocket()
            try socket.addBridge(name: "br0")
            // A host outside the cluster, on the underlay.
            try socket.addAddress(InterfaceAddress("\(OverlayTestbed.outsideIP)/24")!, to: "br0", skipDuplicateDetection: true)
            try socket.setLinkUp("br0")
        }
        for i in 1...count {
            let namespace = "skiff-ov-n\(i)-\(suffix)"
            try Shell.run(["ip", "netns", "add", namespace])
            namespaces.append(namespace)
            let node = TestNode(name: "node\(i)-\(suffix)", namespace: namespace, ip: "192.168.60.\(i)", subnet: i)
            nodes.append(node)
            try sw.run {
                let socket = try RouteSocket()
                try socket.addVeth(name: "port\(i)", peerName: "eth0", peerNamespace: try NetworkNamespace(named: namespace))
                try socket.setMaster(.name("port\(i)"), "br0")
                try socket.setLinkUp(.name("port\(i)"))
            }
            try node.inside { socket in
                try socket.setLinkUp("lo")
                try socket.addAddress(InterfaceAddress("192.168.60.\(i)/24")!, to: "eth0", skipDuplicateDetection: true)
                try socket.setLinkUp("eth0")
                try socket.addBridge(name: "cni0")
                try socket.addAddress(InterfaceAddress("10.244.\(i).1/24")!, to: "cni0")
                try socket.setLinkUp("cni0")
            }
        }
    }
}
