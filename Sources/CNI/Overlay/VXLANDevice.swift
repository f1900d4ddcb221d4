import Netlink

/// The node's VXLAN device (flannel's `flannel.1`): created, or repaired, to match.
public struct VXLANDevice: Sendable, Hashable {
    public static let defaultName = "skiff.1"
    /// Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14).
    public static let overhead = 50

    public var name: String
    public var vni: UInt32
    public var port: UInt16
    /// The underlay source address (`local`).
    public var localIP: IPAddress
    /// The link holding `localIP`; encapsulated packets leave through it.
    public var underlay: Link
    /// Stable across restarts: derived from the node name.
    public var macAddress: MACAddress
    /// The pod subnet of this node; the device gets its network address as a /32.
    public var podCIDR: IPPrefix?

    public init(name: String = VXLANDevice.defaultName, vni: UInt32 = 1, port: UInt16 = 8472, localIP: IPAddress,
                underlay: Link, macAddress: MACAddress, podCIDR: IPPrefix?) {
        self.name = name
        self.vni = vni
        self.port = port
        self.localIP = localIP
        self.underlay = underlay
        self.macAddress = macAddress
        self.podCIDR = podCIDR
    }

    public var mtu: Int { underlay.mtu - Self.overhead }

    public var attributes: VXLANAttributes {
        VXLANAttributes(vni: vni, local: localIP, port: port, underlayIndex: underlay.index, learning: false)
    }

    /// A locally administered unicast MAC derived from the node name (FNV-1a 64, mixed), so peers'
    /// FDB and neighbour entries stay valid when the device is re-created.
    public static func macAddress(forNode name: String) -> MACAddress {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        // splitmix64's finalizer, so names differing in one character differ in every byte.
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        var bytes = (0..<6).map { UInt8(truncatingIfNeeded: hash >> (8 * UInt64($0))) }
        bytes[0] = (bytes[0] & 0xFE) | 0x02
        return MACAddress(bytes: bytes)!
    }

    /// Creates the device, or re-creates it when its kind, VXLAN attributes or MAC differ;
    /// fixes the MTU, leaves exactly the podCIDR network address /32 on it, and sets it up.
    @discardableResult
    public func ensure(on socket: RouteSocket) throws -> Link {
        if let existing = try socket.link(.name(name)) {
            if existing.kind != "vxlan" || existing.vxlan != attributes || existing.macAddress != macAddress {
                try socket.deleteLink(.index(existing.index))
            }
        }
        if let existing = try socket.link(.name(name)) {
            if existing.mtu != mtu { try socket.setMTU(.index(existing.index), mtu) }
        } else {
            try socket.addVXLAN(name: name, attributes, mtu: mtu, macAddress: macAddress)
        }
        let index = try socket.index(of: .name(name))
        let wanted = podCIDR.flatMap { InterfaceAddress(address: $0.address, prefixLength: 32) }
        var present = false
        for entry in try socket.addresses(of: .index(index), family: .ipv4) {
            if entry.address == wanted { present = true } else { try socket.deleteAddress(entry.address, from: .index(index)) }
        }
        if let wanted, !present { try socket.addAddress(wanted, to: .index(index)) }
        try socket.setLinkUp(.index(index))
        guard let link = try socket.link(.index(index)) else {
            throw OverlayError("\(name) vanished while being set up")
        }
        return link
    }
}

/// The underlay: the link holding the node's IP and that address with its prefix length.
public struct Underlay: Sendable, Hashable {
    public var link: Link
    public var address: InterfaceAddress

    public init(link: Link, address: InterfaceAddress) {
        self.link = link
        self.address = address
    }

    /// Finds the link holding `ip` (or, without one, the first IPv4 address of `interface`).
    public static func find(ip: IPAddress?, interface: String?, on socket: RouteSocket) throws -> Underlay {
        let interfaceIndex = try interface.map { try socket.index(of: .name($0)) }
        let entries = try socket.addresses(family: .ipv4).filter { entry in
            (ip.map { entry.address.address == $0 } ?? true) && (interfaceIndex.map { entry.linkIndex == $0 } ?? true)
                && !entry.address.address.isLoopback
        }
        guard let entry = entries.first, let link = try socket.link(.index(entry.linkIndex)) else {
            throw OverlayError("no underlay link holds \(ip?.description ?? "an IPv4 address")"
                               + (interface.map { " on \($0)" } ?? ""))
        }
        return Underlay(link: link, address: entry.address)
    }
}

public struct OverlayError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
