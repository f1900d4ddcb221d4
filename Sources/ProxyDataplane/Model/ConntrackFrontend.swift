import Netlink

/// A way traffic enters a service port, as conntrack sees it in an entry's original
/// direction: a service address and port (cluster IP, external IP, LB VIP), or a node port on
/// any local address of a family.
public enum ConntrackFrontend: Sendable, Hashable, CustomStringConvertible {
    /// Matches entries whose original destination is `address` and destination port `port`.
    case serviceIP(IPAddress, port: UInt16)
    /// Matches entries of `family` whose original destination port is `port`, whatever the
    /// destination address (upstream clears NodePort flows by port alone).
    case nodePort(UInt16, family: IPFamily)

    public var family: IPFamily {
        switch self {
        case .serviceIP(let ip, _): return ip.family
        case .nodePort(_, let family): return family
        }
    }

    public var description: String {
        switch self {
        case .serviceIP(let ip, let port): return ip.family == .ipv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        case .nodePort(let port, let family): return "*:\(port) (\(family) node port)"
        }
    }
}

extension ServicePortInfo {
    /// Every frontend of this port in `family`: cluster IP, LB VIPs and external IPs at the
    /// service port, and the node port.
    public func conntrackFrontends(for family: IPFamily) -> [ConntrackFrontend] {
        var out: [ConntrackFrontend] = []
        if let ip = clusterIP(for: family) { out.append(.serviceIP(ip, port: port)) }
        for ip in loadBalancerVIPs(for: family) { out.append(.serviceIP(ip, port: port)) }
        for ip in externalIPs(for: family) { out.append(.serviceIP(ip, port: port)) }
        if let nodePort, clusterIP(for: family) != nil { out.append(.nodePort(nodePort, family: family)) }
        return out
    }
}
