/// The CNI verbs (CNI_COMMAND).
public enum CNICommand: String, Sendable, CaseIterable {
    case add = "ADD"
    case del = "DEL"
    case check = "CHECK"
    case version = "VERSION"
    case status = "STATUS"
    case gc = "GC"

    /// The environment variables the spec requires for this verb (besides CNI_COMMAND).
    public var requiredVariables: [String] {
        switch self {
        case .add, .check: return ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"]
        case .del: return ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"]
        case .gc: return ["CNI_PATH"]
        case .version, .status: return []
        }
    }
}

/// The invocation's environment, validated as the spec asks: every variable the verb requires is
/// present and non-empty, the container ID and interface name are well-formed, CNI_ARGS parses.
public struct CNIEnvironment: Sendable, Equatable {
    public var command: CNICommand
    public var containerID: String?
    public var netns: String?
    public var ifname: String?
    /// CNI_ARGS as ordered key/value pairs (`K8S_POD_NAME=x;IP=10.244.1.5`).
    public var args: [(key: String, value: String)]
    public var path: [String]

    public static func == (a: CNIEnvironment, b: CNIEnvironment) -> Bool {
        a.command == b.command && a.containerID == b.containerID && a.netns == b.netns && a.ifname == b.ifname
            && a.args.map { $0.key } == b.args.map { $0.key } && a.args.map { $0.value } == b.args.map { $0.value }
            && a.path == b.path
    }

    public init(_ env: [String: String]) throws(CNIError) {
        guard let commandText = env["CNI_COMMAND"], !commandText.isEmpty else {
            throw CNIError(code: CNIError.invalidEnvironment, msg: "required env variables [CNI_COMMAND] missing")
        }
        guard let command = CNICommand(rawValue: commandText) else {
            throw CNIError(code: CNIError.invalidEnvironment, msg: "unknown CNI_COMMAND: \(commandText)")
        }
        self.command = command
        let missing = command.requiredVariables.filter { (env[$0] ?? "").isEmpty }
        if !missing.isEmpty {
            throw CNIError(code: CNIError.invalidEnvironment,
                           msg: "required env variables [\(missing.joined(separator: ","))] missing")
        }
        func value(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        containerID = value("CNI_CONTAINERID")
        netns = value("CNI_NETNS")
        ifname = value("CNI_IFNAME")
        path = (env["CNI_PATH"] ?? "").split(separator: ":").map(String.init)
        args = try Self.parseArgs(env["CNI_ARGS"] ?? "")
        if let id = containerID, command != .version, let problem = Self.containerIDProblem(id) {
            throw CNIError(code: CNIError.invalidEnvironment, msg: "invalid CNI_CONTAINERID", details: problem)
        }
        if let name = ifname, command != .version, let problem = Self.interfaceNameProblem(name) {
            throw CNIError(code: CNIError.invalidEnvironment, msg: "invalid CNI_IFNAME", details: problem)
        }
    }

    /// The first value of a CNI_ARGS key.
    public func arg(_ key: String) -> String? { args.first { $0.key == key }?.value }

    /// `KEY=VALUE` pairs separated by semicolons; an empty string is no arguments.
    static func parseArgs(_ text: String) throws(CNIError) -> [(key: String, value: String)] {
        var out: [(key: String, value: String)] = []
        for pair in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw CNIError(code: CNIError.invalidEnvironment, msg: "invalid CNI_ARGS pair \"\(pair)\"")
            }
            out.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
        }
        return out
    }

    /// The spec: a container ID is non-empty, starts alphanumeric, then alphanumerics, `_`, `.`, `-`.
    static func containerIDProblem(_ id: String) -> String? {
        func alnum(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
        }
        let bytes = Array(id.utf8)
        guard let first = bytes.first, alnum(first) else { return "must start with an alphanumeric character" }
        guard bytes.allSatisfy({ alnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else { return "may contain only alphanumerics, '_', '.' and '-'" }
        return nil
    }

    /// Linux interface names: 1–15 bytes, not `.`/`..`, no `/`, `:` or whitespace.
    static func interfaceNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.count > 15 { return "longer than 15 characters" }
        if name == "." || name == ".." { return "may not be '.' or '..'" }
        if bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7F }) {
            return "may not contain '/', ':' or whitespace"
        }
        return nil
    }
}
