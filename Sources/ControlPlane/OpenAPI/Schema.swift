#if !STANDALONE_CHECK
import KubeAPI
#endif

/// The shape of a JSON value that an API type accepts, derived from the type's Codable
/// conformance by `SchemaReflector`. One tree serves three purposes: strict field
/// validation (`UnknownFields`), pruning (`Schema.prune`) and the OpenAPI documents
/// (`OpenAPIBuilder`), so they cannot drift apart.
///
/// The tree is self-contained: a recursive type refers back to an enclosing object with
/// `.recursive(typeName)`, resolved against the objects on the path from the root.
public indirect enum Schema: Hashable, Sendable {
    /// A struct: a fixed set of fields.
    case object(ObjectSchema)
    /// A JSON array (`[T]`, `Set<T>`).
    case array(Schema)
    /// A JSON object with arbitrary keys (`[String: T]`): OpenAPI `additionalProperties`.
    case map(Schema)
    /// string, integer, number or boolean, with an optional format and enum.
    case primitive(Primitive)
    /// `IntOrString`: a JSON integer or string (`x-kubernetes-int-or-string`).
    case intOrString
    /// `Quantity`: a string such as `100m` or `1Gi` (a JSON number is accepted too).
    case quantity
    /// Anything (`JSONValue`): unknown fields inside are kept (`x-kubernetes-preserve-unknown-fields`).
    case any
    /// Back-reference to the enclosing object of this Swift type (a recursive type).
    case recursive(String)

    public static let string = Schema.primitive(Primitive(.string))
    public static let boolean = Schema.primitive(Primitive(.boolean))
    public static let int32 = Schema.primitive(Primitive(.integer, format: "int32"))
    public static let int64 = Schema.primitive(Primitive(.integer, format: "int64"))
    public static let double = Schema.primitive(Primitive(.number, format: "double"))
    public static let dateTime = Schema.primitive(Primitive(.string, format: "date-time"))
    public static let byte = Schema.primitive(Primitive(.string, format: "byte"))

    public var objectSchema: ObjectSchema? {
        if case .object(let o) = self { return o }
        return nil
    }
}

public struct Primitive: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case string, integer, number, boolean
    }
    public var type: Kind
    public var format: String?
    /// Allowed values, for Swift enums that are `CaseIterable` and `RawRepresentable`.
    public var enumValues: [String]?

    public init(_ type: Kind, format: String? = nil, enumValues: [String]? = nil) {
        self.type = type
        self.format = format
        self.enumValues = enumValues
    }
}

/// A struct's fields. `typeName` is the fully qualified Swift type (`KubeAPI.Container`);
/// it names the OpenAPI component and is what `.recursive` refers to. Anonymous objects
/// (a nested keyed container) have no type name and are written inline.
public struct ObjectSchema: Hashable, Sendable {
    public var typeName: String?
    public var description: String?
    public var properties: [String: Property]
    /// Fields decoded with `decode` rather than `decodeIfPresent`.
    public var required: [String]

    public init(typeName: String? = nil, description: String? = nil, properties: [String: Property] = [:],
                required: [String] = []) {
        self.typeName = typeName
        self.description = description
        self.properties = properties
        self.required = required
    }

    /// The last component of the Swift type name (`Container` for `KubeAPI.Container`).
    public var shortName: String? {
        guard let typeName else { return nil }
        return String(typeName.split(separator: ".").last ?? Substring(typeName))
    }
}

/// One field of an object: its schema plus the per-field metadata that OpenAPI carries
/// (description, strategic-merge-patch strategy and merge key, list type).
public struct Property: Hashable, Sendable {
    public var schema: Schema
    public var annotation: SchemaAnnotation

    public init(_ schema: Schema, annotation: SchemaAnnotation = SchemaAnnotation()) {
        self.schema = schema
        self.annotation = annotation
    }
}

/// Metadata about a field that the Swift type cannot express.
public struct SchemaAnnotation: Hashable, Sendable {
    public var description: String?
    /// `x-kubernetes-patch-strategy`: `merge`, `retainKeys`, `merge,retainKeys`, `replace`.
    public var patchStrategy: String?
    /// `x-kubernetes-patch-merge-key`: the key that identifies list elements (`name`).
    public var patchMergeKey: String?
    /// `x-kubernetes-list-type`: `atomic`, `set` or `map`.
    public var listType: String?
    /// `x-kubernetes-list-map-keys` for `listType == "map"`.
    public var listMapKeys: [String]?
    /// Replaces the format of a string field (`date-time` for timestamps kept as String).
    public var format: String?

    public init(description: String? = nil, patchStrategy: String? = nil, patchMergeKey: String? = nil,
                listType: String? = nil, listMapKeys: [String]? = nil, format: String? = nil) {
        self.description = description
        self.patchStrategy = patchStrategy
        self.patchMergeKey = patchMergeKey
        self.listType = listType
        self.listMapKeys = listMapKeys
        self.format = format
    }

    /// A list merged by key, as upstream declares it (`+patchStrategy=merge`, `+listType=map`).
    public static func mergeList(key: String, mapKeys: [String]? = nil, description: String? = nil) -> SchemaAnnotation {
        SchemaAnnotation(description: description, patchStrategy: "merge", patchMergeKey: key, listType: "map",
                         listMapKeys: mapKeys ?? [key])
    }

    /// Fields of `other` override those set here.
    public func merged(with other: SchemaAnnotation) -> SchemaAnnotation {
        SchemaAnnotation(description: other.description ?? description,
                         patchStrategy: other.patchStrategy ?? patchStrategy,
                         patchMergeKey: other.patchMergeKey ?? patchMergeKey,
                         listType: other.listType ?? listType,
                         listMapKeys: other.listMapKeys ?? listMapKeys,
                         format: other.format ?? format)
    }
}

/// A type that states its own schema instead of being reflected: custom-coded leaf types
/// (a value that is an int or a string, a free-form JSON value, …).
public protocol SchemaProviding {
    static var schema: Schema { get }
}

/// A type that documents its fields: descriptions and patch metadata. Applied on top of
/// the built-in table of upstream metadata (`KnownSchemaMetadata`).
public protocol SchemaDocumenting {
    static var schemaDescription: String? { get }
    static var fieldAnnotations: [String: SchemaAnnotation] { get }
}

extension SchemaDocumenting {
    public static var schemaDescription: String? { nil }
    public static var fieldAnnotations: [String: SchemaAnnotation] { [:] }
}

extension JSONValue: SchemaProviding {
    public static var schema: Schema { .any }
}

// MARK: - Walking

extension Schema {
    /// Resolves `.recursive` against the enclosing objects (innermost last).
    func resolved(in ancestors: [ObjectSchema]) -> Schema {
        guard case .recursive(let name) = self else { return self }
        if let o = ancestors.last(where: { $0.typeName == name }) { return .object(o) }
        return .any  // unreachable for trees made by SchemaReflector; be permissive
    }

    /// Every named object in the tree (each type once), depth first in sorted field order.
    public func namedObjects() -> [ObjectSchema] {
        var seen = Set<String>()
        var out: [ObjectSchema] = []
        collectNamed(into: &out, seen: &seen)
        return out
    }

    func collectNamed(into out: inout [ObjectSchema], seen: inout Set<String>) {
        switch self {
        case .object(let o):
            if let n = o.typeName {
                if seen.contains(n) { return }
                seen.insert(n)
                out.append(o)
            }
            for key in o.properties.keys.sorted() {
                o.properties[key]!.schema.collectNamed(into: &out, seen: &seen)
            }
        case .array(let s), .map(let s):
            s.collectNamed(into: &out, seen: &seen)
        default:
            break
        }
    }

    /// Follows a path of field names through objects, arrays and maps (an array or map
    /// step is taken implicitly), e.g. `["spec", "containers", "ports"]` from Pod.
    public func lookup(_ path: [String]) -> Schema? {
        path.isEmpty ? self : property(at: path)?.schema
    }

    /// The property at a path, with its annotation, e.g. `["spec", "containers"]` from Pod.
    /// A recursive reference in the result is resolved.
    public func property(at path: [String]) -> Property? {
        var current = self
        var ancestors: [ObjectSchema] = []
        var found: Property?
        for key in path {
            current = current.resolved(in: ancestors)
            while true {
                if case .array(let s) = current { current = s.resolved(in: ancestors); continue }
                if case .map(let s) = current { current = s.resolved(in: ancestors); continue }
                break
            }
            guard case .object(let o) = current, var p = o.properties[key] else { return nil }
            ancestors.append(o)
            p.schema = p.schema.resolved(in: ancestors)
            found = p
            current = p.schema
        }
        return found
    }
}
