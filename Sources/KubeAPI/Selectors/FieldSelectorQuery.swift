/// A parsed field selector (`fieldSelector=` query parameter), as k8s.io/apimachinery
/// `fields.ParseSelector`: comma-separated `field=value`, `field==value` or
/// `field!=value` terms, ANDed. Values may escape `\`, `,` and `=` with a backslash.
///
/// Which field labels a kind supports is the server's business: check them with
/// `validated(supportedFields:)` or `converted(using:)` (see `FieldLabelSupport`),
/// then match with `matches(fields:)`.
public struct FieldSelectorQuery: Hashable, Sendable, CustomStringConvertible {
    public enum Operator: String, Hashable, Sendable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
    }

    /// One `field op value` term. `==` and `=` mean the same.
    public struct Term: Hashable, Sendable, CustomStringConvertible {
        public var field: String
        public var value: String
        public var op: Operator

        public init(field: String, op: Operator, value: String) {
            self.field = field
            self.op = op
            self.value = value
        }

        public var isNegated: Bool { op == .notEquals }

        public func matches(_ actual: String) -> Bool { isNegated ? actual != value : actual == value }

        /// hasTerm / notHasTerm String(): `field=value` or `field!=value`, value escaped.
        public var description: String {
            field + (isNegated ? "!=" : "=") + FieldSelectorQuery.escapeValue(value)
        }
    }

    public private(set) var terms: [Term]

    public static let everything = FieldSelectorQuery(terms: [])

    public init(terms: [Term]) { self.terms = terms }

    /// fields.ParseSelector. The empty string selects everything.
    public init(parsing selector: String) throws {
        var parts = FieldSelectorQuery.splitTerms(selector)
        parts.sort(by: selectorGoLess)
        var terms: [Term] = []
        for part in parts where !part.isEmpty {
            guard let (lhs, op, rhs) = FieldSelectorQuery.splitTerm(part) else {
                throw SelectorQueryError("invalid selector: '\(selector)'; can't understand '\(part)'")
            }
            terms.append(Term(field: lhs, op: op, value: try FieldSelectorQuery.unescapeValue(rhs)))
        }
        self.terms = terms
    }

    public static func parse(_ selector: String) throws -> FieldSelectorQuery {
        try FieldSelectorQuery(parsing: selector)
    }

    /// Empty(): no terms, selects everything.
    public var isEmpty: Bool { terms.isEmpty }

    /// True when every term holds. `fields` gives a field's value; nil reads as "" as upstream's
    /// `fields.Set.Get` does for a field the object does not have.
    public func matches(fields: (String) -> String?) -> Bool {
        terms.allSatisfy { $0.matches(fields($0.field) ?? "") }
    }

    public func matches(_ fields: [String: String]) -> Bool {
        matches(fields: { fields[$0] })
    }

    /// RequiresExactMatch: the value the selector requires for `field` with `=`/`==`, if any.
    public func requiresExactMatch(_ field: String) -> String? {
        terms.first(where: { $0.field == field && !$0.isNegated })?.value
    }

    /// Rejects any term whose field is not in `supportedFields`, with upstream's message
    /// `field label not supported: <field>`.
    public func validated(supportedFields: Set<String>) throws -> FieldSelectorQuery {
        for t in terms where !supportedFields.contains(t.field) {
            throw SelectorQueryError("field label not supported: \(t.field)")
        }
        return self
    }

    /// Rewrites every term's field through `convert` (a kind's field label conversion, which
    /// throws for an unsupported label and may map an alias such as `spec.host`).
    public func converted(_ convert: (String) throws -> String) rethrows -> FieldSelectorQuery {
        FieldSelectorQuery(terms: try terms.map { Term(field: try convert($0.field), op: $0.op, value: $0.value) })
    }

    /// Converts the field labels with a kind's upstream conversion (see `FieldLabelSupport`).
    public func converted(using support: FieldLabelSupport) throws -> FieldSelectorQuery {
        try converted { try support.convert($0) }
    }

    /// Selector.String(): terms joined by ",".
    public var description: String { terms.map(\.description).joined(separator: ",") }

    // MARK: escaping

    /// fields.EscapeValue: `\` → `\\`, `,` → `\,`, `=` → `\=`.
    public static func escapeValue(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            switch c {
            case "\\", ",", "=":
                out.append("\\")
                out.append(c)
            default:
                out.append(c)
            }
        }
        return String(out)
    }

    /// fields.UnescapeValue, with upstream's errors for a bad escape or a bare `,`/`=`.
    public static func unescapeValue(_ s: String) throws -> String {
        if !s.unicodeScalars.contains(where: { $0 == "\\" || $0 == "," || $0 == "=" }) { return s }
        var out = String.UnicodeScalarView()
        var inSlash = false
        for c in s.unicodeScalars {
            if inSlash {
                switch c {
                case "\\", ",", "=":
                    out.append(c)
                default:
                    throw SelectorQueryError("invalid field selector: invalid escape sequence: \\\(Character(c))")
                }
                inSlash = false
                continue
            }
            switch c {
            case "\\": inSlash = true
            case ",", "=":
                // Go prints the rune with %v: its code point number.
                throw SelectorQueryError("invalid field selector: unescaped character in value: \(c.value)")
            default: out.append(c)
            }
        }
        if inSlash { throw SelectorQueryError("invalid field selector: invalid escape sequence: \\") }
        return String(out)
    }

    /// splitTerms: split on commas not preceded by a backslash (escapes kept).
    static func splitTerms(_ s: String) -> [String] {
        if s.isEmpty { return [] }
        let b = Array(s.utf8)
        var terms: [String] = []
        var start = 0
        var inSlash = false
        for (i, c) in b.enumerated() {
            if inSlash {
                inSlash = false
            } else if c == UInt8(ascii: "\\") {
                inSlash = true
            } else if c == UInt8(ascii: ",") {
                terms.append(String(decoding: b[start..<i], as: UTF8.self))
                start = i + 1
            }
        }
        terms.append(String(decoding: b[start...], as: UTF8.self))
        return terms
    }

    /// splitTerm: the first `!=`, `==` or `=` (in that preference at each position) splits the term.
    static func splitTerm(_ term: String) -> (String, Operator, String)? {
        let b = Array(term.utf8)
        for i in 0..<b.count {
            for op in [Operator.notEquals, .doubleEquals, .equals] {
                let o = Array(op.rawValue.utf8)
                if i + o.count <= b.count && Array(b[i..<(i + o.count)]) == o {
                    return (String(decoding: b[..<i], as: UTF8.self), op,
                            String(decoding: b[(i + o.count)...], as: UTF8.self))
                }
            }
        }
        return nil
    }
}
