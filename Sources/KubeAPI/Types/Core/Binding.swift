/// core/v1 Binding: the scheduler's assignment of a pod (named by `metadata`) to a node (`target`).
/// Posted to `pods/{name}/binding` or to the `bindings` collection.
public struct Binding: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var target: ObjectReference?

    public init(metadata: ObjectMeta? = nil, target: ObjectReference? = nil) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.target = target
    }
}

extension Binding: KubeObject {
    public static let gvk = GroupVersionKind(group: "", version: "v1", kind: "Binding")
    public static let resource = "bindings"
    public static let namespaced = true
}
