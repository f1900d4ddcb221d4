/// core/v1 ConfigMap.
public struct ConfigMap: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var data: [String: String]?
    /// Base64 strings as on the wire ([]byte in Go).
    public var binaryData: [String: String]?
    public var immutable: Bool?

    public init(
        metadata: ObjectMeta? = nil,
        data: [String: String]? = nil,
        binaryData: [String: String]? = nil,
        immutable: Bool? = nil
    ) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }
}

extension ConfigMap: KubeObject {
    public static let gvk = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
    public static let resource = "configmaps"
    public static let namespaced = true
}
