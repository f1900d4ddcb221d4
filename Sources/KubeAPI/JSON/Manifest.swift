import Yams

/// Manifests as users write them: YAML (one or more `---`-separated documents) or JSON.
public enum Manifest {
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Parses JSON, or else YAML, into value trees; empty YAML documents are skipped.
    public static func parseDocuments(_ text: String) throws -> [JSONValue] {
        let trimmed = text.drop(while: { $0.isWhitespace })
        if trimmed.first == "{" || trimmed.first == "[", let json = try? JSONParser.parse(text) {
            return [json]
        }
        do {
            var documents: [JSONValue] = []
            for node in try Yams.compose_all(yaml: text) {
                let value = try jsonValue(from: node, depth: 0)
                if !value.isNull { documents.append(value) }
            }
            return documents
        } catch let error as Error {
            throw error
        } catch {
            throw Error(description: "error converting YAML to JSON: \(error)")
        }
    }

    /// Parses exactly one JSON or YAML document.
    public static func parseDocument(_ bytes: [UInt8]) throws -> JSONValue {
        if let first = bytes.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }),
           first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try JSONParser.parse(bytes)
        }
        let documents = try parseDocuments(String(decoding: bytes, as: UTF8.self))
        guard documents.count <= 1 else { throw Error(description: "expected a single YAML document") }
        return documents.first ?? .null
    }

    /// YAML 1.2 core-schema resolution, as sigs.k8s.io/yaml does it: plain scalars that
    /// look like numbers, booleans or null become those; quoted ones stay strings.
    /// The same nesting bound as the JSON parser, so nothing stored can fail to parse later.
    static let depthLimit = 256

    static func jsonValue(from node: Yams.Node, depth: Int) throws -> JSONValue {
        guard depth < depthLimit else { throw Error(description: "YAML nesting too deep") }
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            // `node.tag` resolves an implicit tag with the core schema; `scalar.tag` does not.
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(Bool.construct(from: scalar) ?? false)
            case Tag.Name.int.rawValue:
                if let i = Int64(scalar.string) { return .int(i) }
                if let i = Int.construct(from: scalar) { return .int(Int64(i)) }
                return .string(scalar.string)
            case Tag.Name.float.rawValue:
                if let d = Double.construct(from: scalar), d.isFinite { return .double(d) }
                return .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let k) = key else { throw Error(description: "mapping keys must be strings") }
                object[k.string] = try jsonValue(from: value, depth: depth + 1)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map { try jsonValue(from: $0, depth: depth + 1) })
        case .alias:
            throw Error(description: "YAML aliases are not supported")
        }
    }
}
