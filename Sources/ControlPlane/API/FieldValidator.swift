import KubeAPI

/// Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`): unknown fields,
/// found against the schema reflected from the typed API structs, reject the request,
/// warn, or are dropped. Schemas are reflected once per kind at start.
struct FieldValidator: Sendable {
    private let schemas: [String: Schema]

    init(registry: ResourceRegistry) {
        let reflector = SchemaReflector()
        var schemas: [String: Schema] = [:]
        for def in registry.definitions { schemas[def.kind] = reflector.schema(for: def.type) }
        self.schemas = schemas
    }

    /// Returns the warnings to send; throws 400 under Strict; prunes under Warn/Ignore.
    func check(_ object: inout JSONValue, def: ResourceDefinition, query: QueryParameters) throws -> [String] {
        let directive = query["fieldValidation"] ?? "Warn"
        guard ["Strict", "Warn", "Ignore"].contains(directive) else {
            throw APIError.badRequest("fieldValidation parameter unsupported: \(directive)")
        }
        guard let schema = schemas[def.kind] else { return [] }
        let mistyped = TypeErrors.find(in: object, schema: schema)
        if !mistyped.isEmpty {
            throw APIError.badRequest("\(def.kind) in version \"\(def.version)\" cannot be handled as a \(def.kind): "
                                      + mistyped.joined(separator: ", "))
        }
        let unknown = UnknownFields.find(in: object, schema: schema)
        guard !unknown.isEmpty else { return [] }
        switch directive {
        case "Strict":
            throw APIError.badRequest("\(def.kind) in version \"\(def.version)\" cannot be handled as a \(def.kind): "
                                      + (UnknownFields.strictErrorMessage(unknown) ?? ""))
        case "Warn":
            object = schema.prune(object)
            return unknown.map { "unknown field \"\($0)\"" }
        default:
            object = schema.prune(object)
            return []
        }
    }
}
