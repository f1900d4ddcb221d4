import Netlink

/// One backend of one service port, merged from the EndpointSlices: where to DNAT to and the
/// conditions that decide whether it gets traffic.
public struct EndpointInfo: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    /// The port number from the slice (a named target port already resolved by the slice controller).
    public var port: UInt16
    /// Ready for new connections. Nil in the slice means true (API contract).
    public var ready: Bool
    /// Able to serve even though possibly terminating. Nil in the slice defers to `ready`
    /// (API contract: "If nil, consumers should defer to the ready condition").
    public var serving: Bool
    /// Being deleted. Nil in the slice means false.
    public var terminating: Bool
    public var nodeName: String?
    public var zone: String?
    /// Zones this endpoint is hinted for (topology-aware routing); empty when unhinted.
    public var zoneHints: Set<String>
    /// On this node (`nodeName` equals the proxy's node name).
    public var isLocal: Bool

    public init(address: IPAddress, port: UInt16, ready: Bool = true, serving: Bool = true, terminating: Bool = false,
                nodeName: String? = nil, zone: String? = nil, zoneHints: Set<String> = [], isLocal: Bool = false) {
        self.address = address
        self.port = port
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
        self.nodeName = nodeName
        self.zone = zone
        self.zoneHints = zoneHints
        self.isLocal = isLocal
    }

    public var family: IPFamily { address.family }

    /// Serving while terminating: the fallback kube-proxy uses when no endpoint is ready, so
    /// connections drain gracefully instead of failing during a rollout.
    public var isServingTerminating: Bool { serving && terminating }

    /// Endpoint lists are sorted by address then port (the identity), so syncs diff stably as
    /// upstream's do. Not `Comparable`: equality also compares conditions.
    public static func precedes(_ lhs: EndpointInfo, _ rhs: EndpointInfo) -> Bool {
        lhs.address != rhs.address ? lhs.address < rhs.address : lhs.port < rhs.port
    }

    /// `ip:port`, `[ip6]:port`: the endpoint's identity (upstream's Endpoint.String()).
    public var description: String {
        address.family == .ipv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
