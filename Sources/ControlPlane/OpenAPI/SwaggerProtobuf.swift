#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Encodes the swagger 2.0 document as the protobuf kubectl asks /openapi/v2 for
/// (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): gnostic's
/// `openapi.v2.Document` message (github.com/google/gnostic, openapiv2/OpenAPIv2.proto).
/// kubectl parses nothing else there — no JSON fallback — and needs it for client-side
/// validation of `kind: List` manifests and GroupVersions missing from /openapi/v3.
///
/// Only the parts of the schema that `OpenAPIBuilder` produces are encoded: info, paths
/// with their operations and parameters, responses, and definitions. Vendor extensions
/// (`x-kubernetes-…`) and enum values are `Any` messages carrying YAML text (JSON is
/// YAML), which is how kube-openapi reads them back.
enum SwaggerProtobuf {
    static func encode(_ doc: JSONValue) -> [UInt8] {
        var m = Message()
        m.string(1, doc["swagger"]?.stringValue ?? "2.0")
        if let info = doc["info"] {
            var i = Message()
            i.string(1, info["title"]?.stringValue)
            i.string(2, info["version"]?.stringValue)
            m.message(2, i)
        }
        if case .object(let paths)? = doc["paths"] {
            var p = Message()
            for name in paths.keys.sorted() {
                var named = Message()
                named.string(1, name)
                named.message(2, pathItem(paths[name]!))
                p.message(2, named)
            }
            m.message(8, p)
        }
        if case .object(let defs)? = doc["definitions"] {
            var d = Message()
            for name in defs.keys.sorted() {
                var named = Message()
                named.string(1, name)
                named.message(2, schema(defs[name]!))
                d.message(1, named)
            }
            m.message(9, d)
        }
        return m.bytes
    }

    static func pathItem(_ item: JSONValue) -> Message {
        var m = Message()
        for (method, field) in [("get", 2), ("put", 3), ("post", 4), ("delete", 5), ("options", 6), ("head", 7),
                                ("patch", 8)] {
            if let op = item[method] { m.message(field, operation(op)) }
        }
        for p in item["parameters"]?.arrayValue ?? [] { m.message(9, parametersItem(p)) }
        m.extensions(10, item)
        return m
    }

    static func operation(_ op: JSONValue) -> Message {
        var m = Message()
        for t in op["tags"]?.arrayValue ?? [] { m.string(1, t.stringValue) }
        m.string(2, op["summary"]?.stringValue)
        m.string(3, op["description"]?.stringValue)
        m.string(5, op["operationId"]?.stringValue)
        for t in op["produces"]?.arrayValue ?? [] { m.string(6, t.stringValue) }
        for t in op["consumes"]?.arrayValue ?? [] { m.string(7, t.stringValue) }
        for p in op["parameters"]?.arrayValue ?? [] { m.message(8, parametersItem(p)) }
        if case .object(let responses)? = op["responses"] {
            var r = Message()
            for code in responses.keys.sorted() {
                let resp = responses[code]!
                var response = Message()
                response.string(1, resp["description"]?.stringValue ?? "")
                if let s = resp["schema"] {
                    var item = Message()
                    item.message(1, schema(s))
                    response.message(2, item)
                }
                var value = Message()
                value.message(1, response)
                var named = Message()
                named.string(1, code)
                named.message(2, value)
                r.message(1, named)
            }
            m.message(9, r)
        }
        for s in op["schemes"]?.arrayValue ?? [] { m.string(10, s.stringValue) }
        m.extensions(13, op)
        return m
    }

    static func parametersItem(_ p: JSONValue) -> Message {
        var parameter = Message()
        let location = p["in"]?.stringValue ?? "query"
        if location == "body" {
            var b = Message()
            b.string(1, p["description"]?.stringValue)
            b.string(2, p["name"]?.stringValue)
            b.string(3, location)
            b.bool(4, p["required"]?.boolValue ?? false)
            if let s = p["schema"] { b.message(5, schema(s)) }
            parameter.message(1, b)
        } else {
            // Query/Header/FormData/Path sub-schemas share the first four fields; `type` is 6
            // for query and form data, 5 for header and path, `uniqueItems` 20 or 19.
            let (oneofField, typeField, uniqueField): (Int, Int, Int) = switch location {
            case "header": (1, 5, 19)
            case "formData": (2, 6, 20)
            case "path": (4, 5, 19)
            default: (3, 6, 20)
            }
            var sub = Message()
            sub.bool(1, p["required"]?.boolValue ?? false)
            sub.string(2, location)
            sub.string(3, p["description"]?.stringValue)
            sub.string(4, p["name"]?.stringValue)
            sub.string(typeField, p["type"]?.stringValue)
            sub.bool(uniqueField, p["uniqueItems"]?.boolValue ?? false)
            var nonBody = Message()
            nonBody.message(oneofField, sub)
            parameter.message(2, nonBody)
        }
        var item = Message()
        item.message(1, parameter)
        return item
    }

    static func schema(_ s: JSONValue) -> Message {
        var m = Message()
        m.string(1, s["$ref"]?.stringValue)
        m.string(2, s["format"]?.stringValue)
        m.string(3, s["title"]?.stringValue)
        m.string(4, s["description"]?.stringValue)
        for r in s["required"]?.arrayValue ?? [] { m.string(19, r.stringValue) }
        for e in s["enum"]?.arrayValue ?? [] { m.message(20, any(e)) }
        if let ap = s["additionalProperties"] {
            var item = Message()
            if case .bool(let b) = ap { item.bool(2, b, always: true) } else { item.message(1, schema(ap)) }
            m.message(21, item)
        }
        if let t = s["type"] {
            var item = Message()
            if case .array(let ts) = t { for x in ts { item.string(1, x.stringValue) } } else { item.string(1, t.stringValue) }
            m.message(22, item)
        }
        if let items = s["items"] {
            var item = Message()
            if case .array(let xs) = items { for x in xs { item.message(1, schema(x)) } } else { item.message(1, schema(items)) }
            m.message(23, item)
        }
        for a in s["allOf"]?.arrayValue ?? [] { m.message(24, schema(a)) }
        if case .object(let props)? = s["properties"] {
            var p = Message()
            for name in props.keys.sorted() {
                var named = Message()
                named.string(1, name)
                named.message(2, schema(props[name]!))
                p.message(1, named)
            }
            m.message(25, p)
        }
        m.extensions(31, s)
        return m
    }

    /// gnostic `Any`: the value as YAML text (field 2).
    static func any(_ v: JSONValue) -> Message {
        var bytes: [UInt8] = []
        JSONSerializer.write(v, into: &bytes)
        var m = Message()
        m.string(2, String(decoding: bytes, as: UTF8.self))
        return m
    }

    /// A message being written, with the few field kinds the OpenAPI v2 document uses,
    /// on the same wire writer as the request-body codec.
    struct Message {
        private var writer = KubernetesProtobuf.WireWriter()
        var bytes: [UInt8] { writer.bytes }

        mutating func string(_ field: Int, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            writer.writeLengthDelimited(field, value.utf8)
        }

        mutating func bool(_ field: Int, _ value: Bool, always: Bool = false) {
            guard value || always else { return }
            writer.writeTag(field, .varint)
            writer.writeVarint(value ? 1 : 0)
        }

        mutating func message(_ field: Int, _ m: Message) {
            writer.writeLengthDelimited(field, m.bytes)
        }

        /// `x-…` members of a JSON object as `repeated NamedAny`.
        mutating func extensions(_ field: Int, _ object: JSONValue) {
            guard case .object(let o) = object else { return }
            for name in o.keys.sorted() where name.hasPrefix("x-") {
                var named = Message()
                named.string(1, name)
                named.message(2, SwaggerProtobuf.any(o[name]!))
                message(field, named)
            }
        }
    }
}
