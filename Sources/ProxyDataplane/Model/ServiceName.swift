/// A Service's namespace and name: the unit kube-proxy tracks changes by (its NamespacedName).
/// EndpointSlices name their service through the `kubernetes.io/service-name` label, in the
/// slice's own namespace.
public struct ServiceName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of an object's metadata; nil when namespace or name is missing or empty
    /// (such an object cannot be a service the proxy could key rules by).
    init?(validatingNamespace namespace: String?, name: String?) {
        guard let namespace, !namespace.isEmpty, let name, !name.isEmpty else { return nil }
        self.init(namespace: namespace, name: name)
    }

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool {
        lhs.namespace != rhs.namespace ? lhs.namespace < rhs.namespace : lhs.name < rhs.name
    }

    public var description: String { "\(namespace)/\(name)" }
}
