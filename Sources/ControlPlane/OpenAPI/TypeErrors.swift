import KubeAPI

/// Values of the wrong JSON type for the schema (`"replicas": "three"`, labels that are not
/// a map): upstream rejects these while decoding into its Go structs, before anything is
/// stored; stored, they would break every typed client that lists the collection.
/// `null` is accepted anywhere (it means unset).
public enum TypeErrors {
    /// The first few mismatches, worded like Go's decoder: `spec.replicas: expected integer, got string`.
    public static func find(in json: JSONValue, schema: Schema, limit: Int = 5) -> [String] {
        var out: [String] = []
        walk(json, schema, path: "", ancestors: [], into: &out, limit: limit)
        return out
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    private static func kind(_ json: JSONValue) -> String {
        switch json {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    private static func walk(_ json: JSONValue, _ schema: Schema, path: String, ancestors: [ObjectSchema],
                             into out: inout [String], limit: Int) {
        guard out.count < limit, !json.isNull else { return }
        func mismatch(_ expected: String) { out.append("\(path.isEmpty ? "<root>" : path): expected \(expected), got \(kind(json))") }
        switch schema.resolved(in: ancestors) {
        case .object(let o):
            guard case .object(let fields) = json else { return mismatch("object") }
            let inner = ancestors + [o]
            for key in fields.keys.sorted() {
                if let p = o.properties[key] { walk(fields[key]!, p.schema, path: join(path, key), ancestors: inner, into: &out, limit: limit) }
            }
        case .array(let items):
            guard case .array(let elements) = json else { return mismatch("array") }
            for (i, e) in elements.enumerated() { walk(e, items, path: "\(path)[\(i)]", ancestors: ancestors, into: &out, limit: limit) }
        case .map(let values):
            guard case .object(let fields) = json else { return mismatch("object") }
            for key in fields.keys.sorted() { walk(fields[key]!, values, path: join(path, key), ancestors: ancestors, into: &out, limit: limit) }
        case .primitive(let p):
            switch (p.type, json) {
            case (.string, .string), (.boolean, .bool), (.integer, .int), (.number, .int), (.number, .double): return
            case (.integer, .double(let d)) where d.rounded() == d: return
            default: mismatch(p.type.rawValue)
            }
        case .intOrString:
            switch json {
            case .int, .string: return
            default: mismatch("integer or string")
            }
        case .quantity:
            switch json {
            case .string, .int, .double: return
            default: mismatch("quantity string")
            }
        case .any, .recursive:
            return
        }
    }
}
