/// core/v1 Endpoints: the legacy per-service address list (EndpointSlice replaces it).
public struct Endpoints: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var subsets: [EndpointSubset]?

    public init(metadata: ObjectMeta? = nil, subsets: [EndpointSubset]? = nil) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.subsets = subsets
    }
}

extension Endpoints: KubeObject {
    public static let gvk = GroupVersionKind(group: "", version: "v1", kind: "Endpoints")
    public static let resource = "endpoints"
    public static let namespaced = true
}

/// core/v1 EndpointSubset: every address serves every port of the subset.
public struct EndpointSubset: Codable, Sendable, Hashable {
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?

    public init(
        addresses: [EndpointAddress]? = nil,
        notReadyAddresses: [EndpointAddress]? = nil,
        ports: [EndpointPort]? = nil
    ) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}

/// core/v1 EndpointAddress.
public struct EndpointAddress: Codable, Sendable, Hashable {
    public var ip: String?
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?

    public init(
        ip: String? = nil,
        hostname: String? = nil,
        nodeName: String? = nil,
        targetRef: ObjectReference? = nil
    ) {
        self.ip = ip
        self.hostname = hostname
        self.nodeName = nodeName
        self.targetRef = targetRef
    }
}

/// core/v1 EndpointPort and discovery.k8s.io/v1 EndpointPort: the two upstream types have the same fields and JSON.
public struct EndpointPort: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int32?
    public var `protocol`: String?
    public var appProtocol: String?

    public init(name: String? = nil, port: Int32? = nil, `protocol`: String? = nil, appProtocol: String? = nil) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
        self.appProtocol = appProtocol
    }
}
