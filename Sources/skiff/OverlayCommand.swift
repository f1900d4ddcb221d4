import ArgumentParser
import CNI
import Foundation
import KubeAPI
import Logging
import Netlink
import Overlay

struct OverlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay",
        abstract: "Run the VXLAN pod network (flannel's vxlan backend) on this node, over netlink.",
        discussion: """
            Creates the VXLAN device (VNI 1, UDP 8472), publishes this node's VTEP MAC and \
            underlay IP as skiff.io/ annotations on its Node, and keeps a neighbour, FDB entry \
            and route for every other node's podCIDR. On SIGTERM or SIGINT it exits and leaves \
            them in place; `skiff overlay --cleanup` removes them.
            """)

    @Option(help: "Kubeconfig to reach the API server.")
    var kubeconfig: String = "/var/lib/skiff/server/admin.kubeconfig"

    @Option(name: .customLong("node-name"), help: "This node's name (default: the host name).")
    var nodeName: String?

    @Option(name: .customLong("cluster-cidr"), help: "The cluster (pod) CIDR; pod traffic leaving it is masqueraded. Empty: no masquerade.")
    var clusterCIDR: String = "10.244.0.0/16"

    @Flag(name: .customLong("direct-routing"), help: "Route without encapsulation to nodes on the same L2 subnet.")
    var directRouting = false

    @Option(help: "The underlay interface (default: the one holding the node's InternalIP).")
    var iface: String?

    @Option(name: .customLong("public-ip"), help: "The underlay IP to use and publish (default: the node's InternalIP).")
    var publicIP: String?

    @Option(name: .customLong("device"), help: "Name of the VXLAN device.")
    var device: String = "skiff.1"

    @Option(help: "VXLAN network identifier.")
    var vni: UInt32 = 1

    @Option(help: "VXLAN UDP port.")
    var port: UInt16 = 8472

    @Option(name: .customLong("resync-period"), help: "Longest time between full resyncs, e.g. 30s, 1m.")
    var resyncPeriod: String = "60s"

    @Option(name: .customLong("cni-conf-dir"), help: "Where to write the CNI network config list (10-skiff.conflist); empty: do not write it.")
    var cniConfDir: String = CNIInstallation.defaultConfDir

    @Option(name: .customLong("cni-bin-dir"), help: "Where to install skiff-cni for the container runtime; empty: do not install it.")
    var cniBinDir: String = CNIInstallation.defaultBinDir

    @Option(name: .customLong("cni-plugin"), help: "The skiff-cni executable to install (default: skiff-cni next to this executable).")
    var cniPlugin: String?

    @Option(name: .customLong("cni-ipam-dir"), help: "Where skiff-cni keeps its address allocations (default: /var/lib/cni/networks).")
    var cniIPAMDir: String?

    @Option(name: .customLong("cni-chain"), help: "Plugins chained after skiff-cni in the config list, comma-separated: portmap, bandwidth; empty: none.")
    var cniChain: String = "portmap"

    @Flag(help: "Remove the overlay's device, routes and masquerade table, and exit.")
    var cleanup = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        tuneAllocatorForDaemon()
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "skiff.overlay")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        var cidr: IPPrefix?
        if !clusterCIDR.isEmpty {
            guard let parsed = IPPrefix(clusterCIDR), parsed.family == .ipv4 else {
                throw ValidationError("--cluster-cidr: \"\(clusterCIDR)\" is not an IPv4 CIDR")
            }
            cidr = parsed
        }
        var ip: IPAddress?
        if let publicIP {
            guard let parsed = IPAddress(publicIP), parsed.family == .ipv4 else {
                throw ValidationError("--public-ip: \"\(publicIP)\" is not an IPv4 address")
            }
            ip = parsed
        }
        var chain: [CNIInstallation.ChainedPlugin] = []
        for name in cniChain.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let plugin = CNIInstallation.ChainedPlugin(rawValue: name) else {
                throw ValidationError("--cni-chain: unknown plugin \"\(name)\" (portmap, bandwidth)")
            }
            chain.append(plugin)
        }
        var installation: CNIInstallation?
        if !cniConfDir.isEmpty {
            installation = CNIInstallation(confDir: cniConfDir, binDir: cniBinDir.isEmpty ? CNIInstallation.defaultBinDir : cniBinDir,
                                           chained: chain, ipamDataDir: cniIPAMDir)
        }
        var pluginSource: String?
        if !cniBinDir.isEmpty {
            pluginSource = cniPlugin ?? Self.executableDirectory().map { $0 + "/" + CNIInstallation.pluginName }
        }
        var config = OverlayConfig(nodeName: nodeName ?? ProcessInfo.processInfo.hostName.lowercased(), clusterCIDR: cidr,
                                   directRouting: directRouting, deviceName: device, vni: vni, port: port, interface: iface,
                                   publicIP: ip, resyncPeriod: try FlagValue.duration(resyncPeriod, flag: "--resync-period"))
        config.cniInstallation = installation
        config.cniPluginSource = pluginSource
        guard config.resyncPeriod > .zero else { throw ValidationError("--resync-period must be positive") }
        if cleanup {
            try Overlay.cleanup(config: config)
            logger.info("removed \(config.deviceName), the overlay's routes and the ip skiff-overlay table")
            return
        }
        logger.info("starting", metadata: ["node": "\(config.nodeName)", "clusterCIDR": "\(cidr?.description ?? "-")",
                                           "directRouting": "\(directRouting)", "device": "\(device)"])
        let client = try KubeClient(kubeconfigPath: kubeconfig)
        let overlay = Overlay(client: client, config: config, logger: logger)
        let task = Task { try await overlay.run() }
        let signals = TerminationSignals.onTermination { task.cancel() }
        defer { for s in signals { s.cancel() } }
        let result = await task.result
        logger.info("stopped; overlay entries left in place (skiff overlay --cleanup removes them)")
        try? await client.shutdown()
        do { try result.get() } catch is CancellationError {}
    }

    /// The directory of the running executable (skiff-cni ships next to skiff).
    static func executableDirectory() -> String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return (path as NSString).deletingLastPathComponent
    }
}
