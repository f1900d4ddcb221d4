import Foundation

/// The container runtime's side of the CNI spec: the first network config list in the conf
/// directory, each plugin executed in turn with the spec's environment and its config on
/// stdin — ADD in order, each given the previous result; DEL in reverse — as containerd's
/// libcni does.
public struct CNIInvoker: Sendable {
    public var confDir: String
    /// Directories searched for plugin executables (CNI_PATH).
    public var binDirs: [String]

    public init(confDir: String, binDirs: [String]) {
        self.confDir = confDir
        self.binDirs = binDirs
    }

    public struct Attachment: Sendable, Equatable {
        public var containerID: String
        public var netns: String
        public var ifName = "eth0"
        /// CNI_ARGS, as the kubelet passes them.
        public var args: [(String, String)] = []

        public init(containerID: String, netns: String, args: [(String, String)] = []) {
            self.containerID = containerID
            self.netns = netns
            self.args = args
        }

        public static func == (a: Attachment, b: Attachment) -> Bool {
            a.containerID == b.containerID && a.netns == b.netns && a.ifName == b.ifName
                && a.args.map { $0.0 + "=" + $0.1 } == b.args.map { $0.0 + "=" + $0.1 }
        }
    }

    /// The pod's addresses, and the gateway of the first, from the chain's final result.
    public func add(_ attachment: Attachment) throws -> (addresses: [String], gateway: String?) {
        let list = try configList()
        var previous: Any?
        for plugin in list.plugins {
            previous = try invoke("ADD", plugin: plugin, list: list, attachment: attachment, previous: previous)
        }
        let ips = ((previous as? [String: Any])?["ips"] as? [[String: Any]]) ?? []
        return (ips.compactMap { ($0["address"] as? String)?.split(separator: "/").first.map(String.init) },
                ips.first?["gateway"] as? String)
    }

    public func delete(_ attachment: Attachment) throws {
        let list = try configList()
        var firstError: Error?
        for plugin in list.plugins.reversed() {
            do { _ = try invoke("DEL", plugin: plugin, list: list, attachment: attachment, previous: nil) } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    struct ConfigList {
        var name: String
        var cniVersion: String
        var plugins: [[String: Any]]
    }

    func configList() throws -> ConfigList {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: confDir)) ?? []).filter { $0.hasSuffix(".conflist") }.sorted()
        guard let file = files.first, let data = FileManager.default.contents(atPath: confDir + "/" + file),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let plugins = object["plugins"] as? [[String: Any]], !plugins.isEmpty else {
            throw PodError.network("no CNI network config list in \(confDir) (cni plugin not initialized)")
        }
        return ConfigList(name: object["name"] as? String ?? "", cniVersion: object["cniVersion"] as? String ?? "1.0.0", plugins: plugins)
    }

    private func invoke(_ command: String, plugin: [String: Any], list: ConfigList, attachment: Attachment, previous: Any?) throws -> Any? {
        guard let type = plugin["type"] as? String,
              let executable = binDirs.map({ $0 + "/" + type }).first(where: { access($0, X_OK) == 0 }) else {
            throw PodError.network("CNI plugin \(plugin["type"] ?? "?") not found in \(binDirs.joined(separator: ":"))")
        }
        var config = plugin
        config["name"] = list.name
        config["cniVersion"] = list.cniVersion
        if let previous { config["prevResult"] = previous }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var environment = ProcessInfo.processInfo.environment
        environment["CNI_COMMAND"] = command
        environment["CNI_CONTAINERID"] = attachment.containerID
        environment["CNI_NETNS"] = attachment.netns
        environment["CNI_IFNAME"] = attachment.ifName
        environment["CNI_PATH"] = binDirs.joined(separator: ":")
        environment["CNI_ARGS"] = attachment.args.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: config))
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let error = (try? JSONSerialization.jsonObject(with: result)) as? [String: Any]
            let message = [error?["msg"] as? String, error?["details"] as? String].compactMap { $0 }.joined(separator: ": ")
            throw PodError.network("CNI \(command) with \(type) failed: \(message.isEmpty ? "exit \(process.terminationStatus)" : message)")
        }
        return result.isEmpty ? previous : try? JSONSerialization.jsonObject(with: result)
    }
}

/// Why a Pod could not be set up, in the words its status and Events will carry.
public enum PodError: Error, CustomStringConvertible {
    case network(String)
    case image(String)
    case runtime(String)
    case config(String)

    public var description: String {
        switch self {
        case .network(let m), .image(let m), .runtime(let m), .config(let m): return m
        }
    }
}
