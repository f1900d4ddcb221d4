/// An EndpointSlice's namespace and name: slices are tracked one by one (an endpoint can move
/// from one slice of a service to another, and only per-slice state gets that right).
public struct EndpointSliceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    init?(validatingNamespace namespace: String?, name: String?) {
        guard let namespace, !namespace.isEmpty, let name, !name.isEmpty else { return nil }
        self.init(namespace: namespace, name: name)
    }

    public static func < (lhs: EndpointSliceKey, rhs: EndpointSliceKey) -> Bool {
        lhs.namespace != rhs.namespace ? lhs.namespace < rhs.namespace : lhs.name < rhs.name
    }

    public var description: String { "\(namespace)/\(name)" }
}
