import KubeAPI
import Netlink

/// The Service fields DNS answers from, decoded straight from the API's JSON (unknown fields
/// are skipped), so the informer's cache holds a few dozen bytes per Service instead of the
/// whole object: at 10k Services and 100k endpoints memory is the target that matters.
public struct DNSService: CompactKubeObject, Hashable {
    public static let gvk = Service.gvk
    public static let resource = Service.resource
    public static let namespaced = true
    /// The older spelling of `publishNotReadyAddresses` that the DNS specification still names.
    public static let keptAnnotation: String? = "service.alpha.kubernetes.io/tolerate-unready-endpoints"

    public var meta: CompactObjectMeta
    public var spec: Spec?

    public struct Spec: Codable, Sendable, Hashable {
        public var type: String?
        public var clusterIP: String?
        public var clusterIPs: [String]?
        public var externalName: String?
        public var publishNotReadyAddresses: Bool?
        public var ports: [Port]?

        public init(type: String? = nil, clusterIP: String? = nil, clusterIPs: [String]? = nil, externalName: String? = nil,
                    publishNotReadyAddresses: Bool? = nil, ports: [Port]? = nil) {
            self.type = type
            self.clusterIP = clusterIP
            self.clusterIPs = clusterIPs
            self.externalName = externalName
            self.publishNotReadyAddresses = publishNotReadyAddresses
            self.ports = ports
        }
    }

    public typealias Port = DNSPort

    public init(metadata: ObjectMeta? = nil, spec: Spec? = nil) {
        meta = CompactObjectMeta(metadata, keepingAnnotation: Self.keptAnnotation)
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case spec
    }

    public init(from decoder: Decoder) throws {
        meta = try Self.decodeMeta(from: decoder)
        spec = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Spec.self, forKey: .spec)
    }

    public func encode(to encoder: Encoder) throws {
        try encodeMeta(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(spec, forKey: .spec)
    }

    /// The cluster IPs, parsed ("None" and unparsable ones dropped).
    public var clusterIPAddresses: [IPAddress] {
        let texts = spec?.clusterIPs ?? spec?.clusterIP.map { [$0] } ?? []
        return texts.compactMap(IPAddress.init)
    }

    public var isExternalName: Bool { spec?.type == "ExternalName" }

    /// Whether not-ready endpoints are published: `publishNotReadyAddresses`, or the older
    /// annotation the specification's definition of "ready" (2.1) still names.
    public var publishesNotReadyAddresses: Bool {
        spec?.publishNotReadyAddresses == true
            || meta.keptAnnotation?.lowercased() == "true"
    }

    public var isHeadless: Bool { !isExternalName && (spec?.clusterIP == "None" || clusterIPAddresses.isEmpty) }
}

/// A named port as Services and EndpointSlices both spell it (the fields SRV records need).
public struct DNSPort: Codable, Sendable, Hashable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int32?

    public init(name: String? = nil, protocol: String? = nil, port: Int32? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
    }
}

/// The EndpointSlice fields DNS answers from.
public struct DNSEndpointSlice: CompactKubeObject, Hashable {
    public static let gvk = EndpointSlice.gvk
    public static let resource = EndpointSlice.resource
    public static let namespaced = true

    public var meta: CompactObjectMeta
    public var addressType: String?
    /// The endpoints as stored (see `PackedEndpoints`); `endpoints` unpacks them.
    public var packedEndpoints: PackedEndpoints?
    public var endpoints: [Endpoint]? {
        get { packedEndpoints.map(Array.init) }
        set { packedEndpoints = newValue.map(PackedEndpoints.init) }
    }
    public var ports: [Port]?

    /// An endpoint as DNS keeps it: its first address parsed once. The API allows up to 100
    /// addresses per endpoint but defines no meaning beyond the first (the EndpointSlice
    /// controller writes exactly one, and kube-proxy reads only that one), and an array per
    /// endpoint is an allocation per endpoint: 100k of them at the memory target.
    public struct Endpoint: Codable, Sendable, Hashable {
        public var address: IPAddress?
        public var conditions: Conditions?
        public var hostname: String?

        public init(address: IPAddress? = nil, conditions: Conditions? = nil, hostname: String? = nil) {
            self.address = address
            self.conditions = conditions
            self.hostname = hostname
        }

        /// From the API's spelling (`addresses` as strings); an unparsable first address is kept
        /// as no address, so the slice still decodes and the endpoint is skipped.
        public init(addresses: [String]?, conditions: Conditions? = nil, hostname: String? = nil) {
            self.init(address: addresses?.first.flatMap(IPAddress.init), conditions: conditions, hostname: hostname)
        }

        enum CodingKeys: String, CodingKey {
            case addresses, conditions, hostname
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var address: IPAddress?
            if var list = try? c.nestedUnkeyedContainer(forKey: .addresses), !list.isAtEnd {
                address = try list.decodeNil() ? nil : IPAddress(try list.decode(String.self))
            }
            self.init(address: address, conditions: try c.decodeIfPresent(Conditions.self, forKey: .conditions),
                      hostname: try c.decodeIfPresent(String.self, forKey: .hostname))
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(address.map { [$0.description] } ?? [], forKey: .addresses)
            try c.encodeIfPresent(conditions, forKey: .conditions)
            try c.encodeIfPresent(hostname, forKey: .hostname)
        }
    }

    /// The API's own type: three optional flags, nothing to trim.
    public typealias Conditions = EndpointConditions

    public typealias Port = DNSPort

    public init(metadata: ObjectMeta? = nil, addressType: String? = nil, endpoints: [Endpoint]? = nil, ports: [Port]? = nil) {
        meta = CompactObjectMeta(metadata, keepingAnnotation: Self.keptAnnotation)
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    enum CodingKeys: String, CodingKey {
        case addressType, endpoints, ports
    }

    public init(from decoder: Decoder) throws {
        meta = try Self.decodeMeta(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        addressType = try c.decodeIfPresent(String.self, forKey: .addressType)
        endpoints = try c.decodeIfPresent([Endpoint].self, forKey: .endpoints)
        ports = try c.decodeIfPresent([Port].self, forKey: .ports)
    }

    public func encode(to encoder: Encoder) throws {
        try encodeMeta(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(addressType, forKey: .addressType)
        try c.encodeIfPresent(endpoints, forKey: .endpoints)
        try c.encodeIfPresent(ports, forKey: .ports)
    }

    /// The ports copied to their exact size: the decoder grows arrays by doubling (the
    /// endpoints are packed as they are decoded).
    @Sendable public static func compactedForDNS(_ slice: DNSEndpointSlice) -> DNSEndpointSlice {
        var s = slice
        s.ports = s.ports?.map { $0 }
        return s
    }

    /// The Service this slice belongs to (`kubernetes.io/service-name`).
    public var serviceName: String? { meta.serviceName }
}

extension KubeObject {
    /// Only what DNS reads of a Pod's metadata: its key, and the resourceVersion and uid the
    /// informer needs.
    @Sendable static func trimmedForDNS(_ object: Self) -> Self {
        var o = object
        guard let m = object.metadata else { return o }
        var meta = ObjectMeta(name: m.name, namespace: m.namespace)
        meta.resourceVersion = m.resourceVersion
        meta.uid = m.uid
        o.metadata = meta
        return o
    }
}
