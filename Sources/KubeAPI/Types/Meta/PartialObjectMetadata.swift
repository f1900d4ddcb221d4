/// meta.k8s.io/v1 PartialObjectMetadata: an object reduced to its metadata (Table rows with `includeObject=Metadata`, metadata-only lists).
public struct PartialObjectMetadata: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ObjectMeta? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
    }
}
