#if !STANDALONE_CHECK
import KubeAPI
#endif

extension KubernetesProtobuf {
    /// Writes a JSON object as protobuf message bytes from the same `MessageSchema` tables the
    /// decoder reads, so `decode(encode(x)) == x` for every member the tables know.
    struct MessageEncoder {
        let registry: SchemaRegistry

        func encode(_ object: [String: JSONValue], as schemaName: String) throws -> [UInt8] {
            guard let schema = registry[schemaName] else {
                throw ProtobufEncodingError("no schema for message \(schemaName)")
            }
            var writer = WireWriter()
            var consumed = Set<String>()
            try encode(object, schema: schema, into: &writer, consumed: &consumed)
            for key in object.keys where !consumed.contains(key) {
                throw ProtobufEncodingError("\(schema.name) has no protobuf field for member \"\(key)\"")
            }
            return writer.bytes
        }

        /// `consumed` collects the members written, across inline fields that read the same object.
        private func encode(_ object: [String: JSONValue], schema: MessageSchema, into writer: inout WireWriter,
                            consumed: inout Set<String>) throws {
            for field in schema.fields {
                if field.inline {
                    guard case .message(let name) = field.kind, let inner = registry[name] else {
                        throw ProtobufEncodingError("inline field \(field.number) of \(schema.name) is not a known message")
                    }
                    var nested = WireWriter()
                    try encode(object, schema: inner, into: &nested, consumed: &consumed)
                    writer.writeLengthDelimited(field.number, nested.bytes)
                    continue
                }
                guard let value = object[field.name] else { continue }
                consumed.insert(field.name)
                if value.isNull { continue }
                do {
                    switch field.cardinality {
                    case .single:
                        try encodeValue(value, field.kind, field.number, into: &writer)
                    case .repeated:
                        guard case .array(let elements) = value else { throw ProtobufEncodingError("expected an array") }
                        for element in elements { try encodeValue(element, field.kind, field.number, into: &writer) }
                    case .map:
                        guard case .object(let entries) = value else { throw ProtobufEncodingError("expected an object") }
                        for key in entries.keys.sorted() {
                            var entry = WireWriter()
                            entry.writeLengthDelimited(1, Array(key.utf8))
                            if let member = entries[key], !member.isNull {
                                try encodeValue(member, field.kind, 2, into: &entry)
                            }
                            writer.writeLengthDelimited(field.number, entry.bytes)
                        }
                    }
                } catch var error as ProtobufEncodingError {
                    error.path.insert(field.name, at: 0)
                    throw error
                }
            }
        }

        private func realNumber(_ value: JSONValue) -> Double? {
            switch value {
            case .double(let d): return d
            case .int(let i): return Double(i)
            default: return nil
            }
        }

        private func encodeValue(_ value: JSONValue, _ kind: FieldKind, _ number: Int, into writer: inout WireWriter) throws {
            switch kind {
            case .string:
                guard let text = value.stringValue else { throw ProtobufEncodingError("expected a string") }
                writer.writeLengthDelimited(number, Array(text.utf8))
            case .bytes:
                guard let text = value.stringValue, let bytes = Base64.decode(text) else {
                    throw ProtobufEncodingError("expected a base64 string")
                }
                writer.writeLengthDelimited(number, bytes)
            case .bool:
                guard let flag = value.boolValue else { throw ProtobufEncodingError("expected a boolean") }
                writer.writeTag(number, .varint)
                writer.writeVarint(flag ? 1 : 0)
            case .int32, .int64:
                guard let integer = value.intValue else { throw ProtobufEncodingError("expected an integer") }
                writer.writeTag(number, .varint)
                writer.writeVarint(UInt64(bitPattern: kind == .int32 ? Int64(Int32(truncatingIfNeeded: integer)) : integer))
            case .double:
                guard let real = realNumber(value) else { throw ProtobufEncodingError("expected a number") }
                writer.writeTag(number, .fixed64)
                writer.writeFixed64(real.bitPattern)
            case .message(let name):
                guard case .object(let members) = value else { throw ProtobufEncodingError("expected an object") }
                writer.writeLengthDelimited(number, try encode(members, as: name))
            case .time, .microTime:
                guard let text = value.stringValue, let (seconds, nanos) = KubernetesTimestamp.parse(text) else {
                    throw ProtobufEncodingError("expected an RFC 3339 timestamp")
                }
                var inner = WireWriter()
                inner.writeTag(1, .varint)
                inner.writeVarint(UInt64(bitPattern: seconds))
                if kind == .microTime && nanos != 0 {
                    inner.writeTag(2, .varint)
                    inner.writeVarint(UInt64(bitPattern: Int64(nanos)))
                }
                writer.writeLengthDelimited(number, inner.bytes)
            case .quantity:
                let text: String
                switch value {
                case .string(let s): text = s
                case .int(let i): text = String(i)
                case .double(let d): text = String(d)
                default: throw ProtobufEncodingError("expected a quantity")
                }
                var inner = WireWriter()
                inner.writeLengthDelimited(1, Array(text.utf8))
                writer.writeLengthDelimited(number, inner.bytes)
            case .intOrString:
                var inner = WireWriter()
                if let integer = value.intValue {
                    inner.writeTag(1, .varint)
                    inner.writeVarint(0)
                    inner.writeTag(2, .varint)
                    inner.writeVarint(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: integer))))
                } else if let text = value.stringValue {
                    inner.writeTag(1, .varint)
                    inner.writeVarint(1)
                    inner.writeLengthDelimited(3, Array(text.utf8))
                } else {
                    throw ProtobufEncodingError("expected an integer or a string")
                }
                writer.writeLengthDelimited(number, inner.bytes)
            case .rawJSON:
                var inner = WireWriter()
                inner.writeLengthDelimited(1, JSONSerializer.serialize(value))
                writer.writeLengthDelimited(number, inner.bytes)
            }
        }
    }
}
