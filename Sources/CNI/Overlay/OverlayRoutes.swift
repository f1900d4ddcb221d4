import Netlink

/// What the overlay programs for its peers (flannel's vxlan backend): per peer a permanent
/// neighbour (its podCIDR network address → its VTEP MAC), an FDB entry (VTEP MAC → underlay
/// IP) and an onlink route to its podCIDR, all on the VXLAN device; or, with direct routing and
/// the peer on our L2 subnet, only a plain route via its underlay IP on the underlay link.
///
/// `reconcile` reads what is on the kernel, diffs it against the desired peers and applies
/// just the difference, deleting what nobody wants (stale MACs/IPs, removed nodes, entries left
/// by an earlier run or added by hand), so it doubles as the resync.
public struct OverlayRoutes: Sendable {
    /// The routing protocol number marking our routes (`ip route … proto 77`), so direct routes
    /// on the shared underlay link can be told apart from everybody else's.
    public static let routeProtocol: UInt8 = 77

    public var deviceName: String
    public var directRouting: Bool
    /// The underlay, for direct routing (its prefix decides who is on our L2 subnet).
    public var underlay: Underlay?

    public init(deviceName: String = VXLANDevice.defaultName, directRouting: Bool = false, underlay: Underlay? = nil) {
        self.deviceName = deviceName
        self.directRouting = directRouting
        self.underlay = underlay
    }

    /// The kernel state wanted for `peers`.
    public struct Desired: Sendable, Hashable {
        public var neighbours: [IPAddress: MACAddress] = [:]
        public var fdb: Set<FDB> = []
        public var routes: [IPPrefix: Route] = [:]
    }

    public struct FDB: Sendable, Hashable, CustomStringConvertible {
        public var macAddress: MACAddress
        public var destination: IPAddress
        public var description: String { "\(macAddress) dst \(destination)" }
    }

    /// What a reconcile changed (descriptions, for logs and tests).
    public struct Changes: Sendable, Hashable, CustomStringConvertible {
        public var added: [String] = []
        public var removed: [String] = []
        public var isEmpty: Bool { added.isEmpty && removed.isEmpty }
        public var description: String {
            isEmpty ? "no changes" : "added \(added.count), removed \(removed.count): "
                + (added.map { "+" + $0 } + removed.map { "-" + $0 }).joined(separator: ", ")
        }
    }

    /// Whether `peer` is reached directly (same L2 subnet, direct routing on).
    public func isDirect(_ peer: OverlayPeer) -> Bool {
        guard directRouting, let underlay else { return false }
        return underlay.address.prefix.contains(peer.underlayIP)
    }

    /// The pure part: desired entries for `peers`, given the device and underlay link indexes.
    public func desired(for peers: [OverlayPeer], deviceIndex: Int32) -> Desired {
        var desired = Desired()
        for peer in peers.sorted(by: { $0.name < $1.name }) {
            if isDirect(peer), let underlay {
                desired.routes[peer.podCIDR] = Route(destination: peer.podCIDR, gateway: peer.underlayIP,
                                                     linkIndex: underlay.link.index, proto: Self.routeProtocol)
            } else {
                desired.neighbours[peer.gateway] = peer.vtepMAC
                desired.fdb.insert(FDB(macAddress: peer.vtepMAC, destination: peer.underlayIP))
                desired.routes[peer.podCIDR] = Route(destination: peer.podCIDR, gateway: peer.gateway, linkIndex: deviceIndex,
                                                     onLink: true, proto: Self.routeProtocol)
            }
        }
        return desired
    }

    /// Brings the kernel in line with `peers`; returns what changed.
    @discardableResult
    public func reconcile(peers: [OverlayPeer], on socket: RouteSocket) throws -> Changes {
        let device = try socket.index(of: .name(deviceName))
        let desired = desired(for: peers, deviceIndex: device)
        var changes = Changes()

        // Routes first out, last in: nothing points at a gateway whose entries are gone.
        let currentRoutes = try socket.routes(family: .ipv4).filter {
            $0.proto == Self.routeProtocol || ($0.linkIndex == device && $0.proto != 2 /* kernel */)
        }
        for route in currentRoutes where !Self.matches(route, desired.routes[route.destination]) {
            if desired.routes[route.destination] == nil || route.linkIndex != desired.routes[route.destination]?.linkIndex {
                try ignoringMissing { try socket.deleteRoute(route) }
                changes.removed.append("route \(route)")
            }
        }

        // FDB: delete every (MAC, destination) nobody wants, then add the missing ones.
        let currentFDB = try socket.fdb(of: .index(device)).filter { $0.destination != nil }
        let currentFDBSet = Set(currentFDB.map { FDB(macAddress: $0.macAddress, destination: $0.destination!) })
        for entry in currentFDBSet.subtracting(desired.fdb).sorted(by: { $0.description < $1.description }) {
            try ignoringMissing { try socket.deleteFDB(entry.macAddress, destination: entry.destination, on: .index(device)) }
            changes.removed.append("fdb \(entry)")
        }
        for entry in desired.fdb.subtracting(currentFDBSet).sorted(by: { $0.description < $1.description }) {
            try socket.replaceFDB(entry.macAddress, destination: entry.destination, on: .index(device))
            changes.added.append("fdb \(entry)")
        }

        // Neighbours: replace wrong or missing ones, delete the rest.
        let currentNeighbours = try socket.neighbours(of: .index(device), family: .ipv4)
        for neighbour in currentNeighbours where desired.neighbours[neighbour.address] == nil {
            try ignoringMissing { try socket.deleteNeighbour(neighbour.address, on: .index(device)) }
            changes.removed.append("neigh \(neighbour.address) lladdr \(neighbour.macAddress?.description ?? "-")")
        }
        let known = Dictionary(currentNeighbours.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        for (address, mac) in desired.neighbours.sorted(by: { $0.key < $1.key }) {
            if let neighbour = known[address], neighbour.macAddress == mac, neighbour.isPermanent { continue }
            try socket.replaceNeighbour(address, macAddress: mac, on: .index(device))
            changes.added.append("neigh \(address) lladdr \(mac)")
        }

        // Routes in (replace: a podCIDR moving between direct and VXLAN changes in place).
        let currentByDestination = Dictionary(currentRoutes.map { ($0.destination, $0) }, uniquingKeysWith: { first, _ in first })
        for (destination, route) in desired.routes.sorted(by: { $0.key < $1.key })
        where !Self.matches(currentByDestination[destination], route) {
            try socket.replaceRoute(route)
            changes.added.append("route \(route)")
        }
        return changes
    }

    /// Moves one peer's entries from `old` to `new` (either nil: the node came or went) without
    /// reading the kernel's tables, so a Node event costs the same at 3 nodes as at 3,000.
    /// Whatever this misses (entries changed by hand, a failed earlier step) the periodic
    /// `reconcile` repairs.
    @discardableResult
    public func update(from old: OverlayPeer?, to new: OverlayPeer?, on socket: RouteSocket) throws -> Changes {
        let device = try socket.index(of: .name(deviceName))
        let before = desired(for: old.map { [$0] } ?? [], deviceIndex: device)
        let after = desired(for: new.map { [$0] } ?? [], deviceIndex: device)
        var changes = Changes()
        for (destination, route) in before.routes where after.routes[destination]?.linkIndex != route.linkIndex {
            try ignoringMissing { try socket.deleteRoute(route) }
            changes.removed.append("route \(route)")
        }
        for entry in before.fdb.subtracting(after.fdb) {
            try ignoringMissing { try socket.deleteFDB(entry.macAddress, destination: entry.destination, on: .index(device)) }
            changes.removed.append("fdb \(entry)")
        }
        for (address, mac) in before.neighbours where after.neighbours[address] == nil {
            try ignoringMissing { try socket.deleteNeighbour(address, on: .index(device)) }
            changes.removed.append("neigh \(address) lladdr \(mac)")
        }
        for entry in after.fdb.subtracting(before.fdb) {
            try socket.replaceFDB(entry.macAddress, destination: entry.destination, on: .index(device))
            changes.added.append("fdb \(entry)")
        }
        for (address, mac) in after.neighbours where before.neighbours[address] != mac {
            try socket.replaceNeighbour(address, macAddress: mac, on: .index(device))
            changes.added.append("neigh \(address) lladdr \(mac)")
        }
        for (destination, route) in after.routes where !Self.matches(before.routes[destination], route) {
            try socket.replaceRoute(route)
            changes.added.append("route \(route)")
        }
        return changes
    }

    static func matches(_ current: Route?, _ wanted: Route?) -> Bool {
        guard let current, let wanted else { return false }
        return current.destination == wanted.destination && current.gateway == wanted.gateway
            && current.linkIndex == wanted.linkIndex && current.onLink == wanted.onLink && current.proto == wanted.proto
    }

    /// Removes everything the overlay programmed (routes of our protocol, the device's FDB and
    /// neighbours): `reconcile` with no peers.
    public func removeAll(on socket: RouteSocket) throws {
        if try socket.link(.name(deviceName)) != nil {
            try reconcile(peers: [], on: socket)
        } else {
            for route in try socket.routes(family: .ipv4) where route.proto == Self.routeProtocol {
                try ignoringMissing { try socket.deleteRoute(route) }
            }
        }
    }
}

private func ignoringMissing(_ body: () throws -> Void) throws {
    do { try body() } catch let error as NetlinkError where error.isNotFound {}
}
