import KubeAPI
import Netlink

/// The Service fields DNS answers from, decoded straight from the API's JSON (unknown fields
/// are skipped), so the informer's cache holds a few dozen bytes per Service instead of the
/// whole object: at 10k Services and 100k endpoints memory is the target that matters.
public struct DNSService: KubeObject, Hashable {
    public static let gvk = Service.gvk
    public static let resource = Service.resource
    public static let namespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
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
        apiVersion = Self.gvk.apiVersion
        kind = Self.gvk.kind
        self.metadata = metadata
        self.spec = spec
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
            || metadata?.annotations?[Self.tolerateUnreadyAnnotation]?.lowercased() == "true"
    }

    public static let tolerateUnreadyAnnotation = "service.alpha.kubernetes.io/tolerate-unready-endpoints"
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

/// The EndpointSlice fields DNS answers from (addresses stay strings: an IPv4 one fits in a
/// String without a heap allocation).
public struct DNSEndpointSlice: KubeObject, Hashable {
    public static let gvk = EndpointSlice.gvk
    public static let resource = EndpointSlice.resource
    public static let namespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var addressType: String?
    public var endpoints: [Endpoint]?
    public var ports: [Port]?

    public struct Endpoint: Codable, Sendable, Hashable {
        public var addresses: [String]?
        public var conditions: Conditions?
        public var hostname: String?

        public init(addresses: [String]? = nil, conditions: Conditions? = nil, hostname: String? = nil) {
            self.addresses = addresses
            self.conditions = conditions
            self.hostname = hostname
        }
    }

    public struct Conditions: Codable, Sendable, Hashable {
        public var ready: Bool?
        public var serving: Bool?
        public var terminating: Bool?

        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }

    public typealias Port = DNSPort

    public init(metadata: ObjectMeta? = nil, addressType: String? = nil, endpoints: [Endpoint]? = nil, ports: [Port]? = nil) {
        apiVersion = Self.gvk.apiVersion
        kind = Self.gvk.kind
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// `trimmedForDNS`, and the arrays copied to their exact size: the decoder grows them by
    /// doubling, and at 100k endpoints the slack is megabytes.
    @Sendable public static func compactedForDNS(_ slice: DNSEndpointSlice) -> DNSEndpointSlice {
        var s = trimmedForDNS(slice)
        s.endpoints = s.endpoints?.map { e in
            Endpoint(addresses: e.addresses?.map { $0 }, conditions: e.conditions, hostname: e.hostname)
        }
        s.ports = s.ports?.map { $0 }
        return s
    }

    /// The Service this slice belongs to (`kubernetes.io/service-name`).
    public var serviceName: String? { metadata?.labels?["kubernetes.io/service-name"] }
}

extension KubeObject {
    /// Only what DNS reads of metadata: name, namespace, labels (the slice's service), and
    /// the resourceVersion the informer needs.
    @Sendable static func trimmedForDNS(_ object: Self) -> Self {
        var o = object
        guard let m = object.metadata else { return o }
        var meta = ObjectMeta(name: m.name, namespace: m.namespace)
        meta.resourceVersion = m.resourceVersion
        meta.uid = m.uid
        if let service = m.labels?["kubernetes.io/service-name"] { meta.labels = ["kubernetes.io/service-name": service] }
        if let tolerate = m.annotations?[DNSService.tolerateUnreadyAnnotation] {
            meta.annotations = [DNSService.tolerateUnreadyAnnotation: tolerate]
        }
        o.metadata = meta
        return o
    }
}
