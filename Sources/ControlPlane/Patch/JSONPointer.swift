#if !STANDALONE_CHECK
import KubeAPI
#endif

/// An RFC 6901 JSON Pointer such as `/spec/containers/0/image`.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible {
    /// The unescaped reference tokens; empty for the whole document.
    public var tokens: [String]

    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// Parses the string form. `~1` stands for `/` and `~0` for `~`; decoding `~1`
    /// first would turn `~01` into `/` instead of `~1`, hence the order.
    public init(_ text: String) throws {
        if text.isEmpty {
            self.tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw PatchError.badRequest("JSON pointer must be empty or start with a \"/\": \(text)")
        }
        self.tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).replacing("~1", with: "/").replacing("~0", with: "~")
        }
    }

    public var description: String {
        tokens.map { "/" + $0.replacing("~", with: "~0").replacing("/", with: "~1") }
            .joined()
    }

    public var isRoot: Bool { tokens.isEmpty }

    /// The pointer to the container of the referenced value.
    public var parent: JSONPointer { JSONPointer(tokens: Array(tokens.dropLast())) }

    /// True when `self` is `other` or lies inside it.
    public func hasPrefix(_ other: JSONPointer) -> Bool {
        tokens.count >= other.tokens.count && Array(tokens.prefix(other.tokens.count)) == other.tokens
    }

    /// The value the pointer references, or nil when any step is missing.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let i = JSONPointer.arrayIndex(token), i < items.count else { return nil }
                current = items[i]
            default:
                return nil
            }
        }
        return current
    }

    /// A plain non-negative array index as RFC 6901 writes it (no sign, no leading zeros).
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard token == "0" || !token.hasPrefix("0") else { return nil }
        return Int(token)
    }
}
