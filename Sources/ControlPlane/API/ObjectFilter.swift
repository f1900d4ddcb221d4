import KubeAPI

/// The `labelSelector` and `fieldSelector` of a list or watch, checked against objects.
struct ObjectFilter: Sendable {
    var labels: LabelSelectorQuery
    var fields: FieldSelectorQuery
    let kind: String

    init(def: ResourceDefinition, query: QueryParameters) throws {
        kind = def.kind
        do {
            labels = try LabelSelectorQuery.parse(query["labelSelector"] ?? "")
        } catch {
            throw APIError.badRequest("\(error)")
        }
        do {
            let parsed = try FieldSelectorQuery.parse(query["fieldSelector"] ?? "")
            let support = FieldLabelSupport.upstream(kind: def.kind)
            fields = FieldSelectorQuery(terms: try parsed.terms.map {
                FieldSelectorQuery.Term(field: try support.convert($0.field), op: $0.op, value: $0.value)
            })
        } catch {
            throw APIError.badRequest("\(error)")
        }
    }

    var isEmpty: Bool { labels.isEmpty && fields.isEmpty }

    /// The top-level members an object needs parsed for `matches` to decide.
    var topLevelKeys: Set<String> {
        var keys: Set<String> = ["metadata"]
        for term in fields.terms { keys.insert(String(term.field.split(separator: ".").first ?? "")) }
        return keys
    }

    /// Decides from stored bytes, parsing only what the selectors look at.
    func matches(stored bytes: [UInt8]) throws -> Bool {
        if isEmpty { return true }
        return matches(try JSONParser.parse(bytes, onlyKeys: topLevelKeys))
    }

    func matches(_ object: JSONValue) -> Bool {
        if !labels.isEmpty, !labels.matches(object: object) { return false }
        if !fields.isEmpty {
            return fields.matches(FieldLabelSupport.selectableFields(kind: kind, object: object))
        }
        return true
    }
}
