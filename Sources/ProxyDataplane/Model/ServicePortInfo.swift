import Netlink

/// Everything the dataplane needs to program one service port, already validated: addresses
/// parsed and restricted to the node's families, ports in range, defaults applied. It is a
/// value compared for equality to decide whether the port's rules must change, so it holds
/// only what affects rules (no targetPort: endpoints carry the resolved port numbers).
public struct ServicePortInfo: Sendable, Hashable, CustomStringConvertible {
    public var name: ServicePortName
    /// At most one per family, the service's primary family first (from `spec.clusterIPs`).
    public var clusterIPs: [IPAddress]
    public var port: UInt16
    public var `protocol`: TransportProtocol { name.protocol }
    /// The node port, when the service has one (NodePort and LoadBalancer types).
    public var nodePort: UInt16?
    /// `spec.externalIPs` of the node's families, deduplicated, in spec order.
    public var externalIPs: [IPAddress]
    /// `status.loadBalancer.ingress[].ip` whose `ipMode` is VIP (or unset): traffic reaches the
    /// node with the LB address as destination, so the node must DNAT it. `Proxy` mode LBs
    /// rewrite the destination themselves and get no rules, as upstream.
    public var loadBalancerVIPs: [IPAddress]
    /// `spec.loadBalancerSourceRanges` of the node's families. As upstream, ranges only
    /// restrict the family they belong to.
    public var loadBalancerSourceRanges: [IPPrefix]
    public var sessionAffinity: SessionAffinity
    /// `externalTrafficPolicy: Local` on an externally reachable service: external traffic
    /// goes only to this node's endpoints and keeps its client source address.
    public var externalPolicyLocal: Bool
    /// `internalTrafficPolicy: Local`: cluster-IP traffic goes only to this node's endpoints.
    public var internalPolicyLocal: Bool
    /// The port the proxy's health server answers for this service (LoadBalancer with
    /// `externalTrafficPolicy: Local`), so the LB only sends to nodes with local endpoints.
    public var healthCheckNodePort: UInt16?

    public init(name: ServicePortName, clusterIPs: [IPAddress], port: UInt16, nodePort: UInt16? = nil,
                externalIPs: [IPAddress] = [], loadBalancerVIPs: [IPAddress] = [],
                loadBalancerSourceRanges: [IPPrefix] = [], sessionAffinity: SessionAffinity = .none,
                externalPolicyLocal: Bool = false, internalPolicyLocal: Bool = false,
                healthCheckNodePort: UInt16? = nil) {
        self.name = name
        self.clusterIPs = clusterIPs
        self.port = port
        self.nodePort = nodePort
        self.externalIPs = externalIPs
        self.loadBalancerVIPs = loadBalancerVIPs
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
        self.sessionAffinity = sessionAffinity
        self.externalPolicyLocal = externalPolicyLocal
        self.internalPolicyLocal = internalPolicyLocal
        self.healthCheckNodePort = healthCheckNodePort
    }

    // MARK: per-family views (one nftables table per family)

    public func clusterIP(for family: IPFamily) -> IPAddress? { clusterIPs.first { $0.family == family } }
    public func externalIPs(for family: IPFamily) -> [IPAddress] { externalIPs.filter { $0.family == family } }
    public func loadBalancerVIPs(for family: IPFamily) -> [IPAddress] { loadBalancerVIPs.filter { $0.family == family } }
    public func loadBalancerSourceRanges(for family: IPFamily) -> [IPPrefix] {
        loadBalancerSourceRanges.filter { $0.family == family }
    }
    /// The families this port has a cluster IP in, i.e. the tables it is programmed into.
    public var families: [IPFamily] { clusterIPs.map(\.family) }

    // MARK: traffic policy (upstream's ServicePort interface)

    /// Reachable other than through its cluster IP: NodePort, external IPs or LB VIPs.
    public var externallyAccessible: Bool {
        nodePort != nil || !externalIPs.isEmpty || !loadBalancerVIPs.isEmpty
    }

    /// Whether the port ever sends traffic by the Cluster policy: for internal traffic
    /// unless `internalTrafficPolicy: Local`, and for any external traffic (even with
    /// `externalTrafficPolicy: Local`, pods on this node reaching an external address are
    /// short-circuited to cluster endpoints).
    public var usesClusterEndpoints: Bool { !internalPolicyLocal || externallyAccessible }

    /// Whether the port ever sends traffic by the Local policy.
    public var usesLocalEndpoints: Bool { internalPolicyLocal || (externalPolicyLocal && externallyAccessible) }

    /// `clusterIP:port/PROTOCOL` of the primary family, as upstream logs a service port.
    public var description: String {
        let ip = clusterIPs.first.map { $0.family == .ipv6 ? "[\($0)]" : "\($0)" } ?? "?"
        return "\(ip):\(port)/\(`protocol`)"
    }
}
