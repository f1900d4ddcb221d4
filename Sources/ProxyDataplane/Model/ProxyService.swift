import KubeAPI

/// The Service fields the proxy programs from, decoded straight from the API's JSON (unknown
/// fields skipped), so the informer's cache holds what `ServiceTranslation` reads and nothing
/// else: no selector, no managedFields, no last-applied copy. At 10k Services the full objects
/// were a third of the proxy's heap.
public struct ProxyService: CompactKubeObject, Hashable {
    public static let gvk = Service.gvk
    public static let resource = Service.resource
    public static let namespaced = true

    public var meta: CompactObjectMeta
    public var spec: Spec?
    public var status: Status?

    public struct Spec: Codable, Sendable, Hashable {
        public var type: String?
        public var clusterIP: String?
        public var clusterIPs: [String]?
        public var externalIPs: [String]?
        public var sessionAffinity: String?
        public var sessionAffinityConfig: SessionAffinityConfig?
        public var loadBalancerSourceRanges: [String]?
        public var externalTrafficPolicy: String?
        public var internalTrafficPolicy: String?
        public var healthCheckNodePort: Int32?
        public var ports: [Port]?

        /// The arrays copied to their exact size: the decoder grows them by doubling, and they
        /// are cached by the thousand.
        var exactlySized: Spec {
            var s = self
            s.ports = ports?.map { $0 }
            s.clusterIPs = clusterIPs?.map { $0 }
            return s
        }
    }

    /// A Service port without `targetPort` and `appProtocol` (the endpoints carry the former).
    public struct Port: Codable, Sendable, Hashable {
        public var name: String?
        public var `protocol`: String?
        public var port: Int32?
        public var nodePort: Int32?
    }

    public struct Status: Codable, Sendable, Hashable {
        public var loadBalancer: LoadBalancerStatus?
    }

    public init(metadata: ObjectMeta? = nil, spec: Spec? = nil, status: Status? = nil) {
        meta = CompactObjectMeta(metadata, keepingAnnotation: Self.keptAnnotation)
        self.spec = spec
        self.status = status
    }

    /// The proxy's part of a full Service.
    public init(_ service: Service) {
        let s = service.spec
        self.init(
            metadata: service.metadata,
            spec: s.map { s in
                Spec(type: s.type, clusterIP: s.clusterIP, clusterIPs: s.clusterIPs, externalIPs: s.externalIPs,
                     sessionAffinity: s.sessionAffinity, sessionAffinityConfig: s.sessionAffinityConfig,
                     loadBalancerSourceRanges: s.loadBalancerSourceRanges,
                     externalTrafficPolicy: s.externalTrafficPolicy, internalTrafficPolicy: s.internalTrafficPolicy,
                     healthCheckNodePort: s.healthCheckNodePort,
                     ports: s.ports?.map { Port(name: $0.name, protocol: $0.protocol, port: $0.port, nodePort: $0.nodePort) })
            },
            status: service.status.map { Status(loadBalancer: $0.loadBalancer) })
    }

    enum CodingKeys: String, CodingKey {
        case spec, status
    }

    public init(from decoder: Decoder) throws {
        meta = try Self.decodeMeta(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spec = try c.decodeIfPresent(Spec.self, forKey: .spec).map(\.exactlySized)
        status = try c.decodeIfPresent(Status.self, forKey: .status)
    }

    public func encode(to encoder: Encoder) throws {
        try encodeMeta(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(spec, forKey: .spec)
        try c.encodeIfPresent(status, forKey: .status)
    }
}
