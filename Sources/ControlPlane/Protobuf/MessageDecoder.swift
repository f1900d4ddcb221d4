#if !STANDALONE_CHECK
import KubeAPI
#endif

extension KubernetesProtobuf {
    /// Turns protobuf message bytes into the JSON object the same Go value would marshal to,
    /// driven only by the `MessageSchema` tables.
    struct MessageDecoder {
        let registry: SchemaRegistry

        func decode(_ bytes: ArraySlice<UInt8>, as schemaName: String) throws -> [String: JSONValue] {
            guard let schema = registry[schemaName] else {
                throw ProtobufDecodingError("no schema for message \(schemaName)")
            }
            return try decode(bytes, schema: schema)
        }

        private func decode(_ bytes: ArraySlice<UInt8>, schema: MessageSchema) throws -> [String: JSONValue] {
            var object: [String: JSONValue] = [:]
            // Repeated and map values are gathered apart and stored once at the end, so adding
            // an element does not copy everything gathered so far.
            var lists: [String: [JSONValue]] = [:]
            var maps: [String: [String: JSONValue]] = [:]
            var reader = WireReader(bytes)
            while let (number, wireType) = try reader.readTag() {
                guard let field = schema.field(number) else {
                    try reader.skip(wireType)
                    continue
                }
                do {
                    switch field.cardinality {
                    case .single:
                        let value = try decodeValue(field.kind, wireType, &reader)
                        if field.inline {
                            for (key, member) in value.objectValue ?? [:] { object[key] = member }
                        } else if field.kind.isScalar, field.zero == .omitEmpty, isZero(value) {
                            object.removeValue(forKey: field.name)
                        } else if case .object(let later) = value, case .object(var earlier)? = object[field.name] {
                            // A message field sent twice merges, as protobuf readers must.
                            for (key, member) in later { earlier[key] = member }
                            object[field.name] = .object(earlier)
                        } else {
                            object[field.name] = value
                        }
                    case .repeated:
                        if wireType == .lengthDelimited && field.kind.isPackable {
                            var packed = WireReader(try reader.readLengthDelimited())
                            let elementWireType: WireType = field.kind == .double ? .fixed64 : .varint
                            while !packed.isAtEnd {
                                lists[field.name, default: []].append(try decodeValue(field.kind, elementWireType, &packed))
                            }
                        } else {
                            lists[field.name, default: []].append(try decodeValue(field.kind, wireType, &reader))
                        }
                    case .map:
                        try expect(.lengthDelimited, got: wireType)
                        let (key, value) = try decodeMapEntry(try reader.readLengthDelimited(), valueKind: field.kind)
                        maps[field.name, default: [:]][key] = value
                    }
                } catch var error as ProtobufDecodingError {
                    if !field.inline { error.path.insert(field.name, at: 0) }
                    throw error
                }
            }
            for (name, list) in lists { object[name] = .array(list) }
            for (name, map) in maps { object[name] = .object(map) }
            return object
        }

        private func decodeValue(_ kind: FieldKind, _ wireType: WireType, _ reader: inout WireReader) throws -> JSONValue {
            switch kind {
            case .string:
                try expect(.lengthDelimited, got: wireType)
                return .string(String(decoding: try reader.readLengthDelimited(), as: UTF8.self))
            case .bytes:
                try expect(.lengthDelimited, got: wireType)
                return .string(Base64.encode(try reader.readLengthDelimited()))
            case .bool:
                try expect(.varint, got: wireType)
                return .bool(try reader.readVarint() != 0)
            case .int32:
                try expect(.varint, got: wireType)
                // Negative int32 values travel sign-extended to 64 bits; the low half is the value.
                return .int(Int64(Int32(truncatingIfNeeded: try reader.readVarint())))
            case .int64:
                try expect(.varint, got: wireType)
                return .int(Int64(bitPattern: try reader.readVarint()))
            case .double:
                try expect(.fixed64, got: wireType)
                return .double(Double(bitPattern: try reader.readFixed64()))
            case .message(let name):
                try expect(.lengthDelimited, got: wireType)
                return .object(try decode(try reader.readLengthDelimited(), as: name))
            case .time, .microTime:
                try expect(.lengthDelimited, got: wireType)
                return try decodeTime(try reader.readLengthDelimited(), microseconds: kind == .microTime)
            case .quantity:
                try expect(.lengthDelimited, got: wireType)
                return try decodeQuantity(try reader.readLengthDelimited())
            case .intOrString:
                try expect(.lengthDelimited, got: wireType)
                return try decodeIntOrString(try reader.readLengthDelimited())
            case .rawJSON:
                try expect(.lengthDelimited, got: wireType)
                return try decodeRawJSON(try reader.readLengthDelimited())
            }
        }

        /// `map<string, V>` entries: key=1, value=2; a missing part is V's zero value, as in Go.
        private func decodeMapEntry(_ bytes: ArraySlice<UInt8>, valueKind: FieldKind) throws -> (String, JSONValue) {
            var key = ""
            var value: JSONValue?
            var reader = WireReader(bytes)
            while let (number, wireType) = try reader.readTag() {
                switch number {
                case 1:
                    try expect(.lengthDelimited, got: wireType)
                    key = String(decoding: try reader.readLengthDelimited(), as: UTF8.self)
                case 2:
                    value = try decodeValue(valueKind, wireType, &reader)
                default:
                    try reader.skip(wireType)
                }
            }
            return (key, value ?? zeroValue(valueKind))
        }

        /// Go reads an empty Time message as the zero time, which marshals to JSON `null`; it
        /// keeps only whole seconds of a `Time`, microseconds of a `MicroTime`.
        private func decodeTime(_ bytes: ArraySlice<UInt8>, microseconds: Bool) throws -> JSONValue {
            if bytes.isEmpty { return .null }
            var seconds: Int64 = 0
            var nanos: Int32 = 0
            var reader = WireReader(bytes)
            while let (number, wireType) = try reader.readTag() {
                switch number {
                case 1:
                    try expect(.varint, got: wireType)
                    seconds = Int64(bitPattern: try reader.readVarint())
                case 2:
                    try expect(.varint, got: wireType)
                    nanos = Int32(truncatingIfNeeded: try reader.readVarint())
                default:
                    try reader.skip(wireType)
                }
            }
            return .string(KubernetesTimestamp.format(seconds: seconds, nanos: nanos, microseconds: microseconds))
        }

        private func decodeQuantity(_ bytes: ArraySlice<UInt8>) throws -> JSONValue {
            var text = ""
            var reader = WireReader(bytes)
            while let (number, wireType) = try reader.readTag() {
                if number == 1 {
                    try expect(.lengthDelimited, got: wireType)
                    text = String(decoding: try reader.readLengthDelimited(), as: UTF8.self)
                } else {
                    try reader.skip(wireType)
                }
            }
            // A zero Quantity marshals as "0" in Go, whatever form it was written in.
            return .string(text.isEmpty ? "0" : text)
        }

        private func decodeIntOrString(_ bytes: ArraySlice<UInt8>) throws -> JSONValue {
            var type: Int64 = 0
            var intValue: Int32 = 0
            var stringValue = ""
            var reader = WireReader(bytes)
            while let (number, wireType) = try reader.readTag() {
                switch number {
                case 1:
                    try expect(.varint, got: wireType)
                    type = Int64(bitPattern: try reader.readVarint())
                case 2:
                    try expect(.varint, got: wireType)
                    intValue = Int32(truncatingIfNeeded: try reader.readVarint())
                case 3:
                    try expect(.lengthDelimited, got: wireType)
                    stringValue = String(decoding: try reader.readLengthDelimited(), as: UTF8.self)
                default:
                    try reader.skip(wireType)
                }
            }
            switch type {
            case 0: return .int(Int64(intValue))
            case 1: return .string(stringValue)
            default: throw ProtobufDecodingError("IntOrString has unknown type \(type)")
            }
        }

        private func decodeRawJSON(_ bytes: ArraySlice<UInt8>) throws -> JSONValue {
            var raw: ArraySlice<UInt8> = []
            var reader = WireReader(bytes)
            while let (number, wireType) = try reader.readTag() {
                if number == 1 {
                    try expect(.lengthDelimited, got: wireType)
                    raw = try reader.readLengthDelimited()
                } else {
                    try reader.skip(wireType)
                }
            }
            if raw.isEmpty { return .null }
            do {
                return try JSONParser.parse(Array(raw))
            } catch {
                throw ProtobufDecodingError("embedded JSON is invalid: \(error)")
            }
        }

        private func expect(_ wanted: WireType, got: WireType) throws {
            guard wanted == got else {
                throw ProtobufDecodingError("wrong wire type: expected \(wanted), got \(got)")
            }
        }

        private func isZero(_ value: JSONValue) -> Bool {
            switch value {
            case .string(let s): return s.isEmpty
            case .bool(let b): return !b
            case .int(let i): return i == 0
            case .double(let d): return d == 0
            default: return false
            }
        }

        private func zeroValue(_ kind: FieldKind) -> JSONValue {
            switch kind {
            case .string, .bytes: return .string("")
            case .bool: return .bool(false)
            case .int32, .int64, .intOrString: return .int(0)
            case .double: return .double(0)
            case .message: return .emptyObject
            case .time, .microTime, .rawJSON: return .null
            case .quantity: return .string("0")
            }
        }
    }
}
