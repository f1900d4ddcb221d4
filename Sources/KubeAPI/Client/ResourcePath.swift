/// Where a resource lives in the REST API: `/api/v1/namespaces/{ns}/pods/{name}/status`
/// for the core group, `/apis/{group}/{version}/...` for the others.
public struct ResourcePath: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String
    /// `nil` for cluster-scoped resources, and for namespaced ones across all namespaces.
    public var namespace: String?
    public var name: String?
    public var subresource: String?

    public init(group: String, version: String, resource: String, namespace: String? = nil,
                name: String? = nil, subresource: String? = nil) {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
    }

    /// The path of `T`'s collection or of one object; a namespace given for a
    /// cluster-scoped type is ignored, because such objects have none.
    public init<T: KubeObject>(_ type: T.Type, namespace: String? = nil, name: String? = nil,
                               subresource: String? = nil) {
        self.init(group: T.gvk.group, version: T.gvk.version, resource: T.resource,
                  namespace: T.namespaced ? namespace : nil, name: name, subresource: subresource)
    }

    public var path: String {
        var p = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let namespace, !namespace.isEmpty { p += "/namespaces/" + Self.escape(namespace) }
        p += "/" + resource
        if let name, !name.isEmpty {
            p += "/" + Self.escape(name)
            if let subresource, !subresource.isEmpty { p += "/" + subresource }
        }
        return p
    }

    public var description: String { path }

    /// Names are DNS labels in practice, but a stray character must not change the path.
    static func escape(_ segment: String) -> String {
        QueryEncoding.percentEncode(segment)
    }
}
