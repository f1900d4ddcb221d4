import KubeAPI

/// The OpenAPI documents served under /openapi, built once at start from the registry.
struct OpenAPIDocuments: Sendable {
    let index: JSONValue
    /// /openapi/v2 is asked for as protobuf only by kubectl (see OpenAPIBuilder's notes).
    let swaggerV2Protobuf: [UInt8]
    let swaggerV2JSON: [UInt8]
    private let documents: [String: [UInt8]]

    static let protobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    init(registry: ResourceRegistry) {
        let resources = registry.definitions.map { def -> ResourceDescription in
            var subresources: [String] = []
            if def.hasStatus { subresources.append("status") }
            if def.hasScale { subresources.append("scale") }
            if def.plural == "pods" { subresources += ["binding", "log"] }
            return ResourceDescription(group: def.group, version: def.version, kind: def.kind, resource: def.plural,
                                       namespaced: def.namespaced, subresources: subresources, type: def.type)
        }
        let builder = OpenAPIBuilder(resources: resources)
        index = builder.index()
        swaggerV2Protobuf = builder.swaggerV2Protobuf()
        swaggerV2JSON = JSONSerializer.serialize(builder.swaggerV2())
        var documents: [String: [UInt8]] = [:]
        for path in builder.groupVersionPaths {
            if let doc = builder.document(groupVersionPath: path) { documents[path] = JSONSerializer.serialize(doc) }
        }
        self.documents = documents
    }

    /// The document for `api/v1` or `apis/apps/v1` (the `?hash=` query is for caching only).
    func document(_ path: String) -> [UInt8]? {
        documents[path]
    }
}
