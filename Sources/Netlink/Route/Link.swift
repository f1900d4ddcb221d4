/// A network interface as RTM_GETLINK reports it (`ip -d link show`): enough to check that
/// what the CNI plugin or the overlay created is what they meant, and to find indexes.
public struct Link: Sendable, Hashable, CustomStringConvertible {
    public var index: Int32
    public var name: String
    public var mtu: Int
    /// The link-layer address; nil for devices without one (loopback has zeros, which count).
    public var macAddress: MACAddress?
    /// IFLA_INFO_KIND: "veth", "bridge", "vxlan"…; nil for physical devices and loopback.
    public var kind: String?
    /// The index of the bridge (or bond) this link is a port of.
    public var masterIndex: Int32?
    /// Administratively up (IFF_UP): what `ip link set up` sets.
    public var isUp: Bool
    /// Operationally up: the carrier is there (IFF_LOWER_UP); a veth is only when both ends are up.
    public var hasCarrier: Bool
    /// For a veth, the index of its peer (in the peer's namespace, which may be another one).
    public var peerIndex: Int32?
    /// VXLAN parameters, for kind "vxlan".
    public var vxlan: VXLANAttributes?
    /// Bridge-port hairpin mode, for a link that is a bridge port (IFLA_PROTINFO is only in
    /// AF_BRIDGE dumps, so this comes from IFLA_INFO_SLAVE_DATA).
    public var hairpin: Bool?

    public var description: String {
        "\(index): \(name)" + (kind.map { " (\($0))" } ?? "") + " mtu \(mtu)" + (isUp ? " up" : " down")
    }
}

/// What the flannel-style overlay sets on its VXLAN device (`ip link add flannel.1 type vxlan
/// id 1 local 192.168.0.2 dev eth0 dstport 8472 nolearning`).
public struct VXLANAttributes: Sendable, Hashable {
    /// The VXLAN network identifier (24 bits).
    public var vni: UInt32
    /// The underlay source address of encapsulated packets.
    public var local: IPAddress?
    /// UDP destination port; 8472 is flannel's (and the Linux default), 4789 the IANA one.
    public var port: UInt16
    /// The underlay device the encapsulated packets leave through.
    public var underlayIndex: Int32?
    /// Whether the device learns remote MACs from incoming packets. The overlay programs the
    /// FDB itself, so it turns learning off.
    public var learning: Bool

    public init(vni: UInt32, local: IPAddress? = nil, port: UInt16 = 8472, underlayIndex: Int32? = nil,
                learning: Bool = false) {
        self.vni = vni
        self.local = local
        self.port = port
        self.underlayIndex = underlayIndex
        self.learning = learning
    }
}

/// Names a link in a request: by name (the kernel looks IFLA_IFNAME up itself, saving a
/// round trip) or by index (stable across a rename).
public enum LinkReference: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    case name(String)
    case index(Int32)

    public init(stringLiteral name: String) { self = .name(name) }

    public var description: String {
        switch self {
        case .name(let name): name
        case .index(let index): "index \(index)"
        }
    }
}
