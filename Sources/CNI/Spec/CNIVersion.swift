/// The CNI spec versions this plugin speaks. Results for 1.x carry no per-address `version`;
/// 0.3.x/0.4.0 results add it (`"version": "4"`), the only difference in what we emit.
public enum CNIVersion {
    /// The version this plugin reports as its own (VERSION output, errors without a config).
    public static let current = "1.1.0"
    public static let supported = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]

    public static func isSupported(_ version: String) -> Bool { supported.contains(version) }

    /// Numeric (major, minor, patch); nil when the text is not `X.Y.Z`.
    public static func parse(_ version: String) -> (Int, Int, Int)? {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(part) else { return nil }
            numbers.append(n)
        }
        return (numbers[0], numbers[1], numbers[2])
    }

    /// Whether `version` is at least `minimum` (both `X.Y.Z`).
    public static func atLeast(_ version: String, _ minimum: String) -> Bool {
        guard let v = parse(version), let m = parse(minimum) else { return false }
        return v >= m
    }

    /// The error for a configuration whose version we do not speak.
    public static func incompatible(_ version: String) -> CNIError {
        CNIError(code: CNIError.incompatibleVersion, msg: "incompatible CNI versions",
                 details: "config is \"\(version)\", plugin supports [\(supported.map { "\"\($0)\"" }.joined(separator: " "))]")
    }
}
