import Foundation
import KubeAPI

/// Object names, generateName and the system-set metadata, as upstream's
/// apimachinery validation and rest.BeforeCreate/BeforeUpdate handle them.
enum ObjectMetaRules {
    /// DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', ≤ 253, alnum at both ends
    /// of every dot-separated part.
    static func dns1123SubdomainErrors(_ name: String) -> [String] {
        var errors: [String] = []
        if name.utf8.count > 253 { errors.append("must be no more than 253 characters") }
        let parts = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if name.isEmpty || !parts.allSatisfy({ isLabel($0, firstMayBeDigit: true) }) {
            errors.append("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        }
        return errors
    }

    /// DNS-1123 label (namespaces): ≤ 63, no dots.
    static func dns1123LabelErrors(_ name: String) -> [String] {
        var errors: [String] = []
        if name.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if !isLabel(Substring(name).utf8, firstMayBeDigit: true) {
            errors.append("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
        }
        return errors
    }

    /// DNS-1035 label (Service names): must start with a letter.
    static func dns1035LabelErrors(_ name: String) -> [String] {
        var errors: [String] = []
        if name.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if !isLabel(Substring(name).utf8, firstMayBeDigit: false) {
            errors.append("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
        }
        return errors
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` (or `[a-z]…` when a digit may not lead).
    private static func isLabel<C: BidirectionalCollection>(_ bytes: C, firstMayBeDigit: Bool) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first, let last = bytes.last else { return false }
        func lowerAlnum(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) }
        guard (0x61...0x7A).contains(first) || (firstMayBeDigit && (0x30...0x39).contains(first)), lowerAlnum(last) else { return false }
        return bytes.allSatisfy { lowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`: label names and values.
    static func isQualifiedPart(_ text: Substring) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last else { return false }
        func alnum(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || (0x41...0x5A).contains(b) || (0x30...0x39).contains(b) }
        return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func nameErrors(kind: String, name: String) -> [String] {
        switch kind {
        case "Namespace": return dns1123LabelErrors(name)
        case "Service": return dns1035LabelErrors(name)
        default: return dns1123SubdomainErrors(name)
        }
    }

    /// Label keys and values, as upstream's ValidateLabels.
    static func labelErrors(_ labels: JSONValue?, field: String) -> [FieldError] {
        guard let labels = labels?.objectValue else { return [] }
        var errors: [FieldError] = []
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            if !isQualifiedName(key) {
                errors.append(.invalid(field, .string(key), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"))
            }
            guard let text = value.stringValue else {
                errors.append(.invalid("\(field)", value, "must be a string"))
                continue
            }
            if !text.isEmpty && (text.utf8.count > 63 || !isQualifiedPart(Substring(text))) {
                errors.append(.invalid(field, .string(text), "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
            }
        }
        return errors
    }

    static func isQualifiedName(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        let name = String(parts.last!)
        if parts.count == 2 {
            let prefix = String(parts[0])
            if prefix.isEmpty || !dns1123SubdomainErrors(prefix).isEmpty { return false }
        }
        return name.utf8.count <= 63 && isQualifiedPart(Substring(name))
    }

    private static let generateNameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// The five-character suffix upstream appends to generateName.
    static func generateName(_ base: String) -> String {
        let maxBase = 63 - 5
        let trimmed = base.count > maxBase ? String(base.prefix(maxBase)) : base
        return trimmed + String((0..<5).map { _ in generateNameAlphabet.randomElement()! })
    }

    /// RFC 3339 in UTC with whole seconds, as metav1.Time marshals.
    static func timestamp(_ date: Date = Date()) -> String { KubeTime.format(date) }

    /// RFC 3339 with microseconds (metav1.MicroTime).
    static func microTimestamp(_ date: Date = Date()) -> String { KubeTime.formatMicro(date) }

    static func parseTimestamp(_ text: String) -> Date? { KubeTime.parse(text) }
}
