import Foundation
#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Derives a `Schema` from a `Decodable` type by running its `init(from:)` against a
/// decoder that records what the initializer asks for:
///
/// - a keyed container records every key asked for (`decodeIfPresent` → optional field,
///   `decode` → required field) with the schema of the requested type, reflected in turn;
/// - an unkeyed container records its element type, a single-value container the
///   primitive it is decoded as (String, Bool, Int32 → integer/int32, Int64 → integer/int64,
///   Double → number, …).
///
/// Containers the decoder cannot observe are recognised by type before `init(from:)` runs:
/// `Optional`, `Array`/`Set` (their decoders loop while `!isAtEnd`, which says nothing about
/// the element) and `[String: V]` (decoded through `allKeys`, which is empty here) are
/// detected through marker protocols; `SchemaProviding` types state their own schema
/// (`JSONValue` → any); types named `IntOrString` and `Quantity` are the int-or-string and
/// quantity leaves; `CaseIterable` raw-value enums become enums. Recursive types produce
/// `.recursive(typeName)` instead of looping (cycle guard).
///
/// Reflection only needs the initializer to reach each `decode…` call; fields decoded
/// with `decodeIfPresent` get `nil`, fields decoded with `decode` get a placeholder value
/// built the same way (empty string, zero, empty collection, first enum case). A type whose
/// initializer rejects placeholders (e.g. a required enum without `CaseIterable`) is still
/// reflected up to the rejecting field.
public final class SchemaReflector {
    private var cache: [String: Schema] = [:]
    private var stack: [String] = []
    private var placeholderDepth = 0

    public init() {}

    /// The schema of `type`, e.g. `SchemaReflector().schema(for: Pod.self)`.
    public func schema(for type: any Decodable.Type) -> Schema {
        reflect(type).schema
    }

    public static func schema(for type: any Decodable.Type) -> Schema {
        SchemaReflector().schema(for: type)
    }

    // MARK: Reflection

    /// The schema plus the names of enclosing types it refers back to (still open cycles).
    func reflect(_ type: any Decodable.Type) -> (schema: Schema, openRefs: Set<String>) {
        if let p = type as? any SchemaProviding.Type { return (p.schema, []) }
        if let o = type as? any _OptionalMarker.Type { return reflect(o.wrappedDecodableType) }
        if let a = type as? any _ArrayMarker.Type {
            let (s, refs) = reflect(a.elementDecodableType)
            return (.array(s), refs)
        }
        if let d = type as? any _DictionaryMarker.Type {
            let (s, refs) = reflect(d.valueDecodableType)
            return (.map(s), refs)
        }
        if let s = Self.leafSchema(type) { return (s, []) }

        let typeName = String(reflecting: type)
        if stack.contains(typeName) { return (.recursive(typeName), [typeName]) }
        if let cached = cache[typeName] { return (cached, []) }

        stack.append(typeName)
        let recording = Recording()
        let decoder = RecordingDecoder(reflector: self, recording: recording, producing: false, codingPath: [])
        _ = try? type.init(from: decoder)
        stack.removeLast()

        var (schema, refs) = recording.finish(typeName: typeName)
        if case .object(var o) = schema {
            Self.annotate(&o, type: type)
            schema = .object(o)
        }
        refs.remove(typeName)
        if refs.isEmpty { cache[typeName] = schema }
        return (schema, refs)
    }

    /// Schemas for types that are leaves on the wire.
    static func leafSchema(_ type: any Decodable.Type) -> Schema? {
        switch type {
        case is String.Type, is URL.Type, is UUID.Type: return .string
        case is Bool.Type: return .boolean
        case is Int32.Type, is Int16.Type, is Int8.Type, is UInt8.Type, is UInt16.Type: return .int32
        case is Int64.Type, is Int.Type, is UInt32.Type, is UInt64.Type, is UInt.Type: return .int64
        case is Double.Type, is Decimal.Type: return .double
        case is Float.Type: return .primitive(Primitive(.number, format: "float"))
        case is Data.Type: return .byte
        case is Date.Type: return .dateTime
        default: break
        }
        switch String(describing: type) {
        case "IntOrString": return .intOrString
        case "Quantity": return .quantity
        case "Time", "MicroTime": return .dateTime
        default: break
        }
        if let e = type as? any CaseIterable.Type, let values = enumRawValues(e) {
            return values.kind == .string
                ? .primitive(Primitive(.string, enumValues: values.values))
                : .primitive(Primitive(.integer, format: "int32"))
        }
        return nil
    }

    /// Upstream metadata, the type's own documentation, and `date-time` for timestamps.
    static func annotate(_ object: inout ObjectSchema, type: any Decodable.Type) {
        guard let short = object.shortName else { return }
        var annotations = KnownSchemaMetadata.fieldAnnotations[short] ?? [:]
        var description = KnownSchemaMetadata.typeDescriptions[short]
        if let d = type as? any SchemaDocumenting.Type {
            for (k, v) in d.fieldAnnotations { annotations[k] = (annotations[k] ?? SchemaAnnotation()).merged(with: v) }
            description = d.schemaDescription ?? description
        }
        object.description = object.description ?? description
        for (name, var property) in object.properties {
            var a = property.annotation
            if let known = annotations[name] { a = a.merged(with: known) }
            if a.description == nil { a.description = KnownSchemaMetadata.commonFieldDescriptions[name] }
            if let format = a.format, case .primitive(var p) = property.schema, p.type == .string {
                p.format = format
                property.schema = .primitive(p)
            } else if property.schema == .string, KnownSchemaMetadata.looksLikeTimestamp(name) {
                property.schema = .dateTime
            }
            property.annotation = a
            object.properties[name] = property
        }
    }

    // MARK: Placeholder values

    /// A value of `type` for a `decode` (non-optional) call, built without recording.
    func placeholder<T: Decodable>(_ type: T.Type, codingPath: [any CodingKey]) throws -> T {
        if let v = Self.primitivePlaceholder(type) as? T { return v }
        if let o = type as? any _OptionalMarker.Type, let v = o.noneValue as? T { return v }
        if let a = type as? any _ArrayMarker.Type, let v = a.emptyValue as? T { return v }
        if let d = type as? any _DictionaryMarker.Type, let v = d.emptyValue as? T { return v }
        if let e = type as? any CaseIterable.Type, let v = firstCase(e) as? T { return v }
        // A required field of a type that (indirectly) requires itself has no finite placeholder.
        guard placeholderDepth < 64 else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                                                    debugDescription: "no placeholder for \(T.self)"))
        }
        placeholderDepth += 1
        defer { placeholderDepth -= 1 }
        let decoder = RecordingDecoder(reflector: self, recording: Recording(), producing: true, codingPath: codingPath)
        return try T(from: decoder)
    }

    static func primitivePlaceholder(_ type: Any.Type) -> Any? {
        switch type {
        case is String.Type: return ""
        case is Bool.Type: return false
        case is Int.Type: return 0 as Int
        case is Int8.Type: return 0 as Int8
        case is Int16.Type: return 0 as Int16
        case is Int32.Type: return 0 as Int32
        case is Int64.Type: return 0 as Int64
        case is UInt.Type: return 0 as UInt
        case is UInt8.Type: return 0 as UInt8
        case is UInt16.Type: return 0 as UInt16
        case is UInt32.Type: return 0 as UInt32
        case is UInt64.Type: return 0 as UInt64
        case is Double.Type: return 0.0 as Double
        case is Float.Type: return 0 as Float
        default: return nil
        }
    }
}

// MARK: - Marker protocols (containers a decoder cannot observe)

protocol _OptionalMarker {
    static var wrappedDecodableType: any Decodable.Type { get }
    static var noneValue: Any { get }
}

extension Optional: _OptionalMarker where Wrapped: Decodable {
    static var wrappedDecodableType: any Decodable.Type { Wrapped.self }
    static var noneValue: Any { Optional<Wrapped>.none as Any }
}

protocol _ArrayMarker {
    static var elementDecodableType: any Decodable.Type { get }
    static var emptyValue: Any { get }
}

extension Array: _ArrayMarker where Element: Decodable {
    static var elementDecodableType: any Decodable.Type { Element.self }
    static var emptyValue: Any { [Element]() }
}

extension Set: _ArrayMarker where Element: Decodable {
    static var elementDecodableType: any Decodable.Type { Element.self }
    static var emptyValue: Any { Set<Element>() }
}

/// `[String: V]`: Swift decodes it through a keyed container's `allKeys`, so the value
/// type never shows up in a recording and has to be read off the type.
protocol _DictionaryMarker {
    static var valueDecodableType: any Decodable.Type { get }
    static var emptyValue: Any { get }
}

extension Dictionary: _DictionaryMarker where Key == String, Value: Decodable {
    static var valueDecodableType: any Decodable.Type { Value.self }
    static var emptyValue: Any { [String: Value]() }
}

private enum RawKind { case string, integer }

private func enumRawValues(_ type: any CaseIterable.Type) -> (kind: RawKind, values: [String])? {
    func open<C: CaseIterable>(_ t: C.Type) -> [Any] { C.allCases.map { $0 as Any } }
    let cases = open(type)
    var values: [String] = []
    var kind = RawKind.string
    for c in cases {
        guard let raw = (c as? any RawRepresentable)?.rawValue else { return nil }
        if let s = raw as? String {
            values.append(s)
        } else if raw is any BinaryInteger {
            kind = .integer
            values.append("\(raw)")
        } else {
            return nil
        }
    }
    return (kind, values)
}

private func firstCase(_ type: any CaseIterable.Type) -> Any? {
    func open<C: CaseIterable>(_ t: C.Type) -> Any? { C.allCases.first.map { $0 as Any } }
    return open(type)
}

// MARK: - Recording

/// What one `init(from:)` asked of its decoder. Nested containers are recordings of their own.
final class Recording {
    enum Slot {
        case schema(Schema, Set<String>)
        case nested(Recording)
    }
    enum Shape {
        case none
        case keyed
        case unkeyed
        case single
    }

    var shape = Shape.none
    var fields: [String: Slot] = [:]
    var required: Set<String> = []
    var element: Slot?
    var single: Slot?

    func finish(typeName: String?) -> (Schema, Set<String>) {
        switch shape {
        case .none:
            return (.any, [])
        case .keyed:
            var refs = Set<String>()
            var properties: [String: Property] = [:]
            for (key, slot) in fields {
                let (s, r) = Self.finish(slot)
                properties[key] = Property(s)
                refs.formUnion(r)
            }
            let object = ObjectSchema(typeName: typeName, properties: properties,
                                      required: required.sorted())
            return (.object(object), refs)
        case .unkeyed:
            guard let element else { return (.array(.any), []) }
            let (s, r) = Self.finish(element)
            return (.array(s), r)
        case .single:
            guard let single else { return (.any, []) }
            return Self.finish(single)
        }
    }

    private static func finish(_ slot: Slot) -> (Schema, Set<String>) {
        switch slot {
        case .schema(let s, let r): return (s, r)
        case .nested(let rec): return rec.finish(typeName: nil)
        }
    }
}

struct RecordingDecoder: Decoder {
    let reflector: SchemaReflector
    let recording: Recording
    /// Only building placeholder values: nothing is recorded.
    let producing: Bool
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if !producing, recording.shape == .none { recording.shape = .keyed }
        return KeyedDecodingContainer(RecordingKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        if !producing, recording.shape == .none { recording.shape = .unkeyed }
        return RecordingUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        if !producing, recording.shape == .none { recording.shape = .single }
        return RecordingSingleValueContainer(decoder: self)
    }

    func child(_ recording: Recording, key: (any CodingKey)?) -> RecordingDecoder {
        RecordingDecoder(reflector: reflector, recording: recording, producing: producing,
                         codingPath: key.map { codingPath + [$0] } ?? codingPath)
    }

    func slot(for type: any Decodable.Type) -> Recording.Slot {
        let (s, refs) = reflector.reflect(type)
        return .schema(s, refs)
    }
}

private struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { !decoder.producing }
    func decodeNil(forKey key: Key) throws -> Bool { decoder.producing }

    private func record(_ type: any Decodable.Type, _ key: Key, required: Bool) {
        guard !decoder.producing else { return }
        let r = decoder.recording
        if r.fields[key.stringValue] == nil { r.fields[key.stringValue] = decoder.slot(for: type) }
        if required { r.required.insert(key.stringValue) }
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        record(type, key, required: !(type is any _OptionalMarker.Type))
        return try decoder.reflector.placeholder(type, codingPath: codingPath + [key])
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        record(type, key, required: false)
        return nil
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(Box<Bool>.self, forKey: key).v }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(Box<String>.self, forKey: key).v }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(Box<Double>.self, forKey: key).v }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(Box<Float>.self, forKey: key).v }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(Box<Int>.self, forKey: key).v }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(Box<Int8>.self, forKey: key).v }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(Box<Int16>.self, forKey: key).v }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(Box<Int32>.self, forKey: key).v }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(Box<Int64>.self, forKey: key).v }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(Box<UInt>.self, forKey: key).v }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(Box<UInt8>.self, forKey: key).v }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(Box<UInt16>.self, forKey: key).v }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(Box<UInt32>.self, forKey: key).v }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(Box<UInt64>.self, forKey: key).v }

    // The standard library's default `decodeIfPresent` for primitives calls `decode`, which
    // would mark the field required; answer them directly.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { record(type, key, required: false); return nil }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let child = nestedRecording(key)
        return try decoder.child(child, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let child = nestedRecording(key)
        return try decoder.child(child, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(nestedRecording(key), key: key)
    }

    private func nestedRecording(_ key: Key) -> Recording {
        if case .nested(let existing)? = decoder.recording.fields[key.stringValue] { return existing }
        let child = Recording()
        if !decoder.producing { decoder.recording.fields[key.stringValue] = .nested(child) }
        return child
    }
}

/// Routes the primitive `decode` overloads through the generic one.
private struct Box<V: Decodable>: Decodable {
    var v: V
    init(from decoder: any Decoder) throws { v = try decoder.singleValueContainer().decode(V.self) }
}

extension Box: SchemaProviding {
    static var schema: Schema { SchemaReflector.leafSchema(V.self) ?? .any }
}

private struct RecordingUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { isAtEnd ? 0 : nil }
    var currentIndex = 0
    /// Recording: one element is offered so that the element type is asked for.
    /// Producing: empty.
    var isAtEnd: Bool

    init(decoder: RecordingDecoder) {
        self.decoder = decoder
        isAtEnd = decoder.producing || decoder.recording.element != nil
    }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if !decoder.producing, decoder.recording.element == nil {
            decoder.recording.element = decoder.slot(for: type)
        }
        isAtEnd = true
        currentIndex += 1
        return try decoder.reflector.placeholder(type, codingPath: codingPath)
    }

    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        if !decoder.producing, decoder.recording.element == nil {
            decoder.recording.element = decoder.slot(for: type)
        }
        isAtEnd = true
        currentIndex += 1
        return nil
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try nestedDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nestedDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { nestedDecoder() }

    private mutating func nestedDecoder() -> RecordingDecoder {
        let child = Recording()
        if !decoder.producing, decoder.recording.element == nil { decoder.recording.element = .nested(child) }
        isAtEnd = true
        currentIndex += 1
        return decoder.child(child, key: nil)
    }
}

private struct RecordingSingleValueContainer: SingleValueDecodingContainer {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if !decoder.producing, decoder.recording.single == nil {
            decoder.recording.single = decoder.slot(for: type)
        }
        return try decoder.reflector.placeholder(type, codingPath: codingPath)
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decode(Box<Bool>.self).v }
    func decode(_ type: String.Type) throws -> String { try decode(Box<String>.self).v }
    func decode(_ type: Double.Type) throws -> Double { try decode(Box<Double>.self).v }
    func decode(_ type: Float.Type) throws -> Float { try decode(Box<Float>.self).v }
    func decode(_ type: Int.Type) throws -> Int { try decode(Box<Int>.self).v }
    func decode(_ type: Int8.Type) throws -> Int8 { try decode(Box<Int8>.self).v }
    func decode(_ type: Int16.Type) throws -> Int16 { try decode(Box<Int16>.self).v }
    func decode(_ type: Int32.Type) throws -> Int32 { try decode(Box<Int32>.self).v }
    func decode(_ type: Int64.Type) throws -> Int64 { try decode(Box<Int64>.self).v }
    func decode(_ type: UInt.Type) throws -> UInt { try decode(Box<UInt>.self).v }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decode(Box<UInt8>.self).v }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decode(Box<UInt16>.self).v }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decode(Box<UInt32>.self).v }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decode(Box<UInt64>.self).v }
}
