#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Fields of a request body that the type's schema does not know: what upstream's strict
/// decoding (`fieldValidation=Strict`, the default since 1.27) reports.
///
/// Paths are formatted as upstream's decoder formats them: object fields and map keys
/// joined with `.`, array elements as `[i]` — `spec.template.spec.containers[0].foo`,
/// `metadata.foo`. Matching is case-sensitive, as upstream's decoder is. The API server
/// turns the result into, per `fieldValidation`:
/// - `Strict` → 400 BadRequest Status, message
///   `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`
///   (see `UnknownFields.strictErrorMessage`);
/// - `Warn` → one `Warning: 299 - "unknown field \"spec.foo\""` header per field
///   (`UnknownFields.warningHeaderValues`), then `Schema.prune`;
/// - `Ignore` → `Schema.prune`.
/// Duplicate fields are out of scope (a parsed `JSONValue` has none left).
public enum UnknownFields {
    /// Unknown field paths in `json`, sorted.
    public static func find(in json: JSONValue, schema: Schema) -> [String] {
        var out: [String] = []
        walk(json, schema, path: "", ancestors: [], into: &out)
        return out.sorted()
    }

    /// `strict decoding error: unknown field "a", unknown field "b"`; nil when none.
    public static func strictErrorMessage(_ paths: [String]) -> String? {
        guard !paths.isEmpty else { return nil }
        return "strict decoding error: " + paths.map { "unknown field \(quoted($0))" }.joined(separator: ", ")
    }

    /// Values for `Warning` headers: `299 - "unknown field \"spec.foo\""`, one per field.
    public static func warningHeaderValues(_ paths: [String]) -> [String] {
        paths.map { "299 - " + quoted("unknown field \(quoted($0))") }
    }

    /// Go's `%q` for the strings that occur here: quotes and backslashes escaped.
    static func quoted(_ s: String) -> String {
        var r = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\t": r += "\\t"
            default: r.unicodeScalars.append(ch)
            }
        }
        return r + "\""
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    private static func walk(_ json: JSONValue, _ schema: Schema, path: String, ancestors: [ObjectSchema],
                             into out: inout [String]) {
        switch schema.resolved(in: ancestors) {
        case .object(let o):
            guard case .object(let fields) = json else { return }
            let inner = ancestors + [o]
            for (key, value) in fields {
                if let p = o.properties[key] {
                    walk(value, p.schema, path: join(path, key), ancestors: inner, into: &out)
                } else {
                    out.append(join(path, key))
                }
            }
        case .array(let items):
            guard case .array(let elements) = json else { return }
            for (i, e) in elements.enumerated() {
                walk(e, items, path: "\(path)[\(i)]", ancestors: ancestors, into: &out)
            }
        case .map(let values):
            guard case .object(let fields) = json else { return }
            for (key, value) in fields {
                walk(value, values, path: join(path, key), ancestors: ancestors, into: &out)
            }
        default:
            return
        }
    }
}

extension Schema {
    /// `json` without the fields the schema does not know (for `fieldValidation` Warn and
    /// Ignore, and for dropping what a type cannot store). Values of the wrong JSON type are
    /// left for decoding to reject.
    public func prune(_ json: JSONValue) -> JSONValue {
        prune(json, ancestors: [])
    }

    private func prune(_ json: JSONValue, ancestors: [ObjectSchema]) -> JSONValue {
        switch resolved(in: ancestors) {
        case .object(let o):
            guard case .object(let fields) = json else { return json }
            let inner = ancestors + [o]
            var kept: [String: JSONValue] = [:]
            kept.reserveCapacity(fields.count)
            for (key, value) in fields {
                if let p = o.properties[key] { kept[key] = p.schema.prune(value, ancestors: inner) }
            }
            return .object(kept)
        case .array(let items):
            guard case .array(let elements) = json else { return json }
            return .array(elements.map { items.prune($0, ancestors: ancestors) })
        case .map(let values):
            guard case .object(let fields) = json else { return json }
            return .object(fields.mapValues { values.prune($0, ancestors: ancestors) })
        default:
            return json
        }
    }
}
