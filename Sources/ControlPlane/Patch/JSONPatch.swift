#if !STANDALONE_CHECK
import KubeAPI
#endif

/// RFC 6902 JSON Patch (`application/json-patch+json`).
///
/// Error messages follow gopkg.in/evanphx/json-patch.v4, which kube-apiserver uses,
/// e.g. `add operation does not apply: doc is missing path: "/spec/foo": missing value`
/// and `testing value /spec/replicas failed: test failed`.
public enum JSONPatch {
    /// Applies `operations` (a JSON array of operation objects) to `document` in order;
    /// the first failing operation aborts the whole patch.
    public static func apply(_ operations: JSONValue, to document: JSONValue) throws -> JSONValue {
        guard case .array(let list) = operations else {
            throw PatchError.badRequest("json: cannot unmarshal \(typeName(operations)) into Go value of type jsonpatch.Patch")
        }
        var doc = document
        for operation in list {
            guard case .object(let fields) = operation else {
                throw PatchError.badRequest(
                    "json: cannot unmarshal \(typeName(operation)) into Go value of type jsonpatch.Operation")
            }
            let op = fields["op"]?.stringValue ?? "unknown"
            switch op {
            case "add": try add(fields, to: &doc)
            case "remove": try remove(fields, from: &doc)
            case "replace": try replace(fields, in: &doc)
            case "move": try move(fields, in: &doc)
            case "copy": try copy(fields, in: &doc)
            case "test": try test(fields, against: doc)
            default: throw PatchError.invalid("Unexpected kind: \(op)")
            }
        }
        return doc
    }

    // MARK: - Operations

    private static func add(_ op: [String: JSONValue], to doc: inout JSONValue) throws {
        let (path, text) = try pointer(op, "path", "add")
        let value = try operand(op, "add")
        do {
            try insert(value, at: path, in: &doc)
        } catch Failure.parentMissing {
            throw PatchError.invalid("add operation does not apply: doc is missing path: \"\(text)\": missing value")
        } catch let failure as Failure {
            throw PatchError.invalid("error in add for path: '\(text)': \(failure.message)")
        }
    }

    private static func remove(_ op: [String: JSONValue], from doc: inout JSONValue) throws {
        let (path, text) = try pointer(op, "path", "remove")
        do {
            _ = try take(at: path, from: &doc)
        } catch Failure.parentMissing {
            throw PatchError.invalid("remove operation does not apply: doc is missing path: \"\(text)\": missing value")
        } catch let failure as Failure {
            throw PatchError.invalid("error in remove for path: '\(text)': \(failure.message)")
        }
    }

    private static func replace(_ op: [String: JSONValue], in doc: inout JSONValue) throws {
        let (path, text) = try pointer(op, "path", "replace")
        let value = try operand(op, "replace")
        guard !path.isRoot else {
            doc = value
            return
        }
        let key = path.tokens.last!
        do {
            try modify(&doc, at: path.parent.tokens[...]) { container in
                switch container {
                case .object(var members):
                    guard members[key] != nil else { throw Failure.missingKey(key) }
                    container = .null
                    members[key] = value
                    container = .object(members)
                case .array(var items):
                    guard let i = JSONPointer.arrayIndex(key), i < items.count else { throw Failure.missingKey(key) }
                    container = .null
                    items[i] = value
                    container = .array(items)
                default:
                    throw Failure.parentMissing
                }
            }
        } catch Failure.parentMissing {
            throw PatchError.invalid("replace operation does not apply: doc is missing path: \(text): missing value")
        } catch is Failure {
            throw PatchError.invalid("replace operation does not apply: doc is missing key: \(text): missing value")
        }
    }

    private static func move(_ op: [String: JSONValue], in doc: inout JSONValue) throws {
        let (from, fromText) = try pointer(op, "from", "move")
        let (path, text) = try pointer(op, "path", "move")
        if from == path { return }
        // Moving a value into its own child would orphan it (RFC 6902 section 4.4).
        if path.hasPrefix(from) {
            throw PatchError.invalid("move operation does not apply: from path \(fromText) is a prefix of path \(text)")
        }
        let value: JSONValue
        do {
            value = try take(at: from, from: &doc)
        } catch Failure.parentMissing {
            throw PatchError.invalid("move operation does not apply: doc is missing from path: \(fromText): missing value")
        } catch let failure as Failure {
            throw PatchError.invalid("error in move for path: '\(fromText)': \(failure.message)")
        }
        do {
            try insert(value, at: path, in: &doc)
        } catch Failure.parentMissing {
            throw PatchError.invalid("move operation does not apply: doc is missing destination path: \(text): missing value")
        } catch let failure as Failure {
            throw PatchError.invalid("error in move for path: '\(text)': \(failure.message)")
        }
    }

    private static func copy(_ op: [String: JSONValue], in doc: inout JSONValue) throws {
        let (from, fromText) = try pointer(op, "from", "copy")
        let (path, text) = try pointer(op, "path", "copy")
        guard let value = from.resolve(in: doc) else {
            throw PatchError.invalid("copy operation does not apply: doc is missing from path: \(fromText): missing value")
        }
        do {
            try insert(value, at: path, in: &doc)
        } catch Failure.parentMissing {
            throw PatchError.invalid("copy operation does not apply: doc is missing destination path: \(text): missing value")
        } catch let failure as Failure {
            throw PatchError.invalid("error while adding value during copy: \(failure.message)")
        }
    }

    private static func test(_ op: [String: JSONValue], against doc: JSONValue) throws {
        let (path, text) = try pointer(op, "path", "test")
        let expected = op["value"] ?? .null
        if !path.isRoot, path.parent.resolve(in: doc) == nil {
            throw PatchError.invalid("test operation does not apply: is missing path: \(text): missing value")
        }
        // As upstream, a missing member passes a test for null.
        let actual = path.resolve(in: doc) ?? .null
        guard PatchJSON.equal(actual, expected) else {
            throw PatchError.invalid("testing value \(text) failed: test failed")
        }
    }

    // MARK: - Document surgery

    /// Why one step failed; the operation turns it into upstream's wording.
    private enum Failure: Error {
        case parentMissing
        case missingKey(String)
        case invalidIndex(Int)
        case notAnIndex(String)

        var message: String {
            switch self {
            case .parentMissing: return "missing value"
            case .missingKey(let key): return "Unable to remove nonexistent key: \(key): missing value"
            case .invalidIndex(let i): return "Unable to access invalid index: \(i): invalid index referenced"
            case .notAnIndex(let token): return "value was not a proper array index: '\(token)'"
            }
        }
    }

    /// Runs `body` on the value at `tokens`, writing the result back. Throws
    /// `parentMissing` when a step does not exist.
    private static func modify(
        _ value: inout JSONValue, at tokens: ArraySlice<String>, _ body: (inout JSONValue) throws -> Void
    ) throws {
        guard let token = tokens.first else {
            try body(&value)
            return
        }
        switch value {
        case .object(var members):
            guard var child = members[token] else { throw Failure.parentMissing }
            // Drop the other references so the nested containers are mutated in place.
            value = .null
            members[token] = nil
            defer {
                members[token] = child
                value = .object(members)
            }
            try modify(&child, at: tokens.dropFirst(), body)
        case .array(var items):
            guard let i = JSONPointer.arrayIndex(token), i < items.count else { throw Failure.parentMissing }
            var child = items[i]
            value = .null
            items[i] = .null
            defer {
                items[i] = child
                value = .array(items)
            }
            try modify(&child, at: tokens.dropFirst(), body)
        default:
            throw Failure.parentMissing
        }
    }

    /// RFC 6902 "add": sets an object member, or inserts into an array (`-` appends).
    /// Negative indices count from the end, as evanphx/json-patch allows.
    private static func insert(_ newValue: JSONValue, at path: JSONPointer, in doc: inout JSONValue) throws {
        guard let key = path.tokens.last else {
            doc = newValue
            return
        }
        try modify(&doc, at: path.parent.tokens[...]) { container in
            switch container {
            case .object(var members):
                container = .null
                members[key] = newValue
                container = .object(members)
            case .array(var items):
                container = .null
                defer { container = .array(items) }
                if key == "-" {
                    items.append(newValue)
                    return
                }
                guard var i = Int(key) else { throw Failure.notAnIndex(key) }
                let size = items.count + 1
                guard i < size, i >= -size else { throw Failure.invalidIndex(i) }
                if i < 0 { i += size }
                items.insert(newValue, at: i)
            default:
                throw Failure.parentMissing
            }
        }
    }

    /// Removes and returns the value at `path`.
    private static func take(at path: JSONPointer, from doc: inout JSONValue) throws -> JSONValue {
        guard let key = path.tokens.last else { throw Failure.parentMissing }
        var removed = JSONValue.null
        try modify(&doc, at: path.parent.tokens[...]) { container in
            switch container {
            case .object(var members):
                guard let old = members[key] else { throw Failure.missingKey(key) }
                container = .null
                members[key] = nil
                container = .object(members)
                removed = old
            case .array(var items):
                guard var i = Int(key) else { throw Failure.notAnIndex(key) }
                guard i < items.count, i >= -items.count else { throw Failure.invalidIndex(i) }
                if i < 0 { i += items.count }
                container = .null
                removed = items.remove(at: i)
                container = .array(items)
            default:
                throw Failure.parentMissing
            }
        }
        return removed
    }

    // MARK: - Operation fields

    private static func pointer(_ op: [String: JSONValue], _ field: String, _ kind: String) throws -> (JSONPointer, String) {
        guard let text = op[field]?.stringValue else {
            if field == "from" {
                throw PatchError.invalid("\(kind) operation failed to decode from: operation, missing from field: missing value")
            }
            throw PatchError.invalid("\(kind) operation failed to decode path: missing value")
        }
        guard let pointer = try? JSONPointer(text) else {
            throw PatchError.invalid("\(kind) operation does not apply: doc is missing path: \"\(text)\": missing value")
        }
        return (pointer, text)
    }

    private static func operand(_ op: [String: JSONValue], _ kind: String) throws -> JSONValue {
        guard let value = op["value"] else {
            throw PatchError.invalid("\(kind) operation failed: operation, missing value field: missing value")
        }
        return value
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
