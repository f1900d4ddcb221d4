import Netlink

/// What the model needs to know about the node it runs on: its name (an endpoint is local when
/// its `nodeName` matches) and the IP families its dataplane programs (addresses of other
/// families are dropped early, as a single-stack kube-proxy ignores them).
public struct ProxyModelConfig: Sendable, Hashable {
    /// This node's name as in `Node.metadata.name`. Empty means no endpoint is ever local,
    /// as upstream does when the hostname is unknown.
    public var nodeName: String
    /// The families this node programs; IPv4 alone by default.
    public var ipFamilies: Set<IPFamily>

    public init(nodeName: String, ipFamilies: Set<IPFamily> = [.ipv4]) {
        self.nodeName = nodeName
        self.ipFamilies = ipFamilies
    }

    /// The node's families in a stable order (IPv4 first), for deterministic iteration.
    public var orderedFamilies: [IPFamily] { IPFamily.allCases.filter { ipFamilies.contains($0) } }

    /// Whether an endpoint on `endpointNodeName` runs on this node.
    func isLocal(_ endpointNodeName: String?) -> Bool {
        guard let endpointNodeName, !nodeName.isEmpty else { return false }
        return endpointNodeName == nodeName
    }
}
