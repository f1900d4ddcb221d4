/// Group, version and kind of an API type, e.g. `apps/v1 Deployment`.
public struct GroupVersionKind: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// `v1` for the core group, `apps/v1` otherwise: the `apiVersion` field of an object.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { "\(apiVersion), Kind=\(kind)" }
}

/// A top-level API object that the API server serves as a resource.
public protocol KubeObject: Codable, Sendable {
    static var gvk: GroupVersionKind { get }
    /// Plural lower-case resource name in URLs (`pods`, `endpointslices`).
    static var resource: String { get }
    static var namespaced: Bool { get }

    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: ObjectMeta? { get set }
}

extension KubeObject {
    public var name: String { metadata?.name ?? "" }
    public var namespace: String? { metadata?.namespace }
}

/// Timestamps on the wire are RFC 3339 strings (`2024-01-02T03:04:05Z`); kept as the
/// string so that an object read and written back is byte-for-byte the same.
public typealias Time = String
/// RFC 3339 with microseconds (`2024-01-02T03:04:05.123456Z`), used by Lease and Event.
public typealias MicroTime = String
