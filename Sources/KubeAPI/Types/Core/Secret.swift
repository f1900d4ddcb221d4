/// core/v1 Secret.
public struct Secret: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    /// Base64 strings as on the wire ([]byte in Go).
    public var data: [String: String]?
    /// Write-only convenience: merged into `data` by the server, never returned.
    public var stringData: [String: String]?
    /// e.g. Opaque, kubernetes.io/tls, kubernetes.io/service-account-token.
    public var type: String?
    public var immutable: Bool?

    public init(
        metadata: ObjectMeta? = nil,
        data: [String: String]? = nil,
        stringData: [String: String]? = nil,
        type: String? = nil,
        immutable: Bool? = nil
    ) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
        self.immutable = immutable
    }
}

extension Secret: KubeObject {
    public static let gvk = GroupVersionKind(group: "", version: "v1", kind: "Secret")
    public static let resource = "secrets"
    public static let namespaced = true
}
