import Foundation
import KubeAPI

/// Object names, generateName and the system-set metadata, as upstream's
/// apimachinery validation and rest.BeforeCreate/BeforeUpdate handle them.
enum ObjectMetaRules {
    /// DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', ≤ 253, alnum at both ends.
    static func dns1123SubdomainErrors(_ name: String) -> [String] {
        var errors: [String] = []
        if name.utf8.count > 253 { errors.append("must be no more than 253 characters") }
        let pattern = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
        if name.range(of: pattern, options: .regularExpression) == nil {
            errors.append("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        }
        return errors
    }

    /// DNS-1123 label (namespaces, services): ≤ 63, no dots.
    static func dns1123LabelErrors(_ name: String) -> [String] {
        var errors: [String] = []
        if name.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if name.range(of: #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"#, options: .regularExpression) == nil {
            errors.append("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
        }
        return errors
    }

    /// DNS-1035 label (Service names): must start with a letter.
    static func dns1035LabelErrors(_ name: String) -> [String] {
        var errors: [String] = []
        if name.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if name.range(of: #"^[a-z]([-a-z0-9]*[a-z0-9])?$"#, options: .regularExpression) == nil {
            errors.append("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
        }
        return errors
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
            if !text.isEmpty && (text.utf8.count > 63 || text.range(of: #"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"#, options: .regularExpression) == nil) {
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
        return !name.isEmpty && name.utf8.count <= 63
            && name.range(of: #"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"#, options: .regularExpression) != nil
    }

    private static let generateNameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// The five-character suffix upstream appends to generateName.
    static func generateName(_ base: String) -> String {
        let maxBase = 63 - 5
        let trimmed = base.count > maxBase ? String(base.prefix(maxBase)) : base
        return trimmed + String((0..<5).map { _ in generateNameAlphabet.randomElement()! })
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func microTimestamp(_ date: Date = Date()) -> String {
        let seconds = Int64(date.timeIntervalSince1970)
        let micros = Int64((date.timeIntervalSince1970 - Double(seconds)) * 1_000_000)
        return timestamp(Date(timeIntervalSince1970: Double(seconds))).replacingOccurrences(of: "Z", with: String(format: ".%06dZ", micros))
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let d = formatter.date(from: text) { return d }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
