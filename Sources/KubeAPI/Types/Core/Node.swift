/// core/v1 Node.
public struct Node: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var spec: NodeSpec?
    public var status: NodeStatus?

    public init(metadata: ObjectMeta? = nil, spec: NodeSpec? = nil, status: NodeStatus? = nil) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

extension Node: KubeObject {
    public static let gvk = GroupVersionKind(group: "", version: "v1", kind: "Node")
    public static let resource = "nodes"
    public static let namespaced = false
}
