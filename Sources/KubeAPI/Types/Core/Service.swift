/// core/v1 Service.
public struct Service: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var spec: ServiceSpec?
    public var status: ServiceStatus?

    public init(metadata: ObjectMeta? = nil, spec: ServiceSpec? = nil, status: ServiceStatus? = nil) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

extension Service: KubeObject {
    public static let gvk = GroupVersionKind(group: "", version: "v1", kind: "Service")
    public static let resource = "services"
    public static let namespaced = true
}
