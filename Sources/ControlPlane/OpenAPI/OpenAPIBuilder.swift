#if !STANDALONE_CHECK
import KubeAPI
#endif

// Why the OpenAPI documents look as they do — what kubectl v1.32 reads from them.
// (Checked against the kubectl 1.32 binary on this machine with a fake API server that logs
// requests and serves these documents, and against the kubectl / cli-runtime / client-go /
// apimachinery sources.)
//
// (a) Server-side field validation. `kubectl apply|create|replace` validate with
//     --validate=strict by default. kubectl's paramVerifyingSchema first asks a verifier
//     whether the server supports `?fieldValidation=` for the object's GVK; only if the
//     answer is "unsupported" does it validate client-side, against /openapi/v2 (fetched
//     lazily, only then). The verifier is cli-runtime's FallbackQueryParamVerifier(primary:
//     QueryParamVerifierV3, secondary: the v2 verifier):
//     - V3 fetches GET /openapi/v3 (the index), picks `paths["api/v1"]` or
//       `paths["apis/<group>/<version>"]`, fetches its `serverRelativeURL`, then scans
//       every path item for a `patch` operation whose `x-kubernetes-group-version-kind`
//       (a single {group, version, kind} object) equals the GVK, and answers "supported"
//       if that operation has a parameter `{"name": "fieldValidation", "in": "query"}`
//       (a `$ref` to `#/parameters/…` in components.parameters also counts).
//     - Only the FIRST matching PATCH operation is examined, and Go map order is random,
//       so every PATCH operation carrying a GVK (status and scale subresources included)
//       must list fieldValidation — as they all do here.
//     - GroupVersion missing from the index → "unsupported" (for a CRD kind the core/v1
//       Namespace PATCH operation is checked instead) → client-side validation → GET
//       /openapi/v2. A GV document without a PATCH operation for the GVK is an error that
//       falls back to the v2 verifier → GET /openapi/v2 too. A `kind: List` manifest (v1
//       List, what `kubectl get -o yaml` writes) is always "unsupported" → /openapi/v2.
//     - /openapi/v2 is requested ONLY with `Accept:
//       application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and parsed as gnostic
//       protobuf; there is no JSON fallback: a JSON body fails with "proto: cannot parse
//       invalid wire-format data", 404/406 with "failed to download openapi: …", so the
//       apply fails. Hence `swaggerV2Protobuf()`.
//     Observed with kubectl 1.32: with these v3 documents `kubectl apply/create/replace`
//     (and --server-side) make no /openapi/v2 request and send `fieldValidation=Strict`;
//     with the protobuf served, `kind: List` manifests apply and an unknown field in an
//     item fails client-side as upstream's does ("ValidationError(ConfigMap): unknown
//     field "bogus" in io.k8s.api.core.v1.ConfigMap").
// (b) `kubectl explain pods.spec.containers` (OpenAPI v3 since 1.27): resolves `pods` to a
//     GVR through discovery, fetches the index and the GV document, then (plaintext
//     template) looks for the paths `/api/v1/pods`, `/api/v1/pods/{name}`,
//     `/api/v1/namespaces/{namespace}/pods`, `/api/v1/namespaces/{namespace}/pods/{name}`
//     and takes `x-kubernetes-group-version-kind` from their get/post/put/patch/delete
//     operation; then the component in `components.schemas` whose
//     `x-kubernetes-group-version-kind` (a LIST of {group, kind, version}) contains that
//     GVK exactly. Fields are followed through `properties`, `$ref`, `allOf`, `items`
//     and object-valued `additionalProperties`; a field's type is printed from `type`,
//     or from the last dot-component of its `$ref` (`[]Container`, `map[string]Quantity`,
//     `IntOrString` — those two have no `type`, only `oneOf`, as upstream's). Component
//     names follow upstream (`io.k8s.api.core.v1.Pod`); `required` prints `-required-`;
//     descriptions come from `description` (type descriptions when a field has none).
//     `--output=plaintext-openapiv2` reads the v2 protobuf instead (works too).
// (c) Client-side `kubectl apply` (3-way strategic merge patch) uses OpenAPI v3 since 1.27
//     (KUBECTL_OPENAPIV3_PATCH, on by default): it finds the PATCH operation for the GVK,
//     requires `application/strategic-merge-patch+json` in its requestBody.content, then
//     takes the component whose GVK list contains the GVK and walks it with
//     PatchMetaFromOpenAPIV3: `properties[field]`, `allOf[0]`, `$ref`
//     (`#/components/schemas/…`) and `items`, reading `x-kubernetes-patch-strategy` and
//     `x-kubernetes-patch-merge-key` from the property (the array), not the items. A field
//     missing from `properties` makes it print "warning: error calculating patch from
//     openapi v3 spec" and fall back to v2 and then to kubectl's compiled-in types.
//     Observed: the patch kubectl sends carries `$setElementOrder/containers` and merges
//     ports by containerPort; with the merge key removed from the document it replaced the
//     whole containers list — so the metadata really comes from this document. Merge keys
//     are upstream's: containers/initContainers/ephemeralContainers/volumes/env/
//     imagePullSecrets by name, container ports by containerPort, service ports by port,
//     volumeMounts by mountPath, conditions/addresses by type, podIPs/hostAliases by ip,
//     ownerReferences by uid. /openapi/v2 is consulted only when v3 gave no patch.
//
// Serving notes for the HTTP layer:
// - GET /openapi/v3 → `index()`; GET /openapi/v3/<path> → `document(groupVersionPath:)`
//   (any `hash` query is accepted; upstream redirects a stale hash to the current one and
//   marks hashed responses `Cache-Control: public, immutable`; kubectl caches them on
//   disk by URL, so the hash changes whenever the document does — `hash(groupVersionPath:)`).
// - GET /openapi/v2 with an Accept naming `application/com.github.proto-openapi.spec.v2`
//   → `swaggerV2Protobuf()` with `Content-Type:
//   application/com.github.proto-openapi.spec.v2.v1.0+protobuf` (NOT the `@v1.0` spelling
//   of the Accept header: client-go rejects that as a media type, "mime: unexpected
//   content after media subtype"); otherwise `swaggerV2()` as application/json.

/// A resource as the API server serves it; enough to describe it in OpenAPI.
public struct ResourceDescription: @unchecked Sendable {  // metatypes are immutable
    public var group: String
    public var version: String
    public var kind: String
    /// Plural lower-case name in URLs (`pods`).
    public var resource: String
    public var namespaced: Bool
    /// `status`, `scale`, `binding`, `eviction`, `log`, `exec`, `attach`, `portforward`, `proxy`.
    public var subresources: [String]
    /// The Codable type whose schema the resource has.
    public var type: any Decodable.Type
    /// Kubernetes verbs: get list watch create update patch delete deletecollection.
    public var verbs: [String]
    /// Request/response types of subresources other than `status` (which is the resource's
    /// own type); built-in defaults exist for scale, binding and eviction.
    public var subresourceTypes: [String: any Decodable.Type]

    public static let standardVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public init(group: String, version: String, kind: String, resource: String, namespaced: Bool,
                subresources: [String] = [], type: any Decodable.Type, verbs: [String] = standardVerbs,
                subresourceTypes: [String: any Decodable.Type] = [:]) {
        self.group = group
        self.version = version
        self.kind = kind
        self.resource = resource
        self.namespaced = namespaced
        self.subresources = subresources
        self.type = type
        self.verbs = verbs
        self.subresourceTypes = subresourceTypes
    }

    public init<T: KubeObject>(_ type: T.Type, subresources: [String] = [], verbs: [String] = standardVerbs,
                               subresourceTypes: [String: any Decodable.Type] = [:]) {
        self.init(group: T.gvk.group, version: T.gvk.version, kind: T.gvk.kind, resource: T.resource,
                  namespaced: T.namespaced, subresources: subresources, type: type, verbs: verbs,
                  subresourceTypes: subresourceTypes)
    }

    public var gvk: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    /// `api/v1` or `apis/apps/v1`: the key in the /openapi/v3 index.
    public var groupVersionPath: String { group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)" }
}

/// Builds the OpenAPI documents kubectl reads (see the notes at the top of this file) from
/// the resources' Codable types: the v3 index, one v3 document per group-version, and a
/// swagger 2.0 JSON document. Everything is computed once, at init.
public struct OpenAPIBuilder: Sendable {
    public let resources: [ResourceDescription]
    private let kindSchemas: [GroupVersionKind: Schema]
    private let documents: [String: JSONValue]
    private let hashes: [String: String]
    private let v2: JSONValue
    private let v2Protobuf: [UInt8]

    public init(resources: [ResourceDescription]) {
        self.resources = resources
        let reflector = SchemaReflector()
        var kindSchemas: [GroupVersionKind: Schema] = [:]
        for r in resources { kindSchemas[r.gvk] = reflector.schema(for: r.type) }
        for (gvk, type) in BuiltinTypes.subresourceKinds { kindSchemas[gvk] = kindSchemas[gvk] ?? reflector.schema(for: type) }
        for r in resources {
            for (name, type) in r.subresourceTypes {
                if let gvk = OpenAPIBuilder.subresourceGVK(name, of: r) { kindSchemas[gvk] = reflector.schema(for: type) }
            }
        }

        var models: [GVModel] = []
        let groupVersions = Dictionary(grouping: resources, by: \.groupVersionPath)
        for path in groupVersions.keys.sorted(by: OpenAPIBuilder.gvOrder) {
            models.append(GVModel(path: path, resources: groupVersions[path]!, kindSchemas: kindSchemas,
                                  reflector: reflector))
        }
        var documents: [String: JSONValue] = [:]
        var hashes: [String: String] = [:]
        for m in models {
            let doc = m.renderV3()
            documents[m.path] = doc
            hashes[m.path] = CanonicalJSON.hash(doc)
        }
        self.kindSchemas = kindSchemas
        self.documents = documents
        self.hashes = hashes
        self.v2 = GVModel.renderV2(models)
        self.v2Protobuf = SwaggerProtobuf.encode(v2)
    }

    /// GET /openapi/v3: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`.
    public func index() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (path, hash) in hashes {
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// GET /openapi/v3/<groupVersionPath> (`api/v1`, `apis/apps/v1`; a leading `/`,
    /// a `/openapi/v3/` prefix and a `?hash=` query are tolerated). nil when not served.
    public func document(groupVersionPath: String) -> JSONValue? {
        documents[Self.normalize(groupVersionPath)]
    }

    /// The hash in the index's URL for a group-version (usable as an ETag).
    public func hash(groupVersionPath: String) -> String? {
        hashes[Self.normalize(groupVersionPath)]
    }

    /// Served group-version paths (`api/v1`, `apis/apps/v1`, …).
    public var groupVersionPaths: [String] { documents.keys.sorted(by: Self.gvOrder) }

    /// A swagger 2.0 document (JSON) with `definitions` and patch metadata on list fields.
    public func swaggerV2() -> JSONValue { v2 }

    /// The same swagger 2.0 document as gnostic protobuf (`openapi.v2.Document`): the body
    /// for GET /openapi/v2 with `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`,
    /// the only form kubectl requests. Respond with `Content-Type:
    /// application/com.github.proto-openapi.spec.v2.v1.0+protobuf` (see the notes at the top).
    public func swaggerV2Protobuf() -> [UInt8] { v2Protobuf }

    /// The schema of a served kind (and of the subresource kinds Scale, Binding, Eviction),
    /// for `UnknownFields.find` and `Schema.prune`.
    public func schema(for gvk: GroupVersionKind) -> Schema? { kindSchemas[gvk] }

    /// The schema of a request body for a resource (and subresource), as the API server
    /// sees requests: `schema(group: "apps", version: "v1", resource: "deployments", subresource: "scale")`.
    public func schema(group: String, version: String, resource: String, subresource: String? = nil) -> Schema? {
        guard let r = resources.first(where: { $0.group == group && $0.version == version && $0.resource == resource })
        else { return nil }
        guard let sub = subresource, sub != "status" else { return kindSchemas[r.gvk] }
        return Self.subresourceGVK(sub, of: r).flatMap { kindSchemas[$0] }
    }

    static func normalize(_ path: String) -> String {
        var p = Substring(path)
        if let q = p.firstIndex(of: "?") { p = p[..<q] }
        while p.hasPrefix("/") { p = p.dropFirst() }
        if p.hasPrefix("openapi/v3/") { p = p.dropFirst("openapi/v3/".count) }
        while p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// Core first, then groups alphabetically.
    static func gvOrder(_ a: String, _ b: String) -> Bool {
        let ca = a.hasPrefix("api/"), cb = b.hasPrefix("api/")
        if ca != cb { return ca }
        return a < b
    }

    /// The kind a subresource's requests and responses carry.
    static func subresourceGVK(_ name: String, of r: ResourceDescription) -> GroupVersionKind? {
        switch name {
        case "status": return r.gvk
        case "scale": return GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")
        case "binding": return GroupVersionKind(group: "", version: "v1", kind: "Binding")
        case "eviction": return GroupVersionKind(group: "policy", version: "v1", kind: "Eviction")
        default:
            if r.subresourceTypes[name] != nil {
                return GroupVersionKind(group: r.group, version: r.version, kind: r.kind + name.capitalizedFirst)
            }
            return nil
        }
    }
}

// MARK: - Built-in meta and subresource types (reflected like the API types)

/// Request and response types of the operations. The KubeAPI types where they exist;
/// stand-ins for the standalone type check and for kinds KubeAPI does not define.
enum BuiltinTypes {
    #if STANDALONE_CHECK
    static var status: any Decodable.Type { Status.self }
    static var deleteOptions: any Decodable.Type { DeleteOptions.self }
    static var watchEvent: any Decodable.Type { WatchEvent.self }
    static var scale: any Decodable.Type { Scale.self }
    static var binding: any Decodable.Type { Binding.self }
    #else
    static var status: any Decodable.Type { KubeAPI.Status.self }
    static var deleteOptions: any Decodable.Type { KubeAPI.DeleteOptions.self }
    static var watchEvent: any Decodable.Type { KubeAPI.WatchEvent.self }
    static var scale: any Decodable.Type { KubeAPI.Scale.self }
    static var binding: any Decodable.Type { KubeAPI.Binding.self }
    #endif
    static var eviction: any Decodable.Type { Eviction.self }

    static var subresourceKinds: [(GroupVersionKind, any Decodable.Type)] {
        [
            (GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"), scale),
            (GroupVersionKind(group: "", version: "v1", kind: "Binding"), binding),
            (GroupVersionKind(group: "policy", version: "v1", kind: "Eviction"), eviction),
        ]
    }

    /// policy/v1 Eviction (not defined by KubeAPI yet).
    struct Eviction: Decodable {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta?
        var deleteOptions: DeleteOptionsStandIn?
    }

    struct DeleteOptionsStandIn: Decodable, SchemaProviding {
        static var schema: Schema { SchemaReflector.schema(for: BuiltinTypes.deleteOptions) }
    }

    #if STANDALONE_CHECK
    struct Status: Decodable {
        var apiVersion: String?
        var kind: String?
        var metadata: ListMeta?
        var status: String?
        var message: String?
        var reason: String?
        var details: StatusDetails?
        var code: Int32?
    }

    struct StatusDetails: Decodable {
        var name: String?
        var group: String?
        var kind: String?
        var uid: String?
        var causes: [StatusCause]?
        var retryAfterSeconds: Int32?
    }

    struct StatusCause: Decodable {
        var reason: String?
        var message: String?
        var field: String?
    }

    struct DeleteOptions: Decodable {
        var apiVersion: String?
        var kind: String?
        var gracePeriodSeconds: Int64?
        var preconditions: Preconditions?
        var orphanDependents: Bool?
        var propagationPolicy: String?
        var dryRun: [String]?
        var ignoreStoreReadErrorWithClusterBreakingPotential: Bool?
    }

    struct Preconditions: Decodable {
        var uid: String?
        var resourceVersion: String?
    }

    struct WatchEvent: Decodable {
        var type: String?
        var object: JSONValue?
    }

    struct Scale: Decodable {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta?
        var spec: ScaleSpec?
        var status: ScaleStatus?
    }

    struct ScaleSpec: Decodable {
        var replicas: Int32?
    }

    struct ScaleStatus: Decodable {
        var replicas: Int32?
        var selector: String?
    }

    struct Binding: Decodable {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta?
        var target: ObjectReference?
    }

    struct ObjectReference: Decodable {
        var apiVersion: String?
        var fieldPath: String?
        var kind: String?
        var name: String?
        var namespace: String?
        var resourceVersion: String?
        var uid: String?
    }
    #endif
}

// MARK: - Model of one group-version

/// The components and paths of one group-version, rendered as OpenAPI v3 or swagger 2.0.
struct GVModel {
    let path: String
    let package: String
    /// Component name → schema and the GVKs it is the top-level type of.
    var components: [String: (object: ObjectSchema, gvks: [GroupVersionKind])] = [:]
    /// Swift type name → component name.
    var names: [String: String] = [:]
    /// Swift types that live in core/v1: the known core types and everything reachable from
    /// them (PodTemplateSpec pulls in the whole pod tree: volume sources, probes, …).
    var coreTypeNames: Set<String> = []
    var usesIntOrString = false
    var usesQuantity = false
    var pathItems: [String: PathItem] = [:]

    static let intOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
    static let quantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity"
    static let patchName = KnownSchemaMetadata.metaV1 + ".Patch"

    init(path: String, resources: [ResourceDescription], kindSchemas: [GroupVersionKind: Schema],
         reflector: SchemaReflector) {
        self.path = path
        let first = resources[0]
        package = KnownSchemaMetadata.package(group: first.group, version: first.version)
        let sorted = resources.sorted { $0.kind < $1.kind }

        for r in sorted {
            kindSchemas[r.gvk]?.collectCoreTypes(into: &coreTypeNames)
        }
        for (gvk, _) in BuiltinTypes.subresourceKinds { kindSchemas[gvk]?.collectCoreTypes(into: &coreTypeNames) }

        // Kinds first, so that the API types take the upstream names.
        for r in sorted {
            guard let schema = kindSchemas[r.gvk] else { continue }
            register(schema)
            if let typeName = schema.objectSchema?.typeName, let name = names[typeName] {
                components[name]?.gvks.append(r.gvk)
            }
        }
        // Lists of each kind.
        let listMeta = reflector.schema(for: ListMeta.self)
        register(listMeta)
        for r in sorted {
            guard let schema = kindSchemas[r.gvk], let typeName = schema.objectSchema?.typeName else { continue }
            let listKind = r.kind + "List"
            let list = ObjectSchema(
                typeName: typeName + "List",
                description: "\(listKind) is a list of \(r.kind) objects.",
                properties: [
                    "apiVersion": Property(.string, annotation: Self.described("apiVersion")),
                    "kind": Property(.string, annotation: Self.described("kind")),
                    "metadata": Property(listMeta, annotation: SchemaAnnotation(
                        description: "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds")),
                    "items": Property(.array(schema), annotation: SchemaAnnotation(description: "List of \(r.resource).")),
                ],
                required: ["items"])
            register(.object(list), preferredName: package + "." + listKind)
            if let name = names[list.typeName!] {
                components[name]?.gvks.append(GroupVersionKind(group: r.group, version: r.version, kind: listKind))
            }
        }
        // Subresource kinds.
        for r in sorted {
            for sub in r.subresources where sub != "status" {
                guard let gvk = OpenAPIBuilder.subresourceGVK(sub, of: r), let schema = kindSchemas[gvk] else { continue }
                register(schema)
                if let typeName = schema.objectSchema?.typeName, let name = names[typeName],
                   components[name]?.gvks.contains(gvk) == false {
                    components[name]?.gvks.append(gvk)
                }
            }
        }
        // Request and response types of the operations.
        for t in [BuiltinTypes.status, BuiltinTypes.deleteOptions, BuiltinTypes.watchEvent] {
            register(reflector.schema(for: t))
        }
        components[Self.patchName] = (ObjectSchema(
            typeName: Self.patchName,
            description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."), [])

        for r in sorted { addPaths(for: r) }
    }

    static func described(_ field: String) -> SchemaAnnotation {
        SchemaAnnotation(description: KnownSchemaMetadata.commonFieldDescriptions[field])
    }

    // MARK: Components

    mutating func register(_ schema: Schema, preferredName: String? = nil) {
        var found: [ObjectSchema] = []
        var seen = Set<String>()
        schema.collectNamed(into: &found, seen: &seen)
        for (i, o) in found.enumerated() {
            guard let typeName = o.typeName, names[typeName] == nil else { continue }
            var name = i == 0 && preferredName != nil ? preferredName! : componentName(for: o)
            if let existing = components[name], existing.object.properties == o.properties,
               existing.object.required == o.required {
                names[typeName] = name  // the same shape under another Swift name: share it
                continue
            }
            if components[name] != nil {
                var n = 2
                while components["\(name)\(n)"] != nil { n += 1 }
                name = "\(name)\(n)"
            }
            names[typeName] = name
            components[name] = (o, [])
        }
        schema.visitLeaves { leaf in
            if leaf == .intOrString { usesIntOrString = true }
            if leaf == .quantity { usesQuantity = true }
        }
    }

    /// Upstream's component name: `<package>.<Type>`, the package being the type's fixed
    /// home (meta/v1, core/v1, …) or the document's group.
    func componentName(for o: ObjectSchema) -> String {
        let parts = (o.typeName ?? "").split(separator: ".").map(String.init)
        let short = parts.last ?? "Object"
        if KnownSchemaMetadata.groupLocalNames[package]?.contains(short) == true { return package + "." + short }
        if let fixed = KnownSchemaMetadata.fixedPackages[short] { return fixed + "." + short }
        if let t = o.typeName, coreTypeNames.contains(t) { return KnownSchemaMetadata.coreV1 + "." + short }
        // Nested Swift types (`EndpointSlice.Port`) join their enclosing names.
        let local = parts.count > 2 ? parts.dropFirst().joined() : short
        return package + "." + local
    }

    // MARK: Paths

    struct Param {
        var name: String
        var location: String  // query, path
        var type: String  // string, boolean, integer
        var description: String
        var required = false
    }

    enum Body {
        case component(String)
        case patch
        case deleteOptions
    }

    enum Response {
        case component(String)
        case status
        case string
        case watchEvent
    }

    struct Operation {
        var method: String
        var action: String
        var operationId: String
        var description: String
        var tag: String
        var gvk: GroupVersionKind?
        var parameters: [Param]
        var body: Body?
        var responses: [(code: String, response: Response)]
        var consumes: [String]
        var produces: [String]
    }

    struct PathItem {
        var parameters: [Param] = []
        var operations: [Operation] = []
    }

    static func q(_ name: String, _ type: String, _ description: String) -> Param {
        Param(name: name, location: "query", type: type, description: description)
    }

    static let pretty = q("pretty", "string", "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).")
    static let dryRun = q("dryRun", "string", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed")
    static let fieldManager = q("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.")
    static let fieldValidation = q("fieldValidation", "string", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered. Defaults to Strict.")
    static let force = q("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.")
    static let listParams: [Param] = [
        q("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server's discretion."),
        q("continue", "string", "The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue)."),
        q("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        q("labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        q("limit", "integer", "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results."),
        q("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details. Defaults to unset"),
        q("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set. Defaults to unset"),
        q("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection."),
        q("timeoutSeconds", "integer", "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity."),
        q("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion."),
    ]
    static let deleteParams: [Param] = [
        dryRun,
        q("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately."),
        q("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean", "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error."),
        q("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned."),
        q("propagationPolicy", "string", "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
    ]
    static let logParams: [Param] = [
        q("container", "string", "The container for which to stream logs. Defaults to only container if there is one container in the pod."),
        q("follow", "boolean", "Follow the log stream of the pod. Defaults to false."),
        q("insecureSkipTLSVerifyBackend", "boolean", "insecureSkipTLSVerifyBackend indicates that the apiserver should not confirm the validity of the serving certificate of the backend it is connecting to."),
        q("limitBytes", "integer", "If set, the number of bytes to read from the server before terminating the log output."),
        q("previous", "boolean", "Return previous terminated container logs. Defaults to false."),
        q("sinceSeconds", "integer", "A relative time in seconds before the current time from which to show logs."),
        q("stream", "string", "Specify which container log stream to return to the client. Acceptable values are \"All\", \"Stdout\" and \"Stderr\". If not specified, \"All\" is used."),
        q("tailLines", "integer", "If set, the number of lines from the end of the logs to show."),
        q("timestamps", "boolean", "If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false."),
    ]
    static let streamParams: [Param] = [
        q("container", "string", "The container in which to execute the command. Defaults to only container if there is only one container in the pod."),
        q("stderr", "boolean", "Redirect the standard error stream of the pod for this call."),
        q("stdin", "boolean", "Redirect the standard input stream of the pod for this call. Defaults to false."),
        q("stdout", "boolean", "Redirect the standard output stream of the pod for this call."),
        q("tty", "boolean", "TTY if true indicates that a tty will be allocated for the exec call. Defaults to false."),
    ]

    static let jsonTypes = ["application/json", "application/yaml"]
    static let patchTypes = ["application/apply-patch+yaml", "application/json-patch+json",
                             "application/merge-patch+json", "application/strategic-merge-patch+json"]
    static let watchTypes = ["application/json;stream=watch"]

    mutating func addPaths(for r: ResourceDescription) {
        let prefix = r.group.isEmpty ? "/api/\(r.version)" : "/apis/\(r.group)/\(r.version)"
        let groupId = Self.groupIdentifier(r.group) + r.version.capitalizedFirst
        let tag = Self.tag(group: r.group, version: r.version)
        let nsScope = r.namespaced ? "/namespaces/{namespace}" : ""
        let kindId = (r.namespaced ? "Namespaced" : "") + r.kind
        let gvk = r.gvk
        let verbs = Set(r.verbs)
        guard let kindSchema = kindTypeName(of: r), let kindName = names[kindSchema] else { return }
        let listName = names[kindSchema + "List"] ?? kindName

        let nameParam = Param(name: "name", location: "path", type: "string", description: "name of the \(r.kind)", required: true)
        let nsParam = Param(name: "namespace", location: "path", type: "string",
                            description: "object name and auth scope, such as for teams and projects", required: true)
        let collectionParams = (r.namespaced ? [nsParam] : []) + [Self.pretty]
        let itemParams = [nameParam] + (r.namespaced ? [nsParam] : []) + [Self.pretty]

        func op(_ method: String, _ action: String, _ idVerb: String, _ idSuffix: String = "", _ description: String,
                gvk: GroupVersionKind? = gvk, params: [Param] = [], body: Body? = nil,
                responses: [(String, Response)], consumes: [String] = ["*/*"], produces: [String] = Self.jsonTypes) -> Operation {
            Operation(method: method, action: action, operationId: idVerb + groupId + kindId + idSuffix,
                      description: description, tag: tag, gvk: gvk, parameters: params, body: body,
                      responses: responses.map { (code: $0.0, response: $0.1) }, consumes: consumes, produces: produces)
        }
        let mutating = [Self.dryRun, Self.fieldManager, Self.fieldValidation]

        // Collection.
        var collection = PathItem(parameters: collectionParams)
        if verbs.contains("list") {
            collection.operations.append(op("get", "list", "list", "", "list or watch objects of kind \(r.kind)",
                                            params: Self.listParams, responses: [("200", .component(listName))],
                                            produces: Self.jsonTypes + Self.watchTypes))
        }
        if verbs.contains("create") {
            collection.operations.append(op("post", "post", "create", "", "create a \(r.kind)",
                                            params: mutating, body: .component(kindName),
                                            responses: [("200", .component(kindName)), ("201", .component(kindName)),
                                                        ("202", .component(kindName))]))
        }
        if verbs.contains("deletecollection") {
            collection.operations.append(op("delete", "deletecollection", "deleteCollection", "",
                                            "delete collection of \(r.kind)",
                                            params: Self.deleteParams + Self.listParams.filter { $0.name != "watch" && $0.name != "allowWatchBookmarks" },
                                            body: .deleteOptions, responses: [("200", .status)]))
        }
        if !collection.operations.isEmpty { pathItems["\(prefix)\(nsScope)/\(r.resource)"] = collection }

        // Item.
        var item = PathItem(parameters: itemParams)
        if verbs.contains("get") {
            item.operations.append(op("get", "get", "read", "", "read the specified \(r.kind)",
                                      responses: [("200", .component(kindName))]))
        }
        if verbs.contains("update") {
            item.operations.append(op("put", "put", "replace", "", "replace the specified \(r.kind)",
                                      params: mutating, body: .component(kindName),
                                      responses: [("200", .component(kindName)), ("201", .component(kindName))]))
        }
        if verbs.contains("patch") {
            item.operations.append(op("patch", "patch", "patch", "", "partially update the specified \(r.kind)",
                                      params: mutating + [Self.force], body: .patch,
                                      responses: [("200", .component(kindName)), ("201", .component(kindName))],
                                      consumes: Self.patchTypes))
        }
        if verbs.contains("delete") {
            item.operations.append(op("delete", "delete", "delete", "", "delete a \(r.kind)",
                                      params: Self.deleteParams, body: .deleteOptions,
                                      responses: [("200", .component(kindName)), ("202", .component(kindName))]))
        }
        if !item.operations.isEmpty { pathItems["\(prefix)\(nsScope)/\(r.resource)/{name}"] = item }

        // All namespaces.
        if r.namespaced, verbs.contains("list") {
            var all = PathItem(parameters: [Self.pretty])
            all.operations.append(op("get", "list", "list", "ForAllNamespaces", "list or watch objects of kind \(r.kind)",
                                     params: Self.listParams, responses: [("200", .component(listName))],
                                     produces: Self.jsonTypes + Self.watchTypes))
            all.operations[0].operationId = "list" + groupId + r.kind + "ForAllNamespaces"
            pathItems["\(prefix)/\(r.resource)"] = all
        }

        // Deprecated watch paths (upstream still publishes them).
        if verbs.contains("watch") {
            let listWatch = Self.listParams
            var w = PathItem(parameters: collectionParams + listWatch)
            w.operations.append(op("get", "watchlist", "watch", "List",
                                   "watch individual changes to a list of \(r.kind). deprecated: use the 'watch' parameter with a list operation instead.",
                                   responses: [("200", .watchEvent)], produces: Self.jsonTypes + Self.watchTypes))
            pathItems["\(prefix)/watch\(nsScope)/\(r.resource)"] = w
            var wi = PathItem(parameters: itemParams + listWatch)
            wi.operations.append(op("get", "watch", "watch", "",
                                    "watch changes to an object of kind \(r.kind). deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.",
                                    responses: [("200", .watchEvent)], produces: Self.jsonTypes + Self.watchTypes))
            pathItems["\(prefix)/watch\(nsScope)/\(r.resource)/{name}"] = wi
            if r.namespaced {
                var wa = PathItem(parameters: [Self.pretty] + listWatch)
                wa.operations.append(op("get", "watchlist", "watch", "ListForAllNamespaces",
                                        "watch individual changes to a list of \(r.kind). deprecated: use the 'watch' parameter with a list operation instead.",
                                        responses: [("200", .watchEvent)], produces: Self.jsonTypes + Self.watchTypes))
                wa.operations[0].operationId = "watch" + groupId + r.kind + "ListForAllNamespaces"
                pathItems["\(prefix)/watch/\(r.resource)"] = wa
            }
        }

        // Subresources.
        for sub in r.subresources {
            let subPath = "\(prefix)\(nsScope)/\(r.resource)/{name}/\(sub)"
            let suffix = sub.capitalizedFirst
            var p = PathItem(parameters: itemParams)
            switch sub {
            case "status", "scale":
                let subGVK = OpenAPIBuilder.subresourceGVK(sub, of: r)!
                let name = sub == "status" ? kindName : (componentName(of: subGVK) ?? kindName)
                p.operations.append(op("get", "get", "read", suffix, "read \(sub) of the specified \(r.kind)",
                                       gvk: subGVK, responses: [("200", .component(name))]))
                p.operations.append(op("put", "put", "replace", suffix, "replace \(sub) of the specified \(r.kind)",
                                       gvk: subGVK, params: mutating, body: .component(name),
                                       responses: [("200", .component(name)), ("201", .component(name))]))
                p.operations.append(op("patch", "patch", "patch", suffix, "partially update \(sub) of the specified \(r.kind)",
                                       gvk: subGVK, params: mutating + [Self.force], body: .patch,
                                       responses: [("200", .component(name)), ("201", .component(name))],
                                       consumes: Self.patchTypes))
            case "binding", "eviction":
                let subGVK = OpenAPIBuilder.subresourceGVK(sub, of: r)!
                guard let name = componentName(of: subGVK) else { continue }
                p.parameters = [Param(name: "name", location: "path", type: "string",
                                      description: "name of the \(subGVK.kind)", required: true)]
                    + (r.namespaced ? [nsParam] : []) + [Self.pretty]
                p.operations.append(op("post", "post", "create", suffix, "create \(sub) of a \(r.kind)",
                                       gvk: subGVK, params: mutating, body: .component(name),
                                       responses: [("200", .component(name)), ("201", .component(name)),
                                                   ("202", .component(name))]))
            case "log":
                p.parameters = itemParams
                p.operations.append(op("get", "get", "read", suffix, "read log of the specified \(r.kind)",
                                       params: Self.logParams, responses: [("200", .string)],
                                       produces: ["text/plain", "application/json", "application/yaml"]))
            case "exec", "attach", "portforward", "proxy":
                let optionsKind = r.kind + (["exec": "Exec", "attach": "Attach", "portforward": "PortForward",
                                             "proxy": "Proxy"][sub] ?? suffix) + "Options"
                let subGVK = GroupVersionKind(group: r.group, version: r.version, kind: optionsKind)
                var params: [Param] = []
                switch sub {
                case "exec": params = [Self.q("command", "string", "Command is the remote command to execute. argv array. Not executed within a shell.")] + Self.streamParams
                case "attach": params = Self.streamParams
                case "portforward": params = [Self.q("ports", "integer", "List of ports to forward")]
                default: params = [Self.q("path", "string", "Path is the URL path to use for the current proxy request to pod.")]
                }
                p.parameters = itemParams.filter { $0.name != "pretty" }
                for method in ["get", "post"] {
                    var o = op(method, "connect", "connect", "", "connect \(method.uppercased()) requests to \(sub) of \(r.kind)",
                               gvk: subGVK, params: params, responses: [("200", .string)], produces: ["*/*"])
                    o.operationId = "connect" + groupId + method.capitalizedFirst + kindId + suffix
                    p.operations.append(o)
                }
            default:
                guard let subGVK = OpenAPIBuilder.subresourceGVK(sub, of: r), let name = componentName(of: subGVK)
                else { continue }
                p.operations.append(op("get", "get", "read", suffix, "read \(sub) of the specified \(r.kind)",
                                       gvk: subGVK, responses: [("200", .component(name))]))
                p.operations.append(op("put", "put", "replace", suffix, "replace \(sub) of the specified \(r.kind)",
                                       gvk: subGVK, params: mutating, body: .component(name),
                                       responses: [("200", .component(name)), ("201", .component(name))]))
            }
            pathItems[subPath] = p
        }
    }

    /// The Swift type name of a resource's schema (as registered).
    private func kindTypeName(of r: ResourceDescription) -> String? {
        components.values.first(where: { $0.gvks.contains(r.gvk) })?.object.typeName
    }

    private func componentName(of gvk: GroupVersionKind) -> String? {
        components.first(where: { $0.value.gvks.contains(gvk) })?.key
    }

    /// `core` → `Core`, `discovery.k8s.io` → `Discovery`, `rbac.authorization.k8s.io` → `RbacAuthorization`.
    static func groupIdentifier(_ group: String) -> String {
        if group.isEmpty { return "Core" }
        var g = group
        if g.hasSuffix(".k8s.io") { g = String(g.dropLast(".k8s.io".count)) }
        return g.split(whereSeparator: { $0 == "." || $0 == "-" }).map { String($0).capitalizedFirst }.joined()
    }

    /// `core_v1`, `apps_v1`, `discovery_v1`, `rbacAuthorization_v1`.
    static func tag(group: String, version: String) -> String {
        let id = groupIdentifier(group)
        return id.prefix(1).lowercased() + id.dropFirst() + "_" + version
    }
}

// MARK: - Rendering

extension GVModel {
    enum Style { case v3, v2 }

    func ref(_ name: String, _ style: Style) -> JSONValue {
        .object(["$ref": .string((style == .v3 ? "#/components/schemas/" : "#/definitions/") + name)])
    }

    func render(_ schema: Schema, _ style: Style) -> JSONValue {
        switch schema {
        case .object(let o):
            if let t = o.typeName, let name = names[t] { return ref(name, style) }
            return renderObject(o, gvks: [], style)
        case .array(let items):
            return ["type": "array", "items": render(items, style)]
        case .map(let values):
            return ["type": "object", "additionalProperties": render(values, style)]
        case .primitive(let p):
            var j: [String: JSONValue] = ["type": .string(p.type.rawValue)]
            if let f = p.format { j["format"] = .string(f) }
            if let e = p.enumValues { j["enum"] = .array(e.map { .string($0) }) }
            return .object(j)
        case .intOrString:
            return ref(Self.intOrStringName, style)
        case .quantity:
            return ref(Self.quantityName, style)
        case .any:
            // v2: an empty schema, which kube-openapi reads as "arbitrary" (any JSON value).
            return style == .v3 ? ["x-kubernetes-preserve-unknown-fields": true] : .emptyObject
        case .recursive(let t):
            if let name = names[t] { return ref(name, style) }
            return style == .v3 ? ["x-kubernetes-preserve-unknown-fields": true] : .emptyObject
        }
    }

    func renderProperty(_ p: Property, _ style: Style) -> JSONValue {
        let base = render(p.schema, style)
        var extras: [String: JSONValue] = [:]
        let a = p.annotation
        if let d = a.description { extras["description"] = .string(d) }
        if let s = a.patchStrategy { extras["x-kubernetes-patch-strategy"] = .string(s) }
        if let k = a.patchMergeKey { extras["x-kubernetes-patch-merge-key"] = .string(k) }
        if let t = a.listType { extras["x-kubernetes-list-type"] = .string(t) }
        if let keys = a.listMapKeys { extras["x-kubernetes-list-map-keys"] = .array(keys.map { .string($0) }) }
        guard !extras.isEmpty, case .object(var fields) = base else { return base }
        if fields["$ref"] != nil, style == .v3 {
            // OpenAPI 3.0 ignores siblings of $ref: wrap it, as upstream does.
            extras["allOf"] = [base]
            if case .object(let o) = p.schema, o.typeName != nil { extras["default"] = .emptyObject }
            return .object(extras)
        }
        for (k, v) in extras { fields[k] = v }
        return .object(fields)
    }

    func renderObject(_ o: ObjectSchema, gvks: [GroupVersionKind], _ style: Style) -> JSONValue {
        var j: [String: JSONValue] = ["type": "object"]
        if let d = o.description { j["description"] = .string(d) }
        if !o.properties.isEmpty {
            j["properties"] = .object(o.properties.mapValues { renderProperty($0, style) })
        }
        if !o.required.isEmpty { j["required"] = .array(o.required.map { .string($0) }) }
        if !gvks.isEmpty { j["x-kubernetes-group-version-kind"] = .array(gvks.map(Self.gvkJSON)) }
        return .object(j)
    }

    static func gvkJSON(_ gvk: GroupVersionKind) -> JSONValue {
        ["group": .string(gvk.group), "kind": .string(gvk.kind), "version": .string(gvk.version)]
    }

    func renderComponents(_ style: Style) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (name, c) in components { out[name] = renderObject(c.object, gvks: c.gvks, style) }
        let intOrStringDescription = "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number."
        let quantityDescription = "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors. Examples: 100m (0.1), 1Gi, 500Mi, 2."
        if usesIntOrString {
            out[Self.intOrStringName] = style == .v3
                ? ["description": .string(intOrStringDescription), "format": "int-or-string",
                   "oneOf": [["type": "integer"], ["type": "string"]], "x-kubernetes-int-or-string": true]
                : ["description": .string(intOrStringDescription), "format": "int-or-string", "type": "string"]
        }
        if usesQuantity {
            out[Self.quantityName] = style == .v3
                ? ["description": .string(quantityDescription), "oneOf": [["type": "string"], ["type": "number"]]]
                : ["description": .string(quantityDescription), "type": "string"]
        }
        return out
    }

    func renderParam(_ p: Param, _ style: Style) -> JSONValue {
        var j: [String: JSONValue] = ["name": .string(p.name), "in": .string(p.location),
                                      "description": .string(p.description)]
        if p.required { j["required"] = true }
        if style == .v3 {
            j["schema"] = ["type": .string(p.type), "uniqueItems": true]
        } else {
            j["type"] = .string(p.type)
            j["uniqueItems"] = true
        }
        return .object(j)
    }

    func responseSchema(_ r: Response, _ style: Style) -> JSONValue {
        switch r {
        case .component(let name): return ref(name, style)
        case .status: return ref(KnownSchemaMetadata.metaV1 + ".Status", style)
        case .watchEvent: return ref(KnownSchemaMetadata.metaV1 + ".WatchEvent", style)
        case .string: return ["type": "string"]
        }
    }

    func renderOperation(_ op: Operation, _ style: Style) -> JSONValue {
        var j: [String: JSONValue] = [
            "description": .string(op.description),
            "operationId": .string(op.operationId),
            "tags": [.string(op.tag)],
            "x-kubernetes-action": .string(op.action),
        ]
        if let gvk = op.gvk { j["x-kubernetes-group-version-kind"] = Self.gvkJSON(gvk) }
        var params = op.parameters.map { renderParam($0, style) }
        var responses: [String: JSONValue] = [:]
        for (code, r) in op.responses {
            let description: JSONValue = code == "201" ? "Created" : code == "202" ? "Accepted" : "OK"
            if style == .v3 {
                var content: [String: JSONValue] = [:]
                for t in op.produces { content[t] = ["schema": responseSchema(r, style)] }
                responses[code] = ["description": description, "content": .object(content)]
            } else {
                responses[code] = ["description": description, "schema": responseSchema(r, style)]
            }
        }
        responses["401"] = ["description": "Unauthorized"]
        j["responses"] = .object(responses)

        if let body = op.body {
            let bodySchema: JSONValue
            switch body {
            case .component(let name): bodySchema = ref(name, style)
            case .patch: bodySchema = ref(Self.patchName, style)
            case .deleteOptions: bodySchema = ref(KnownSchemaMetadata.metaV1 + ".DeleteOptions", style)
            }
            if style == .v3 {
                var content: [String: JSONValue] = [:]
                let types: [String]
                switch body {
                case .patch: types = op.consumes
                default: types = ["*/*"]
                }
                for t in types { content[t] = ["schema": bodySchema] }
                var rb: [String: JSONValue] = ["content": .object(content)]
                if case .deleteOptions = body {} else { rb["required"] = true }
                j["requestBody"] = .object(rb)
            } else {
                var p: [String: JSONValue] = ["name": "body", "in": "body", "schema": bodySchema]
                if case .deleteOptions = body {} else { p["required"] = true }
                params.insert(.object(p), at: 0)
            }
        }
        if style == .v2 {
            j["consumes"] = .array(op.consumes.map { .string($0) })
            j["produces"] = .array(op.produces.map { .string($0) })
            j["schemes"] = ["https"]
        }
        if !params.isEmpty { j["parameters"] = .array(params) }
        return .object(j)
    }

    func renderPaths(_ style: Style) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (path, item) in pathItems {
            var j: [String: JSONValue] = [:]
            if !item.parameters.isEmpty { j["parameters"] = .array(item.parameters.map { renderParam($0, style) }) }
            for op in item.operations { j[op.method] = renderOperation(op, style) }
            out[path] = .object(j)
        }
        return out
    }

    static let bearer: JSONValue = ["description": "Bearer Token authentication", "type": "apiKey",
                                    "name": "authorization", "in": "header"]

    func renderV3() -> JSONValue {
        [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(renderPaths(.v3)),
            "components": [
                "schemas": .object(renderComponents(.v3)),
                "securitySchemes": ["BearerToken": Self.bearer],
            ],
            "security": [["BearerToken": []]],
        ]
    }

    static func renderV2(_ models: [GVModel]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var definitions: [String: JSONValue] = [:]
        for m in models {
            for (k, v) in m.renderPaths(.v2) { paths[k] = v }
            for (k, v) in m.renderComponents(.v2) where definitions[k] == nil { definitions[k] = v }
        }
        return [
            "swagger": "2.0",
            "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths),
            "definitions": .object(definitions),
            "securityDefinitions": ["BearerToken": bearer],
            "security": [["BearerToken": []]],
        ]
    }
}

extension Schema {
    /// Type names of the objects that are core/v1 types (`KnownSchemaMetadata.coreTypes`)
    /// or reachable from one.
    func collectCoreTypes(into out: inout Set<String>) {
        var visited = Set<String>()
        collectCoreTypes(into: &out, inCore: false, visited: &visited)
    }

    private func collectCoreTypes(into out: inout Set<String>, inCore: Bool, visited: inout Set<String>) {
        switch self {
        case .object(let o):
            var core = inCore
            if let t = o.typeName {
                core = core || KnownSchemaMetadata.coreTypes.contains(o.shortName ?? "")
                let key = (core ? "1" : "0") + t
                if visited.contains(key) { return }
                visited.insert(key)
                if core { out.insert(t) }
            }
            for p in o.properties.values { p.schema.collectCoreTypes(into: &out, inCore: core, visited: &visited) }
        case .array(let s), .map(let s):
            s.collectCoreTypes(into: &out, inCore: inCore, visited: &visited)
        default:
            break
        }
    }

    /// Calls `body` for every non-container node.
    func visitLeaves(_ body: (Schema) -> Void) {
        var seen = Set<String>()
        visitLeaves(body, seen: &seen)
    }

    private func visitLeaves(_ body: (Schema) -> Void, seen: inout Set<String>) {
        switch self {
        case .object(let o):
            if let t = o.typeName {
                if seen.contains(t) { return }
                seen.insert(t)
            }
            for p in o.properties.values { p.schema.visitLeaves(body, seen: &seen) }
        case .array(let s), .map(let s):
            s.visitLeaves(body, seen: &seen)
        default:
            body(self)
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

// MARK: - Canonical JSON (for the document hashes)

enum CanonicalJSON {
    /// 128-bit FNV-1a style digest as 32 upper-case hex digits (a cache-busting token,
    /// like upstream's SHA-512 hash in the same place).
    static func hash(_ v: JSONValue) -> String {
        // JSONSerializer sorts keys: equal documents give equal bytes.
        let bytes = JSONSerializer.serialize(v)
        var h1: UInt64 = 0xcbf2_9ce4_8422_2325
        var h2: UInt64 = 0x6c62_272e_07bb_0142
        for b in bytes {
            h1 = (h1 ^ UInt64(b)) &* 0x0000_0100_0000_01b3
            h2 = (h2 ^ UInt64(b)) &* 0x0000_0100_0000_01b3 ^ (h1 >> 29)
        }
        func hex(_ x: UInt64) -> String {
            let s = String(x, radix: 16, uppercase: true)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return hex(h1) + hex(h2)
    }
}
