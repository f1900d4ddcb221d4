// Validation of label keys and values, and the error text that upstream's
// k8s.io/apimachinery `field.Error` / `utilerrors.Aggregate` produce for them, so that
// selector errors read exactly as kube-apiserver v1.32 reports them.

/// An error from parsing or converting a label or field selector. `message` is the
/// upstream text (what kube-apiserver puts in the `Status.message` of its 400 response).
public struct SelectorQueryError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The checks behind labels.Parse / NewRequirement (validation.IsQualifiedName,
/// validation.IsValidLabelValue, validation.IsDNS1123Subdomain) with upstream messages.
public enum SelectorValidation {
    static let qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameErrMsg =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
    static let labelValueErrMsg =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
    static let dns1123SubdomainErrMsg =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

    /// Maximum length of a label value and of the name part of a label key.
    public static let labelValueMaxLength = 63
    public static let qualifiedNameMaxLength = 63
    public static let dns1123SubdomainMaxLength = 253

    static func maxLenError(_ n: Int) -> String { "must be no more than \(n) characters" }
    static let emptyError = "must be non-empty"

    static func regexError(_ msg: String, _ fmt: String, _ examples: [String]) -> String {
        if examples.isEmpty { return msg + " (regex used for validation is '" + fmt + "')" }
        var s = msg + " (e.g. "
        for (i, e) in examples.enumerated() {
            if i > 0 { s += " or " }
            s += "'" + e + "', "
        }
        return s + "regex used for validation is '" + fmt + "')"
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, anchored.
    static func matchesQualifiedName(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let first = b.first, let last = b.last, isAlnum(first), isAlnum(last) else { return false }
        for c in b where !(isAlnum(c) || c == 0x2D || c == 0x5F || c == 0x2E) { return false }
        return true
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    private static func matchesDNS1123Label<S: Collection>(_ b: S) -> Bool where S.Element == UInt8 {
        func lowerAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) }
        guard let first = b.first, lowerAlnum(first) else { return false }
        var last = first
        for c in b {
            guard lowerAlnum(c) || c == 0x2D else { return false }
            last = c
        }
        return lowerAlnum(last)
    }

    static func matchesDNS1123Subdomain(_ s: String) -> Bool {
        let parts = Array(s.utf8).split(separator: 0x2E, omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { matchesDNS1123Label($0) }
    }

    /// validation.IsDNS1123Subdomain
    public static func dns1123SubdomainErrors(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { errs.append(maxLenError(dns1123SubdomainMaxLength)) }
        if !matchesDNS1123Subdomain(value) {
            errs.append(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, ["example.com"]))
        }
        return errs
    }

    /// validation.IsQualifiedName: the form of a label key (`[prefix/]name`).
    public static func labelKeyErrors(_ value: String) -> [String] {
        var errs: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name: String
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errs.append("prefix part " + emptyError)
            } else {
                errs.append(contentsOf: dns1123SubdomainErrors(prefix).map { "prefix part " + $0 })
            }
        default:
            return ["a qualified name "
                + regexError(qualifiedNameErrMsg, qualifiedNameFmt, ["MyName", "my.name", "123-abc"])
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errs.append("name part " + emptyError)
        } else if name.utf8.count > qualifiedNameMaxLength {
            errs.append("name part " + maxLenError(qualifiedNameMaxLength))
        }
        if !matchesQualifiedName(name) {
            errs.append("name part " + regexError(qualifiedNameErrMsg, qualifiedNameFmt, ["MyName", "my.name", "123-abc"]))
        }
        return errs
    }

    /// validation.IsValidLabelValue
    public static func labelValueErrors(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > labelValueMaxLength { errs.append(maxLenError(labelValueMaxLength)) }
        if !value.isEmpty && !matchesQualifiedName(value) {
            errs.append(regexError(labelValueErrMsg, labelValueFmt, ["MyValue", "my_value", "12345"]))
        }
        return errs
    }

    public static func isValidLabelKey(_ key: String) -> Bool { labelKeyErrors(key).isEmpty }
    public static func isValidLabelValue(_ value: String) -> Bool { labelValueErrors(value).isEmpty }
}

// MARK: - Upstream error text helpers (field.Error, utilerrors.Aggregate, Go %q / %#v)

enum SelectorGoFormat {
    /// Go's strconv.Quote for the strings that reach selector errors.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F {
                    out += "\\x" + hex(v, width: 2)
                } else if (v >= 0x80 && v < 0xA0) || v == 0xAD {
                    out += "\\u" + hex(v, width: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// Go's `%#v` of a `[]string` (nil prints as `[]string(nil)`).
    static func stringSlice(_ values: [String]?) -> String {
        guard let values else { return "[]string(nil)" }
        return "[]string{" + values.map(quote).joined(separator: ", ") + "}"
    }
}

/// A field.Error of type Invalid, printed as upstream does: `<path>: Invalid value: <value>: <detail>`.
struct SelectorFieldInvalidError {
    enum BadValue { case string(String), strings([String]?) }
    var path: String  // "<nil>" for a nil *field.Path
    var value: BadValue
    var detail: String

    var message: String {
        let v: String
        switch value {
        case .string(let s): v = SelectorGoFormat.quote(s)
        case .strings(let a): v = SelectorGoFormat.stringSlice(a)
        }
        var s = "\(path): Invalid value: \(v)"
        if !detail.isEmpty { s += ": " + detail }
        return s
    }
}

/// utilerrors.Aggregate over field.ErrorList.ToAggregate(): duplicates dropped, one error
/// prints bare, several print as `[a, b]`.
enum SelectorAggregateMessage {
    static func join(_ messages: [String]) -> String? {
        var seen = Set<String>()
        var unique: [String] = []
        for m in messages where seen.insert(m).inserted { unique.append(m) }
        switch unique.count {
        case 0: return nil
        case 1: return unique[0]
        default: return "[" + unique.joined(separator: ", ") + "]"
        }
    }
}
