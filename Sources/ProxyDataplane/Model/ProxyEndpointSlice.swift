import KubeAPI

/// The EndpointSlice fields the proxy programs from, decoded straight from the API's JSON:
/// per endpoint its first address, conditions, node, zone and zone hints; not the Pod
/// reference or hostname (DNS's business), which were a third of a cached slice.
public struct ProxyEndpointSlice: CompactKubeObject, Hashable {
    public static let gvk = EndpointSlice.gvk
    public static let resource = EndpointSlice.resource
    public static let namespaced = true
    /// When the change that produced this version of the slice happened, for
    /// `network_programming_duration_seconds`.
    public static let keptAnnotation: String? = "endpoints.kubernetes.io/last-change-trigger-time"

    public var meta: CompactObjectMeta
    public var addressType: String?
    public var endpoints: [Endpoint]?
    public var ports: [EndpointPort]?

    /// An endpoint as the proxy reads it. The API allows up to 100 addresses but defines no
    /// meaning beyond the first (the controller writes one; upstream kube-proxy reads one), and
    /// an array per endpoint is an allocation per endpoint.
    public struct Endpoint: Codable, Sendable, Hashable {
        /// The first of `addresses`, as written (validated when the slice is translated).
        public var address: String?
        public var conditions: EndpointConditions?
        public var nodeName: String?
        public var zone: String?
        /// `hints.forZones[].name`.
        public var zoneHints: [String]?

        public init(address: String? = nil, conditions: EndpointConditions? = nil, nodeName: String? = nil,
                    zone: String? = nil, zoneHints: [String]? = nil) {
            self.address = address
            self.conditions = conditions
            self.nodeName = nodeName
            self.zone = zone
            self.zoneHints = zoneHints
        }

        /// The proxy's part of an API endpoint.
        public init(_ endpoint: KubeAPI.Endpoint) {
            self.init(address: endpoint.addresses?.first, conditions: endpoint.conditions, nodeName: endpoint.nodeName,
                      zone: endpoint.zone, zoneHints: endpoint.hints?.forZones?.compactMap(\.name))
        }

        enum CodingKeys: String, CodingKey {
            case addresses, conditions, nodeName, zone, hints
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var address: String?
            if var list = try? c.nestedUnkeyedContainer(forKey: .addresses), !list.isAtEnd {
                address = try list.decodeIfPresent(String.self)
            }
            let hints = try c.decodeIfPresent(EndpointHints.self, forKey: .hints)
            self.init(address: address, conditions: try c.decodeIfPresent(EndpointConditions.self, forKey: .conditions),
                      nodeName: try c.decodeIfPresent(String.self, forKey: .nodeName),
                      zone: try c.decodeIfPresent(String.self, forKey: .zone),
                      zoneHints: hints?.forZones?.compactMap(\.name))
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(address.map { [$0] } ?? [], forKey: .addresses)
            try c.encodeIfPresent(conditions, forKey: .conditions)
            try c.encodeIfPresent(nodeName, forKey: .nodeName)
            try c.encodeIfPresent(zone, forKey: .zone)
            try c.encodeIfPresent(zoneHints.map { EndpointHints(forZones: $0.map { ForZone(name: $0) }) }, forKey: .hints)
        }
    }

    public init(metadata: ObjectMeta? = nil, addressType: String? = nil, endpoints: [Endpoint]? = nil,
                ports: [EndpointPort]? = nil) {
        meta = CompactObjectMeta(metadata, keepingAnnotation: Self.keptAnnotation)
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// The proxy's part of a full EndpointSlice.
    public init(_ slice: EndpointSlice) {
        self.init(metadata: slice.metadata, addressType: slice.addressType,
                  endpoints: slice.endpoints?.map(Endpoint.init), ports: slice.ports)
    }

    enum CodingKeys: String, CodingKey {
        case addressType, endpoints, ports
    }

    public init(from decoder: Decoder) throws {
        meta = try Self.decodeMeta(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        addressType = try c.decodeIfPresent(String.self, forKey: .addressType)
        // Copied to their exact size: the decoder grows arrays by doubling.
        endpoints = try c.decodeIfPresent([Endpoint].self, forKey: .endpoints)?.map { $0 }
        ports = try c.decodeIfPresent([EndpointPort].self, forKey: .ports)?.map { $0 }
    }

    public func encode(to encoder: Encoder) throws {
        try encodeMeta(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(addressType, forKey: .addressType)
        try c.encodeIfPresent(endpoints, forKey: .endpoints)
        try c.encodeIfPresent(ports, forKey: .ports)
    }
}
