/// The metadata a component keeps of objects it caches by the ten thousand (the proxy's and
/// DNS's Services and EndpointSlices): the key, the resourceVersion the informer resumes from,
/// the EndpointSlice's Service label, and the one annotation the object's type reads.
/// `ObjectMeta` inline is about 200 bytes of fields these readers never look at, plus a
/// dictionary per labelled object.
public struct CompactObjectMeta: Sendable, Hashable {
    public var name: String?
    public var namespace: String?
    public var resourceVersion: String?
    /// The `kubernetes.io/service-name` label (an EndpointSlice's Service).
    public var serviceName: String?
    /// The value of the annotation named by the object type's `CompactKubeObject.keptAnnotation`.
    public var keptAnnotation: String?

    public static let serviceNameLabel = "kubernetes.io/service-name"

    public init(_ meta: ObjectMeta?, keepingAnnotation annotation: String?) {
        name = meta?.name
        namespace = meta?.namespace
        resourceVersion = meta?.resourceVersion
        serviceName = meta?.labels?[Self.serviceNameLabel]
        keptAnnotation = annotation.flatMap { meta?.annotations?[$0] }
    }

    /// As the API spells it, for generic code (informer keys, resourceVersions).
    public func objectMeta(annotation: String?) -> ObjectMeta {
        var meta = ObjectMeta(name: name, namespace: namespace,
                              labels: serviceName.map { [Self.serviceNameLabel: $0] },
                              annotations: annotation.flatMap { key in keptAnnotation.map { [key: $0] } })
        meta.resourceVersion = resourceVersion
        return meta
    }
}

/// An object decoded straight from the API's JSON into the few fields its reader uses
/// (unknown fields are skipped): metadata kept as `CompactObjectMeta`; `apiVersion` and `kind`
/// are the type's own, not stored.
public protocol CompactKubeObject: KubeObject {
    /// The one annotation kept in `meta.keptAnnotation`, if any.
    static var keptAnnotation: String? { get }
    var meta: CompactObjectMeta { get set }
}

private enum CompactObjectKeys: String, CodingKey {
    case apiVersion, kind, metadata
}

extension CompactKubeObject {
    public static var keptAnnotation: String? { nil }

    public var apiVersion: String? {
        get { Self.gvk.apiVersion }
        set {}
    }

    public var kind: String? {
        get { Self.gvk.kind }
        set {}
    }

    public var metadata: ObjectMeta? {
        get { meta.objectMeta(annotation: Self.keptAnnotation) }
        set { meta = CompactObjectMeta(newValue, keepingAnnotation: Self.keptAnnotation) }
    }

    /// The metadata of a compact object's JSON, for the type's `init(from:)`.
    public static func decodeMeta(from decoder: Decoder) throws -> CompactObjectMeta {
        let c = try decoder.container(keyedBy: CompactObjectKeys.self)
        return CompactObjectMeta(try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata),
                                 keepingAnnotation: keptAnnotation)
    }

    /// Writes `apiVersion`, `kind` and `metadata`, for the type's `encode(to:)`.
    public func encodeMeta(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CompactObjectKeys.self)
        try c.encode(Self.gvk.apiVersion, forKey: .apiVersion)
        try c.encode(Self.gvk.kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
    }
}
