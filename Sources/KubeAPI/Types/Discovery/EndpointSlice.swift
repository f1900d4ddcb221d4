/// discovery.k8s.io/v1 EndpointSlice: a slice of a service's endpoints, what the proxy and DNS consume.
public struct EndpointSlice: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    /// IPv4, IPv6 or FQDN.
    public var addressType: String?
    public var endpoints: [Endpoint]?
    public var ports: [EndpointPort]?

    public init(
        metadata: ObjectMeta? = nil,
        addressType: String? = nil,
        endpoints: [Endpoint]? = nil,
        ports: [EndpointPort]? = nil
    ) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }
}

extension EndpointSlice: KubeObject {
    public static let gvk = GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")
    public static let resource = "endpointslices"
    public static let namespaced = true
}

/// discovery.k8s.io/v1 Endpoint: one backend of an EndpointSlice.
public struct Endpoint: Codable, Sendable, Hashable {
    public var addresses: [String]?
    public var conditions: EndpointConditions?
    public var hostname: String?
    public var targetRef: ObjectReference?
    public var deprecatedTopology: [String: String]?
    public var nodeName: String?
    public var zone: String?
    public var hints: EndpointHints?

    public init(
        addresses: [String]? = nil,
        conditions: EndpointConditions? = nil,
        hostname: String? = nil,
        targetRef: ObjectReference? = nil,
        deprecatedTopology: [String: String]? = nil,
        nodeName: String? = nil,
        zone: String? = nil,
        hints: EndpointHints? = nil
    ) {
        self.addresses = addresses
        self.conditions = conditions
        self.hostname = hostname
        self.targetRef = targetRef
        self.deprecatedTopology = deprecatedTopology
        self.nodeName = nodeName
        self.zone = zone
        self.hints = hints
    }
}

/// discovery.k8s.io/v1 EndpointConditions. Nil `ready`/`serving` mean unknown and are treated as true.
public struct EndpointConditions: Codable, Sendable, Hashable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?

    public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }
}

/// discovery.k8s.io/v1 EndpointHints: topology-aware routing hints.
public struct EndpointHints: Codable, Sendable, Hashable {
    public var forZones: [ForZone]?

    public init(forZones: [ForZone]? = nil) {
        self.forZones = forZones
    }
}

/// discovery.k8s.io/v1 ForZone.
public struct ForZone: Codable, Sendable, Hashable {
    public var name: String?

    public init(name: String? = nil) {
        self.name = name
    }
}
