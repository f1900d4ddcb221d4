/// autoscaling/v1 Scale: the `scale` subresource of Deployments and ReplicaSets.
/// `resource` is the subresource name: Scale is never served as a collection of its own.
public struct Scale: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var spec: ScaleSpec?
    public var status: ScaleStatus?

    public init(metadata: ObjectMeta? = nil, spec: ScaleSpec? = nil, status: ScaleStatus? = nil) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

extension Scale: KubeObject {
    public static let gvk = GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")
    public static let resource = "scale"
    public static let namespaced = true
}

/// autoscaling/v1 ScaleSpec.
public struct ScaleSpec: Codable, Sendable, Hashable {
    public var replicas: Int32?

    public init(replicas: Int32? = nil) {
        self.replicas = replicas
    }
}

/// autoscaling/v1 ScaleStatus. `selector` is the label selector in string form (`app=web,tier in (a,b)`).
public struct ScaleStatus: Codable, Sendable, Hashable {
    public var replicas: Int32?
    public var selector: String?

    public init(replicas: Int32? = nil, selector: String? = nil) {
        self.replicas = replicas
        self.selector = selector
    }
}
