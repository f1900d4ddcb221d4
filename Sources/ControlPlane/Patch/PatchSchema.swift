#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Which fields of a kind merge specially: the `patchStrategy` / `patchMergeKey` struct
/// tags of k8s.io/api (for strategic merge patch) and the list types of its OpenAPI
/// schema (for server-side apply ownership).
///
/// Fields are addressed by dotted paths from the object root; `[]` steps into list
/// elements, so `spec.template.spec.containers[].env` is the env list of every
/// container of a Deployment's pod template. Paths not in the table fall back to
/// the unstructured defaults: objects merge recursively, lists are replaced.
public struct PatchSchema: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public enum Strategy: Sendable, Hashable {
            /// Lists merge element by element (by `mergeKey`, or as a set of scalars).
            case merge
            /// The patch value replaces the field wholesale, even for objects.
            case replace
        }

        /// `nil` is the default: objects merge, lists are replaced.
        public var strategy: Strategy?
        /// `patchStrategy:"…retainKeys"`: patches may carry `$retainKeys` to clear the
        /// members they do not list (one-of unions such as a volume's source).
        public var retainKeys: Bool
        public var mergeKey: String?
        /// Overrides the ownership that server-side apply derives from the strategy,
        /// where the OpenAPI list type differs from the patch tags.
        public var ownership: Ownership?
        /// Values the API server defaults for key fields (a port's `protocol`), so an
        /// applied element without them still matches the stored one.
        public var keyDefaults: [String: JSONValue]

        public init(strategy: Strategy? = nil, retainKeys: Bool = false, mergeKey: String? = nil,
                    ownership: Ownership? = nil, keyDefaults: [String: JSONValue] = [:]) {
            self.strategy = strategy
            self.retainKeys = retainKeys
            self.mergeKey = mergeKey
            self.ownership = ownership
            self.keyDefaults = keyDefaults
        }

        /// `patchStrategy:"merge" patchMergeKey:"<key>"`
        public static func mergeList(key: String, retainKeys: Bool = false, applyKeys: [String]? = nil,
                                     keyDefaults: [String: JSONValue] = [:]) -> Field {
            Field(strategy: .merge, retainKeys: retainKeys, mergeKey: key,
                  ownership: applyKeys.map { .map(keys: $0) }, keyDefaults: keyDefaults)
        }

        /// `patchStrategy:"merge"` on a list of scalars (finalizers): a set union.
        public static let mergeSet = Field(strategy: .merge)

        /// A list or object owned and replaced as a whole (`+listType=atomic`,
        /// `+structType=atomic`).
        public static let atomic = Field(ownership: .atomic)

        /// `patchStrategy:"retainKeys"` on an object (Deployment `spec.strategy`).
        public static let retainKeysObject = Field(retainKeys: true)

        /// How server-side apply tracks who owns the parts of a value of this field.
        func ownership(for value: JSONValue) -> Ownership {
            if let ownership { return ownership }
            switch value {
            case .array:
                guard strategy == .merge else { return .atomic }
                if let mergeKey { return .map(keys: [mergeKey]) }
                return .set
            case .object:
                return strategy == .replace ? .atomic : .granular
            default:
                return .atomic
            }
        }
    }

    /// Ownership granularity for server-side apply (structured-merge-diff).
    public enum Ownership: Sendable, Hashable {
        /// Objects: every member is owned on its own.
        case granular
        /// The whole value belongs to whoever set it last.
        case atomic
        /// A list of scalars whose values are owned one by one.
        case set
        /// A list of objects whose elements are identified by these key fields.
        case map(keys: [String])
    }

    public var fields: [String: Field]

    public init(fields: [String: Field] = [:]) {
        self.fields = fields
    }

    /// No special fields: objects merge, lists are replaced.
    public static let unstructured = PatchSchema()

    public func field(at path: String) -> Field {
        fields[path] ?? Field()
    }

    func field(at path: SchemaPath) -> Field {
        fields[path.text] ?? Field()
    }

    /// The schema for a served kind; unknown kinds get the unstructured defaults.
    public static func forKind(_ gvk: GroupVersionKind) -> PatchSchema {
        builtIn["\(gvk.group)/\(gvk.kind)"] ?? .unstructured
    }

    /// The schema for an object, by its `apiVersion` and `kind`.
    public static func forObject(_ object: JSONValue) -> PatchSchema {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        return builtIn["\(group)/\(kind)"] ?? .unstructured
    }
}

/// A position in the schema while walking a document: the dotted path with `[]` for
/// list elements, as the table spells it.
struct SchemaPath: Hashable, Sendable {
    var text: String

    static let root = SchemaPath(text: "")

    func child(_ key: String) -> SchemaPath {
        SchemaPath(text: text.isEmpty ? key : text + "." + key)
    }

    var element: SchemaPath { SchemaPath(text: text + "[]") }
}

// MARK: - The built-in kinds

extension PatchSchema {
    /// Tags as in k8s.io/api v1.32. Lists not named here have no patch strategy upstream
    /// and are replaced by a patch, e.g. tolerations, node taints, Endpoints subsets,
    /// EndpointSlice endpoints and ports, Namespace spec.finalizers.
    static let builtIn: [String: PatchSchema] = {
        func meta(_ p: String) -> [String: Field] {
            [
                p + "ownerReferences": .mergeList(key: "uid"),
                p + "finalizers": .mergeSet,
            ]
        }

        func container(_ p: String) -> [String: Field] {
            [
                p + "ports": .mergeList(key: "containerPort", applyKeys: ["containerPort", "protocol"],
                                        keyDefaults: ["protocol": "TCP"]),
                p + "env": .mergeList(key: "name"),
                p + "volumeMounts": .mergeList(key: "mountPath"),
                p + "volumeDevices": .mergeList(key: "devicePath"),
                p + "resizePolicy": .atomic,
            ]
        }

        func podSpec(_ p: String) -> [String: Field] {
            var f: [String: Field] = [
                p + "volumes": .mergeList(key: "name", retainKeys: true),
                p + "initContainers": .mergeList(key: "name"),
                p + "containers": .mergeList(key: "name"),
                p + "ephemeralContainers": .mergeList(key: "name"),
                p + "imagePullSecrets": .mergeList(key: "name"),
                p + "hostAliases": .mergeList(key: "ip"),
                // SMP merges by topologyKey alone; the OpenAPI list map key is the pair.
                p + "topologySpreadConstraints": .mergeList(key: "topologyKey",
                                                            applyKeys: ["topologyKey", "whenUnsatisfiable"]),
                p + "topologySpreadConstraints[].labelSelector": .atomic,
                p + "schedulingGates": .mergeList(key: "name"),
                p + "resourceClaims": .mergeList(key: "name", retainKeys: true),
                p + "tolerations": .atomic,
                p + "readinessGates": .atomic,
            ]
            for list in ["initContainers", "containers", "ephemeralContainers"] {
                f.merge(container(p + list + "[]."), uniquingKeysWith: { a, _ in a })
            }
            return f
        }

        func podTemplate(_ p: String) -> [String: Field] {
            meta(p + "metadata.").merging(podSpec(p + "spec."), uniquingKeysWith: { a, _ in a })
        }

        let conditions: [String: Field] = ["status.conditions": .mergeList(key: "type")]

        func kind(_ parts: [String: Field]...) -> PatchSchema {
            var all = meta("metadata.")
            for part in parts { all.merge(part, uniquingKeysWith: { a, _ in a }) }
            return PatchSchema(fields: all)
        }

        let pod = kind(podSpec("spec."), conditions, [
            "status.podIPs": .mergeList(key: "ip"),
            "status.hostIPs": .mergeList(key: "ip"),
            "status.resourceClaimStatuses": .mergeList(key: "name", retainKeys: true),
        ])
        let service = kind(conditions, [
            "spec.ports": .mergeList(key: "port", applyKeys: ["port", "protocol"], keyDefaults: ["protocol": "TCP"]),
        ])
        let node = kind(conditions, [
            "spec.podCIDRs": .mergeSet,
            "spec.taints": .atomic,
            // Merged by type for patches, but atomic for apply: a node may report several
            // addresses of one type, so the type cannot identify an element.
            "status.addresses": Field(strategy: .merge, mergeKey: "type", ownership: .atomic),
        ])
        let workload = kind(podTemplate("spec.template."), conditions, [
            // LabelSelector is +structType=atomic.
            "spec.selector": .atomic,
        ])
        let deployment = kind(podTemplate("spec.template."), conditions, [
            "spec.selector": .atomic,
            "spec.strategy": .retainKeysObject,
        ])
        let plain = kind()

        return [
            "/Pod": pod,
            "/Service": service,
            "/Node": node,
            "/Endpoints": kind(["subsets": .atomic]),
            "discovery.k8s.io/EndpointSlice": kind(["endpoints": .atomic, "ports": .atomic]),
            "/Namespace": kind(conditions, ["spec.finalizers": .atomic]),
            "/ConfigMap": plain,
            "/Secret": plain,
            "/Event": plain,
            "events.k8s.io/Event": plain,
            "coordination.k8s.io/Lease": plain,
            "apps/Deployment": deployment,
            "apps/ReplicaSet": workload,
            "/PodTemplate": kind(podTemplate("template.")),
        ]
    }()
}
