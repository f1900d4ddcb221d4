/// A list of objects of one kind as the API returns it (`PodList`, `DeploymentList`, ...).
public struct KubeList<T: KubeObject>: Codable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta?
    public var items: [T]?

    /// `apiVersion` and `kind` default to those of `T`'s list (`v1`, `PodList`).
    public init(metadata: ListMeta? = nil, items: [T]? = nil) {
        self.apiVersion = T.gvk.apiVersion
        self.kind = T.gvk.kind + "List"
        self.metadata = metadata
        self.items = items
    }
}

extension KubeList: Equatable where T: Equatable {}
extension KubeList: Hashable where T: Hashable {}
