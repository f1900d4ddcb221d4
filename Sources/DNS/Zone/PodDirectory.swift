import KubeAPI
import Netlink
import Synchronization

/// The Pod fields search completion needs: who is asking (pod IP → namespace) and whether the
/// pod's resolv.conf is the one the node agent writes for ClusterFirst (so we know its search
/// list without seeing it).
public struct DNSPod: KubeObject, Hashable {
    public static let gvk = Pod.gvk
    public static let resource = Pod.resource
    public static let namespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var spec: Spec?
    public var status: Status?

    public struct Spec: Codable, Sendable, Hashable {
        public var dnsPolicy: String?
        public var hostNetwork: Bool?
        public var dnsConfig: DNSConfig?
        public init(dnsPolicy: String? = nil, hostNetwork: Bool? = nil, dnsConfig: DNSConfig? = nil) {
            self.dnsPolicy = dnsPolicy
            self.hostNetwork = hostNetwork
            self.dnsConfig = dnsConfig
        }
    }

    public struct DNSConfig: Codable, Sendable, Hashable {
        public var searches: [String]?
        public init(searches: [String]? = nil) { self.searches = searches }
    }

    public struct Status: Codable, Sendable, Hashable {
        public var podIP: String?
        public var podIPs: [PodIP]?
        public init(podIP: String? = nil, podIPs: [PodIP]? = nil) {
            self.podIP = podIP
            self.podIPs = podIPs
        }
    }

    public struct PodIP: Codable, Sendable, Hashable {
        public var ip: String?
        public init(ip: String? = nil) { self.ip = ip }
    }

    public init(metadata: ObjectMeta? = nil, spec: Spec? = nil, status: Status? = nil) {
        apiVersion = Self.gvk.apiVersion
        kind = Self.gvk.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public var addresses: [IPAddress] {
        let texts = (status?.podIPs ?? []).compactMap(\.ip) + (status?.podIP.map { [$0] } ?? [])
        var out: [IPAddress] = []
        for ip in texts.compactMap(IPAddress.init) where !out.contains(ip) { out.append(ip) }
        return out
    }

    /// Whether the pod resolves with the cluster search list `<ns>.svc.<zone> svc.<zone> <zone>`
    /// first: dnsPolicy ClusterFirst (the default) without hostNetwork, or
    /// ClusterFirstWithHostNet, and no extra search domains of its own.
    public var usesClusterSearchList: Bool {
        let policy = spec?.dnsPolicy ?? "ClusterFirst"
        let hostNetwork = spec?.hostNetwork ?? false
        let clusterFirst = (policy == "ClusterFirst" && !hostNetwork) || policy == "ClusterFirstWithHostNet"
        return clusterFirst && (spec?.dnsConfig?.searches ?? []).isEmpty
    }
}

/// Pod IP → namespace, for the pods whose search list we know (see `DNSPod`). A node-local
/// server needs only its own node's pods; host-network pods share the node's IP and are left
/// out, as their queries cannot be told apart.
public final class PodDirectory: Sendable {
    private let byIP = Mutex<[IPAddress: String]>([:])

    public init() {}

    public func upsert(_ pod: DNSPod, replacing old: DNSPod? = nil) {
        byIP.withLock { map in
            if let old { for ip in old.addresses where map[ip] == old.metadata?.namespace?.lowercased() { map[ip] = nil } }
            guard pod.usesClusterSearchList, pod.spec?.hostNetwork != true,
                  let namespace = pod.metadata?.namespace?.lowercased() else { return }
            for ip in pod.addresses { map[ip] = namespace }
        }
    }

    public func remove(_ pod: DNSPod) {
        byIP.withLock { map in
            for ip in pod.addresses where map[ip] == pod.metadata?.namespace?.lowercased() { map[ip] = nil }
        }
    }

    /// The namespace of the ClusterFirst pod at `ip`, if we know one.
    public func namespace(of ip: IPAddress) -> String? { byIP.withLock { $0[ip] } }

    public var count: Int { byIP.withLock { $0.count } }
}
