/// core/v1 Pod.
public struct Pod: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var spec: PodSpec?
    public var status: PodStatus?

    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil, status: PodStatus? = nil) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

extension Pod: KubeObject {
    public static let gvk = GroupVersionKind(group: "", version: "v1", kind: "Pod")
    public static let resource = "pods"
    public static let namespaced = true
}
