/// A route in a routing table (`ip route`): where packets for `destination` go. The overlay
/// adds one per remote node — `10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink` — and the
/// CNI plugin a default route in each pod.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// What the route covers; /0 is the default route of the family.
    public var destination: IPPrefix
    /// The next hop; nil for a directly connected destination.
    public var gateway: IPAddress?
    /// The output link (RTA_OIF).
    public var linkIndex: Int32?
    /// RTNH_F_ONLINK: the gateway is on the link even though no address of the link covers it
    /// (the overlay's gateways are the remote subnets' .0 addresses, reachable only through
    /// the VXLAN device's neighbour entries).
    public var onLink: Bool
    /// Nil picks what `ip route add` picks: link scope without a gateway, universe with one.
    public var scope: RouteScope?
    /// The preferred source address for packets the host itself sends along the route (RTA_PREFSRC).
    public var source: IPAddress?
    /// RTA_PRIORITY, the metric; nil leaves the kernel's default (0 for IPv4, 1024 for IPv6).
    public var metric: UInt32?
    /// The routing table; 254 is main, the only one Skiff uses.
    public var table: UInt32
    /// RTPROT_*: who installed the route. 3 (boot) is what `ip route add` records.
    public var proto: UInt8

    public static let mainTable: UInt32 = 254

    public init(destination: IPPrefix, gateway: IPAddress? = nil, linkIndex: Int32? = nil, onLink: Bool = false,
                scope: RouteScope? = nil, source: IPAddress? = nil, metric: UInt32? = nil,
                table: UInt32 = Route.mainTable, proto: UInt8 = 3) {
        self.destination = destination
        self.gateway = gateway
        self.linkIndex = linkIndex
        self.onLink = onLink
        self.scope = scope
        self.source = source
        self.metric = metric
        self.table = table
        self.proto = proto
    }

    /// The default route of `family` (0.0.0.0/0 or ::/0) via `gateway`.
    public static func defaultRoute(via gateway: IPAddress, linkIndex: Int32? = nil, onLink: Bool = false) -> Route {
        Route(destination: IPPrefix(address: gateway.family == .ipv4 ? IPAddress(ipv4: 0) : IPAddress(ipv6High: 0, low: 0),
                                    prefixLength: 0)!,
              gateway: gateway, linkIndex: linkIndex, onLink: onLink)
    }

    public var family: IPFamily { destination.family }
    public var isDefault: Bool { destination.prefixLength == 0 }

    /// The scope sent in a request when none was chosen, as `ip route add` decides it.
    var effectiveScope: RouteScope { scope ?? (gateway == nil ? .link : .universe) }

    /// Like `ip route` prints it: `10.244.2.0/24 via 10.244.2.0 dev index 5 onlink`.
    public var description: String {
        var text = isDefault ? "default" : destination.description
        if let gateway { text += " via \(gateway)" }
        if let linkIndex { text += " dev index \(linkIndex)" }
        if let scope, scope != .universe { text += " scope \(scope)" }
        if let source { text += " src \(source)" }
        if let metric { text += " metric \(metric)" }
        if onLink { text += " onlink" }
        return text
    }
}

/// RT_SCOPE_*: how far the destination is.
public enum RouteScope: UInt8, Sendable, Hashable, CustomStringConvertible {
    case universe = 0
    case site = 200
    case link = 253
    case host = 254
    case nowhere = 255

    public var description: String {
        switch self {
        case .universe: "global"
        case .site: "site"
        case .link: "link"
        case .host: "host"
        case .nowhere: "nowhere"
        }
    }
}
