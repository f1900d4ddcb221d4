#if !STANDALONE_CHECK
import KubeAPI
#endif

/// JSON comparisons and the canonical text form shared by the patch engines.
///
/// `JSONValue`'s synthesized `==` tells `.int(1)` from `.double(1.0)`; JSON does not,
/// and a patch written by hand (`"replicas": 3.0`) must match a stored `3`.
enum PatchJSON {
    /// Structural equality with numbers compared by value.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.int(x), .double(y)), let (.double(y), .int(x)): return Double(x) == y
        case let (.array(x), .array(y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.object(x), .object(y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equal(value, other) else { return false }
            }
            return true
        default: return false
        }
    }

    static func equal(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return equal(x, y)
        default: return false
        }
    }

    /// Integral doubles become ints so that hashing agrees with `equal` for the values
    /// used as keys (merge keys, set members, field path keys).
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return .int(Int64(d))
        case .array(let a): return .array(a.map(normalized))
        case .object(let o): return .object(o.mapValues(normalized))
        default: return value
        }
    }

    /// Compact JSON with sorted keys: the form structured-merge-diff uses inside
    /// `k:{...}` and `v:...` path elements.
    static func canonical(_ value: JSONValue) -> String {
        JSONSerializer.string(value)
    }

    /// Reads the JSON text inside a `k:` or `v:` path element of a FieldsV1 set.
    static func parse(_ text: String) -> JSONValue? {
        try? JSONParser.parse(text)
    }
}
