import Glibc
import Netlink
import SkiffJSON

/// What a node needs on disk for its container runtime to use the pod network: the network
/// config list in the runtime's config directory (`/etc/cni/net.d`) and `skiff-cni` in its
/// plugin directory (`/opt/cni/bin`). Written by the component that knows the node's podCIDR
/// and the overlay's MTU (`skiff overlay` now, the node agent later).
public struct CNIInstallation: Sendable, Equatable {
    public static let defaultConfDir = "/etc/cni/net.d"
    public static let defaultBinDir = "/opt/cni/bin"
    /// Sorts before other configs, as runtimes take the first file in lexical order.
    public static let configFileName = "10-skiff.conflist"
    public static let pluginName = "skiff-cni"

    /// Plugins the list may chain after skiff-cni, with the settings a runtime's capabilities need.
    public enum ChainedPlugin: String, Sendable, CaseIterable {
        case portmap, bandwidth

        var config: JSONValue {
            switch self {
            case .portmap: .object(["type": "portmap", "capabilities": .object(["portMappings": true]), "snat": true])
            case .bandwidth: .object(["type": "bandwidth", "capabilities": .object(["bandwidth": true])])
            }
        }
    }

    public var confDir: String
    public var binDir: String
    public var networkName: String
    public var bridge: String
    public var chained: [ChainedPlugin]
    /// Where IPAM keeps allocations; nil: the plugin's default (`/var/lib/cni/networks`).
    public var ipamDataDir: String?

    public init(confDir: String = Self.defaultConfDir, binDir: String = Self.defaultBinDir, networkName: String = "skiff",
                bridge: String = NetworkConfig.defaultBridge, chained: [ChainedPlugin] = [.portmap], ipamDataDir: String? = nil) {
        self.confDir = confDir
        self.binDir = binDir
        self.networkName = networkName
        self.bridge = bridge
        self.chained = chained
        self.ipamDataDir = ipamDataDir
    }

    public var configPath: String { confDir + "/" + Self.configFileName }
    public var pluginPath: String { binDir + "/" + Self.pluginName }

    /// The conflist for a node: skiff-cni in bridge mode on its podCIDR with the pod MTU, then
    /// the chained plugins. cniVersion 1.0.0, the newest Debian's reference plugins speak, so
    /// the list works with them; skiff-cni itself also speaks 1.1.0.
    public func configList(podCIDR: IPPrefix, mtu: Int) -> JSONValue {
        var ipam: [String: JSONValue] = ["subnet": .string(podCIDR.description)]
        if let ipamDataDir { ipam["dataDir"] = .string(ipamDataDir) }
        let skiff: JSONValue = .object([
            "type": .string(Self.pluginName), "bridge": .string(bridge), "isGateway": true, "hairpinMode": true,
            "mtu": .int(Int64(mtu)), "ipam": .object(ipam),
        ])
        return .object([
            "cniVersion": "1.0.0", "name": .string(networkName),
            "plugins": .array([skiff] + chained.map(\.config)),
        ])
    }

    /// Writes the conflist when it differs from what is there (atomically: a runtime never
    /// reads half a file, and an unchanged file is not touched). Returns whether it wrote.
    @discardableResult
    public func writeConfig(podCIDR: IPPrefix, mtu: Int) throws(CNIError) -> Bool {
        let text = JSONSerializer.string(configList(podCIDR: podCIDR, mtu: mtu)) + "\n"
        if try FileOps.read(configPath) == text { return false }
        try FileOps.makeDirectories(confDir)
        try FileOps.writeAtomically(configPath, text)
        try FileOps.syncDirectory(confDir)
        return true
    }

    /// Copies the plugin executable into the plugin directory when it differs (atomically, so
    /// a runtime never executes half a binary). Returns whether it copied.
    @discardableResult
    public func installPlugin(from source: String) throws(CNIError) -> Bool {
        guard let bytes = try FileOps.readBytes(source) else {
            throw CNIError(code: CNIError.ioFailure, msg: "plugin \(source) not found")
        }
        if try FileOps.readBytes(pluginPath) == bytes { return false }
        try FileOps.makeDirectories(binDir)
        try FileOps.writeAtomically(pluginPath, bytes: bytes, mode: 0o755)
        try FileOps.syncDirectory(binDir)
        return true
    }
}
