import KubeAPI

/// The `labelSelector` and `fieldSelector` of a list or watch, checked against objects.
struct ObjectFilter: Sendable {
    let labels: LabelSelectorQuery
    let fields: FieldSelectorQuery
    let kind: String
    private let projection: JSONProjection

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
        projection = Self.projection(for: fields)
    }

    var isEmpty: Bool { labels.isEmpty && fields.isEmpty }

    /// Only the members the selectors look at get parsed.
    private static func projection(for fields: FieldSelectorQuery) -> JSONProjection {
        var paths: [[String]] = [["metadata", "labels"], ["metadata", "name"], ["metadata", "namespace"]]
        for term in fields.terms { paths.append(term.field.split(separator: ".").map(String.init)) }
        return JSONProjection(paths: paths)
    }

    /// Decides from stored bytes, parsing only what the selectors look at.
    func matches(stored bytes: [UInt8]) throws -> Bool {
        if isEmpty { return true }
        return matches(try JSONParser.parse(bytes, projection: projection))
    }

    func matches(_ object: JSONValue) -> Bool {
        if !labels.isEmpty, !labels.matches(object: object) { return false }
        if !fields.isEmpty {
            return fields.matches(FieldLabelSupport.selectableFields(kind: kind, object: object))
        }
        return true
    }
}
