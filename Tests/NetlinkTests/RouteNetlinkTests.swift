import Foundation
import Glibc
import Netlink
import SkiffTestSupport
import XCTest

/// The rtnetlink layer against the real kernel, in throwaway namespaces (never the root one):
/// links, addresses, routes, neighbours and FDB entries are programmed with `RouteSocket` on a
/// thread inside the namespace (`NetworkNamespace.run`), then read back with the library and
/// with `ip -j` / `bridge -j`, and exercised with real pings.
final class RouteNetlinkTests: XCTestCase {
    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    private func ip(_ text: String) -> IPAddress { IPAddress(text)! }
    private func cidr(_ text: String) -> InterfaceAddress { InterfaceAddress(text)! }
    private func mac(_ text: String) -> MACAddress { MACAddress(text)! }

    /// Runs `body` with a `RouteSocket` opened inside `ns`.
    private func inside<T>(_ ns: TestNamespace, _ body: (RouteSocket) throws -> T) throws -> T {
        try NetworkNamespace(named: ns.name).run { try body(RouteSocket()) }
    }

    /// `ip -j …` (or `bridge -j …`) in the namespace, parsed as an array of objects.
    private func json(_ ns: TestNamespace, _ command: String...) throws -> [[String: Any]] {
        let text = try Shell.run(["ip", "netns", "exec", ns.name] + command)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [] }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
    }

    /// Asserts that `body` throws a NetlinkError with `errno` whose text contains `text`.
    private func assertNetlinkError(_ errno: Int32, _ text: String, file: StaticString = #filePath, line: UInt = #line,
                                    _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected \(text) to fail", file: file, line: line)
        } catch let error as NetlinkError {
            XCTAssertEqual(error.errno, errno, "\(error)", file: file, line: line)
            XCTAssertEqual(error.isNotFound, [ENOENT, ENODEV, ESRCH, EADDRNOTAVAIL].contains(errno), file: file, line: line)
            XCTAssertTrue(error.description.contains(text), "\(error)", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    func testValueTypes() {
        XCTAssertEqual(mac("0A:1b:2c:3d:4e:5f").description, "0a:1b:2c:3d:4e:5f")
        XCTAssertNil(MACAddress("0a:1b:2c:3d:4e"))
        XCTAssertNil(MACAddress("0a:1b:2c:3d:4e:5g"))
        let random = MACAddress.randomLocal()
        XCTAssertEqual(random.bytes[0] & 0x03, 0x02, "locally administered unicast")
        XCTAssertEqual(cidr("10.244.1.7/24").prefix.description, "10.244.1.0/24")
        XCTAssertEqual(cidr("10.244.1.7/24").description, "10.244.1.7/24")
        XCTAssertNil(InterfaceAddress("10.0.0.1/33"))
        XCTAssertEqual(Route.defaultRoute(via: ip("10.0.0.1")).description, "default via 10.0.0.1")
    }

    /// `run` executes on a thread inside the namespace and hands back its result or error;
    /// the calling thread stays where it was.
    func testNetworkNamespaceRunsOnAThreadInside() throws {
        func inode(_ path: String) -> UInt64 {
            var info = stat()
            return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
        }
        try TestNamespace.with { ns in
            let namespace = try NetworkNamespace(named: ns.name)
            let before = inode("/proc/thread-self/ns/net")
            let inside = try namespace.run { inode("/proc/thread-self/ns/net") }
            XCTAssertEqual(inside, inode("/run/netns/\(ns.name)"))
            XCTAssertNotEqual(inside, before)
            XCTAssertEqual(inode("/proc/thread-self/ns/net"), before, "the caller did not move")
            XCTAssertThrowsError(try namespace.run { throw TestFailure("from inside") }) { error in
                XCTAssertEqual((error as? TestFailure)?.description, "from inside")
            }
        }
        assertNetlinkError(ENOENT, "open network namespace /run/netns/skiff-nl-missing") {
            _ = try NetworkNamespace(named: "skiff-nl-missing")
        }
    }

    /// The CNI plugin's path: a veth pair whose peer is born in the pod's namespace, addresses on
    /// both ends, up, and traffic between them; duplicate address and link names are refused
    /// with errors that say what and why.
    func testVethPairAcrossNamespacesCarriesTraffic() throws {
        try TestNamespace.with { host in
            try TestNamespace.with { pod in
                let podNamespace = try NetworkNamespace(named: pod.name)
                let hostLink = try inside(host) { socket -> Link in
                    try socket.addVeth(name: "veth-h", peerName: "eth0", peerNamespace: podNamespace, mtu: 1400,
                                       peerMACAddress: self.mac("0a:58:0a:f4:01:05"))
                    try socket.addAddress(self.cidr("10.99.0.1/24"), to: "veth-h")
                    try socket.addAddress(self.cidr("fd00:99::1/64"), to: "veth-h", skipDuplicateDetection: true)
                    try socket.setLinkUp("veth-h")
                    XCTAssertNil(try socket.link("eth0"), "the peer never lands in the host namespace")
                    return try XCTUnwrap(socket.link("veth-h"))
                }
                XCTAssertEqual(hostLink.kind, "veth")
                XCTAssertEqual(hostLink.mtu, 1400)
                XCTAssertTrue(hostLink.isUp)

                let (podLink, addresses) = try inside(pod) { socket -> (Link, [LinkAddressEntry]) in
                    try socket.setLinkUp("lo")
                    try socket.addAddress(self.cidr("10.99.0.2/24"), to: "eth0")
                    try socket.addAddress(self.cidr("fd00:99::2/64"), to: "eth0", skipDuplicateDetection: true)
                    try socket.setLinkUp("eth0")
                    let link = try XCTUnwrap(socket.link("eth0"))
                    return (link, try socket.addresses(of: "eth0"))
                }
                XCTAssertEqual(podLink.kind, "veth")
                XCTAssertEqual(podLink.macAddress, mac("0a:58:0a:f4:01:05"))
                XCTAssertEqual(podLink.peerIndex, hostLink.index)
                XCTAssertEqual(Set(addresses.map(\.address)).intersection([cidr("10.99.0.2/24"), cidr("fd00:99::2/64")]).count, 2)

                try host.exec("ping", "-c1", "-W1", "10.99.0.2")
                try pod.exec("ping", "-c1", "-W1", "10.99.0.1")
                try pod.exec("ping", "-6", "-c1", "-W1", "fd00:99::1")

                try inside(host) { socket in
                    assertNetlinkError(EEXIST, "add address 10.99.0.1/24 to veth-h: File exists") {
                        try socket.addAddress(self.cidr("10.99.0.1/24"), to: "veth-h")
                    }
                    assertNetlinkError(EEXIST, "create veth veth-h") {
                        try socket.addVeth(name: "veth-h", peerName: "veth-x")
                    }
                    try socket.deleteAddress(self.cidr("10.99.0.1/24"), from: "veth-h")
                    assertNetlinkError(EADDRNOTAVAIL, "delete address 10.99.0.1/24 from veth-h: Cannot assign requested address (EADDRNOTAVAIL)") {
                        try socket.deleteAddress(self.cidr("10.99.0.1/24"), from: "veth-h")
                    }
                    XCTAssertFalse(try socket.addresses(of: "veth-h", family: .ipv4).contains { $0.address == self.cidr("10.99.0.1/24") })
                    // Deleting one end takes the pod's end too.
                    try socket.deleteLink("veth-h")
                    assertNetlinkError(ENODEV, "delete link veth-h: No such device (ENODEV) — no such link") { try socket.deleteLink("veth-h") }
                    XCTAssertFalse(try socket.deleteLinkIfPresent("veth-h"))
                }
                XCTAssertNil(try inside(pod) { try $0.link("eth0") })
            }
        }
    }

    /// A bridge with two veth ports in hairpin mode, as the CNI bridge plugin sets up `cni0`.
    func testBridgePortsWithHairpin() throws {
        try TestNamespace.with { ns in
            let (bridge, ports) = try inside(ns) { socket -> (Link, [Link]) in
                try socket.addBridge(name: "cni0", mtu: 1450)
                try socket.setLinkUp("cni0")
                for n in 1...2 {
                    try socket.addVeth(name: "vport\(n)", peerName: "vpeer\(n)")
                    try socket.setMaster(.name("vport\(n)"), "cni0")
                    try socket.setHairpin(.name("vport\(n)"))
                    try socket.setLinkUp(.name("vport\(n)"))
                }
                assertNetlinkError(EEXIST, "create bridge cni0: File exists (EEXIST)") {
                    try socket.addBridge(name: "cni0")
                }
                return (try XCTUnwrap(socket.link("cni0")), try ["vport1", "vport2"].map { try XCTUnwrap(socket.link(.name($0))) })
            }
            XCTAssertEqual(bridge.kind, "bridge")
            for port in ports {
                XCTAssertEqual(port.masterIndex, bridge.index, port.name)
                XCTAssertEqual(port.hairpin, true, port.name)
            }
            let listed = try json(ns, "bridge", "-d", "-j", "link", "show")
            for name in ["vport1", "vport2"] {
                let entry = try XCTUnwrap(listed.first { $0["ifname"] as? String == name }, "\(listed)")
                XCTAssertEqual(entry["hairpin"] as? Bool, true, "\(entry)")
                XCTAssertEqual(entry["master"] as? String, "cni0")
            }
            // Off again, and detached.
            let port = try inside(ns) { socket -> Link in
                try socket.setHairpin("vport1", false)
                try socket.setMaster("vport1", nil)
                return try XCTUnwrap(socket.link("vport1"))
            }
            XCTAssertNil(port.masterIndex)
        }
    }

    /// The overlay's VXLAN device, read back with the library and with `ip -d -j link show`;
    /// then set MTU, MAC, rename, move to another namespace.
    func testVXLANDeviceAttributes() throws {
        try TestNamespace.with { ns in
            let vtep = mac("0e:00:00:00:00:01")
            let (underlay, vxlan) = try inside(ns) { socket -> (Link, Link) in
                try socket.addVeth(name: "eth0", peerName: "eth0-peer")
                try socket.addAddress(self.cidr("192.168.50.1/24"), to: "eth0")
                try socket.setLinkUp("eth0")
                let underlay = try XCTUnwrap(socket.link("eth0"))
                try socket.addVXLAN(name: "flannel.1",
                                    VXLANAttributes(vni: 1, local: self.ip("192.168.50.1"), port: 8472, underlayIndex: underlay.index),
                                    mtu: 1450, macAddress: vtep)
                try socket.setLinkUp("flannel.1")
                return (underlay, try XCTUnwrap(socket.link("flannel.1")))
            }
            XCTAssertEqual(vxlan.kind, "vxlan")
            XCTAssertEqual(vxlan.mtu, 1450)
            XCTAssertEqual(vxlan.macAddress, vtep)
            XCTAssertTrue(vxlan.isUp)
            XCTAssertEqual(vxlan.vxlan, VXLANAttributes(vni: 1, local: ip("192.168.50.1"), port: 8472,
                                                        underlayIndex: underlay.index, learning: false))

            let shown = try XCTUnwrap(json(ns, "ip", "-d", "-j", "link", "show", "flannel.1").first)
            XCTAssertEqual(shown["mtu"] as? Int, 1450)
            XCTAssertEqual(shown["address"] as? String, "0e:00:00:00:00:01")
            let data = try XCTUnwrap((shown["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any], "\(shown)")
            XCTAssertEqual(data["id"] as? Int, 1)
            XCTAssertEqual(data["port"] as? Int, 8472)
            XCTAssertEqual(data["local"] as? String, "192.168.50.1")
            XCTAssertEqual(data["link"] as? String, "eth0")
            XCTAssertEqual(data["learning"] as? Bool, false)

            try TestNamespace.with { other in
                let target = try NetworkNamespace(named: other.name)
                let renamed = try inside(ns) { socket -> Link? in
                    try socket.setMTU("flannel.1", 1400)
                    try socket.setMACAddress("flannel.1", self.mac("0e:00:00:00:00:02"))
                    try socket.setLinkUp("flannel.1", false)
                    try socket.renameLink("flannel.1", to: "vxlan0")
                    let link = try socket.link("vxlan0")
                    try socket.moveLink("eth0-peer", to: target)
                    XCTAssertNil(try socket.link("eth0-peer"))
                    return link
                }
                XCTAssertEqual(renamed?.mtu, 1400)
                XCTAssertEqual(renamed?.macAddress, mac("0e:00:00:00:00:02"))
                XCTAssertEqual(renamed?.isUp, false)
                XCTAssertNotNil(try inside(other) { try $0.link("eth0-peer") })
            }
        }
    }

    /// Routes: a gateway route, an onlink route to a gateway outside every local subnet, a
    /// default route, IPv6; replace, list, delete.
    func testRoutes() throws {
        try TestNamespace.with { ns in
            let (index, listed4, listed6) = try inside(ns) { socket -> (Int32, [Route], [Route]) in
                try socket.addVeth(name: "eth0", peerName: "eth0-peer")
                try socket.addAddress(self.cidr("10.98.0.1/24"), to: "eth0")
                try socket.addAddress(self.cidr("fd00:98::1/64"), to: "eth0", skipDuplicateDetection: true)
                try socket.setLinkUp("eth0")
                try socket.setLinkUp("eth0-peer")
                let index = try socket.index(of: "eth0")
                try socket.addRoute(Route(destination: IPPrefix("10.97.0.0/16")!, gateway: self.ip("10.98.0.254"), linkIndex: index))
                try socket.addRoute(Route(destination: IPPrefix("10.244.2.0/24")!, gateway: self.ip("10.244.2.0"), linkIndex: index,
                                          onLink: true))
                try socket.replaceRoute(.defaultRoute(via: self.ip("10.98.0.254"), linkIndex: index))
                try socket.replaceRoute(.defaultRoute(via: self.ip("10.98.0.253"), linkIndex: index))
                try socket.addRoute(Route(destination: IPPrefix("10.96.0.0/24")!, linkIndex: index, source: self.ip("10.98.0.1")))
                try socket.addRoute(Route(destination: IPPrefix("fd00:97::/64")!, gateway: self.ip("fd00:98::fe"), linkIndex: index))
                assertNetlinkError(EEXIST, "add route 10.97.0.0/16 via 10.98.0.254") {
                    try socket.addRoute(Route(destination: IPPrefix("10.97.0.0/16")!, gateway: self.ip("10.98.0.254"), linkIndex: index))
                }
                return (index, try socket.routes(family: .ipv4, link: "eth0"), try socket.routes(family: .ipv6))
            }
            func find(_ routes: [Route], _ destination: String) -> Route? {
                routes.first { $0.destination == IPPrefix(destination)! }
            }
            XCTAssertEqual(find(listed4, "10.97.0.0/16")?.gateway, ip("10.98.0.254"))
            XCTAssertEqual(find(listed4, "10.244.2.0/24")?.onLink, true)
            XCTAssertEqual(find(listed4, "10.244.2.0/24")?.linkIndex, index)
            XCTAssertEqual(find(listed4, "0.0.0.0/0")?.gateway, ip("10.98.0.253"))
            XCTAssertEqual(listed4.filter(\.isDefault).count, 1, "replace leaves one default route")
            XCTAssertEqual(find(listed4, "10.96.0.0/24")?.scope, .link)
            XCTAssertEqual(find(listed4, "10.96.0.0/24")?.source, ip("10.98.0.1"))
            XCTAssertEqual(find(listed6, "fd00:97::/64")?.gateway, ip("fd00:98::fe"))

            let shown = try json(ns, "ip", "-j", "route", "show")
            func row(_ destination: String) -> [String: Any]? { shown.first { $0["dst"] as? String == destination } }
            XCTAssertEqual(row("default")?["gateway"] as? String, "10.98.0.253")
            XCTAssertEqual(row("10.244.2.0/24")?["gateway"] as? String, "10.244.2.0")
            XCTAssertEqual(row("10.244.2.0/24")?["flags"] as? [String], ["onlink"], "\(shown)")
            XCTAssertEqual(row("10.97.0.0/16")?["dev"] as? String, "eth0")
            XCTAssertEqual(row("10.96.0.0/24")?["prefsrc"] as? String, "10.98.0.1")
            let shown6 = try json(ns, "ip", "-6", "-j", "route", "show")
            XCTAssertEqual(shown6.first { $0["dst"] as? String == "fd00:97::/64" }?["gateway"] as? String, "fd00:98::fe")

            try inside(ns) { socket in
                let route = Route(destination: IPPrefix("10.244.2.0/24")!, gateway: self.ip("10.244.2.0"), linkIndex: index, onLink: true)
                try socket.deleteRoute(route)
                assertNetlinkError(ESRCH, "(ESRCH) — no such route") { try socket.deleteRoute(route) }
                XCTAssertNil(find(try socket.routes(family: .ipv4), "10.244.2.0/24"))
            }
        }
    }

    /// flannel's per-node entries on the VXLAN device: replacing with another MAC / another
    /// underlay address leaves exactly one entry; deleting twice says ENOENT.
    func testNeighbourAndFDBReplace() throws {
        try TestNamespace.with { ns in
            let first = mac("0e:00:00:00:02:01"), second = mac("0e:00:00:00:02:02")
            let (neighbours, fdb) = try inside(ns) { socket -> ([Neighbour], [FDBEntry]) in
                try socket.addVXLAN(name: "flannel.1", VXLANAttributes(vni: 1, local: self.ip("192.168.50.1")), mtu: 1450)
                try socket.setLinkUp("flannel.1")
                try socket.replaceNeighbour(self.ip("10.244.2.0"), macAddress: first, on: "flannel.1")
                try socket.replaceNeighbour(self.ip("10.244.2.0"), macAddress: second, on: "flannel.1")
                try socket.replaceNeighbour(self.ip("fd00:244:2::"), macAddress: second, on: "flannel.1")
                try socket.replaceFDB(second, destination: self.ip("192.168.50.2"), on: "flannel.1")
                try socket.replaceFDB(second, destination: self.ip("192.168.50.3"), on: "flannel.1")
                try socket.appendFDB(MACAddress(bytes: [0, 0, 0, 0, 0, 0])!, destination: self.ip("192.168.50.4"), on: "flannel.1")
                try socket.appendFDB(MACAddress(bytes: [0, 0, 0, 0, 0, 0])!, destination: self.ip("192.168.50.5"), on: "flannel.1")
                return (try socket.neighbours(of: "flannel.1"), try socket.fdb(of: "flannel.1"))
            }
            let v4 = neighbours.filter { $0.address == ip("10.244.2.0") }
            XCTAssertEqual(v4.count, 1)
            XCTAssertEqual(v4.first?.macAddress, second)
            XCTAssertEqual(v4.first?.isPermanent, true)
            XCTAssertEqual(neighbours.filter { $0.address == ip("fd00:244:2::") }.count, 1)
            let entries = fdb.filter { $0.macAddress == second }
            XCTAssertEqual(entries.map(\.destination), [ip("192.168.50.3")])
            XCTAssertEqual(entries.first?.isPermanent, true)
            XCTAssertEqual(Set(fdb.filter { $0.macAddress.bytes == [0, 0, 0, 0, 0, 0] }.compactMap(\.destination)),
                           [ip("192.168.50.4"), ip("192.168.50.5")], "append keeps both remotes")

            let shownNeighbours = try json(ns, "ip", "-j", "neigh", "show", "dev", "flannel.1")
            let shown = shownNeighbours.filter { $0["dst"] as? String == "10.244.2.0" }
            XCTAssertEqual(shown.count, 1, "\(shownNeighbours)")
            XCTAssertEqual(shown.first?["lladdr"] as? String, second.description)
            XCTAssertEqual(shown.first?["state"] as? [String], ["PERMANENT"])
            let shownFDB = try json(ns, "bridge", "-j", "fdb", "show", "dev", "flannel.1")
                .filter { $0["mac"] as? String == second.description }
            XCTAssertEqual(shownFDB.count, 1, "\(shownFDB)")
            XCTAssertEqual(shownFDB.first?["dst"] as? String, "192.168.50.3")

            try inside(ns) { socket in
                try socket.deleteNeighbour(self.ip("10.244.2.0"), on: "flannel.1")
                assertNetlinkError(ENOENT, "delete neighbour 10.244.2.0 on flannel.1: No such file or directory (ENOENT) — no such neighbour entry") {
                    try socket.deleteNeighbour(self.ip("10.244.2.0"), on: "flannel.1")
                }
                try socket.deleteFDB(second, on: "flannel.1")
                assertNetlinkError(ENOENT, "delete fdb \(second) on flannel.1") { try socket.deleteFDB(second, on: "flannel.1") }
                try socket.deleteFDB(MACAddress(bytes: [0, 0, 0, 0, 0, 0])!, destination: self.ip("192.168.50.4"), on: "flannel.1")
                let left = try socket.fdb(of: "flannel.1")
                XCTAssertFalse(left.contains { $0.macAddress == second })
                XCTAssertEqual(left.filter { $0.macAddress.bytes == [0, 0, 0, 0, 0, 0] }.compactMap(\.destination), [self.ip("192.168.50.5")])
            }
        }
    }

    /// What the overlay does, end to end: two "nodes" (namespaces) joined by a veth underlay,
    /// a VXLAN device on each, and per remote node a neighbour entry (subnet gateway → VTEP
    /// MAC), an FDB entry (VTEP MAC → node IP) and an onlink route; the pod subnets then reach
    /// each other through the tunnel.
    func testOverlayBetweenTwoNodes() throws {
        try TestNamespace.with { node1 in
            try TestNamespace.with { node2 in
                struct Node {
                    let ns: TestNamespace
                    let ip: String
                    let vtep: MACAddress
                    let subnet: Int
                }
                let nodes = [Node(ns: node1, ip: "192.168.77.1", vtep: mac("0e:77:00:00:00:01"), subnet: 1),
                             Node(ns: node2, ip: "192.168.77.2", vtep: mac("0e:77:00:00:00:02"), subnet: 2)]
                // The underlay: one veth pair, "eth0" on both sides.
                let node2Namespace = try NetworkNamespace(named: node2.name)
                try inside(node1) { try $0.addVeth(name: "eth0", peerName: "eth0", peerNamespace: node2Namespace) }
                for node in nodes {
                    try inside(node.ns) { socket in
                        try socket.setLinkUp("lo")
                        try socket.addAddress(self.cidr("\(node.ip)/24"), to: "eth0")
                        try socket.setLinkUp("eth0")
                        let underlay = try socket.index(of: "eth0")
                        try socket.addVXLAN(name: "flannel.1",
                                            VXLANAttributes(vni: 1, local: self.ip(node.ip), port: 8472, underlayIndex: underlay),
                                            mtu: 1450, macAddress: node.vtep)
                        try socket.addAddress(self.cidr("10.244.\(node.subnet).0/32"), to: "flannel.1")
                        try socket.setLinkUp("flannel.1")
                        // A "pod" address behind the node.
                        try socket.addBridge(name: "cni0")
                        try socket.addAddress(self.cidr("10.244.\(node.subnet).1/24"), to: "cni0")
                        try socket.setLinkUp("cni0")
                        let vxlan = try socket.index(of: "flannel.1")
                        for peer in nodes where peer.subnet != node.subnet {
                            let gateway = self.ip("10.244.\(peer.subnet).0")
                            try socket.replaceNeighbour(gateway, macAddress: peer.vtep, on: .index(vxlan))
                            try socket.replaceFDB(peer.vtep, destination: self.ip(peer.ip), on: .index(vxlan))
                            try socket.replaceRoute(Route(destination: IPPrefix("10.244.\(peer.subnet).0/24")!, gateway: gateway,
                                                          linkIndex: vxlan, onLink: true))
                        }
                    }
                }
                try node1.exec("ping", "-c1", "-W1", "192.168.77.2")
                try node1.exec("ping", "-c1", "-W1", "-I", "10.244.1.1", "10.244.2.1")
                try node2.exec("ping", "-c1", "-W1", "-I", "10.244.2.1", "10.244.1.1")
                try node2.exec("ping", "-c1", "-W1", "10.244.1.0")
            }
        }
    }
}
