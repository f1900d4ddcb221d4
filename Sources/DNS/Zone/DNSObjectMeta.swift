import KubeAPI

/// The metadata DNS keeps of a Service or EndpointSlice: the key, the resourceVersion the
/// informer resumes from, and the one label and one annotation DNS reads. `ObjectMeta` inline
/// is about 200 bytes of fields DNS never looks at (and a dictionary per labelled object); at
/// 10k Services and 10k slices in the informer's cache that was 5 MiB.
public struct DNSObjectMeta: Sendable, Hashable {
    public var name: String?
    public var namespace: String?
    public var resourceVersion: String?
    /// The `kubernetes.io/service-name` label (an EndpointSlice's Service).
    public var serviceName: String?
    /// The `service.alpha.kubernetes.io/tolerate-unready-endpoints` annotation.
    public var tolerateUnready: String?

    public static let serviceNameLabel = "kubernetes.io/service-name"
    public static let tolerateUnreadyAnnotation = "service.alpha.kubernetes.io/tolerate-unready-endpoints"

    public init(_ meta: ObjectMeta?) {
        name = meta?.name
        namespace = meta?.namespace
        resourceVersion = meta?.resourceVersion
        serviceName = meta?.labels?[Self.serviceNameLabel]
        tolerateUnready = meta?.annotations?[Self.tolerateUnreadyAnnotation]
    }

    /// As the API spells it, for the informer's generic code (keys, resourceVersions).
    public var objectMeta: ObjectMeta {
        var meta = ObjectMeta(name: name, namespace: namespace,
                              labels: serviceName.map { [Self.serviceNameLabel: $0] },
                              annotations: tolerateUnready.map { [Self.tolerateUnreadyAnnotation: $0] })
        meta.resourceVersion = resourceVersion
        return meta
    }
}

/// `apiVersion`, `kind` and `metadata` for the lean DNS objects: the first two are the type's
/// own (not stored), metadata is decoded whole and kept as `DNSObjectMeta`.
enum LeanObjectKeys: String, CodingKey {
    case apiVersion, kind, metadata
}

/// A Service or EndpointSlice as DNS caches it: metadata kept as `DNSObjectMeta`, `apiVersion`
/// and `kind` the type's own (what the informer's generic code reads is computed).
public protocol LeanDNSObject: KubeObject {
    var meta: DNSObjectMeta { get set }
}

extension LeanDNSObject {
    public var apiVersion: String? {
        get { Self.gvk.apiVersion }
        set {}
    }

    public var kind: String? {
        get { Self.gvk.kind }
        set {}
    }

    public var metadata: ObjectMeta? {
        get { meta.objectMeta }
        set { meta = DNSObjectMeta(newValue) }
    }
}

extension DNSObjectMeta {
    /// The metadata of a lean object's JSON.
    init(from decoder: Decoder) throws {
        self.init(try decoder.container(keyedBy: LeanObjectKeys.self).decodeIfPresent(ObjectMeta.self, forKey: .metadata))
    }

    /// Writes a lean object's `apiVersion`, `kind` and `metadata`.
    func encode(to encoder: Encoder, as gvk: GroupVersionKind) throws {
        var c = encoder.container(keyedBy: LeanObjectKeys.self)
        try c.encode(gvk.apiVersion, forKey: .apiVersion)
        try c.encode(gvk.kind, forKey: .kind)
        try c.encode(objectMeta, forKey: .metadata)
    }
}
