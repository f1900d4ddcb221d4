import ArgumentParser
import Foundation
import KubeAPI
import Logging
import ProxyDataplane
import Netlink

struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the service proxy (kube-proxy's job) on this node, programming nftables over netlink.",
        discussion: """
            On SIGTERM or SIGINT the proxy exits and leaves its rules in place, so Services keep \
            working until it is back; `skiff proxy --cleanup` removes them.
            """)

    @Option(help: "Kubeconfig to reach the API server.")
    var kubeconfig: String = "/var/lib/skiff/server/admin.kubeconfig"

    @Option(name: .customLong("node-name"), help: "This node's name (default: the host name).")
    var nodeName: String?

    @Option(name: .customLong("cluster-cidr"), help: "Pod CIDR(s), comma-separated: ClusterIP traffic from outside is masqueraded.")
    var clusterCIDR: String = ""

    @Option(name: .customLong("service-cidr"), help: "Service CIDR(s), comma-separated: traffic to unallocated addresses in them is dropped.")
    var serviceCIDR: String = "10.96.0.0/12"

    @Option(name: .customLong("nodeport-addresses"),
            help: "Addresses that answer NodePorts: 'primary' (the node's InternalIPs) or comma-separated CIDRs.")
    var nodePortAddresses: String = "primary"

    @Flag(name: .customLong("masquerade-all"), help: "Masquerade all traffic sent to Service IPs.")
    var masqueradeAll = false

    @Option(name: .customLong("sync-period"), help: "Longest time between full resyncs, e.g. 30s, 1m.")
    var syncPeriod: String = "30s"

    @Option(name: .customLong("min-sync-period"), help: "Shortest time between syncs; changes within it are coalesced.")
    var minSyncPeriod: String = "1s"

    @Option(name: .customLong("metrics-bind-address"), help: "HOST:PORT for /metrics; empty disables.")
    var metricsBindAddress: String = "127.0.0.1:10249"

    @Option(name: .customLong("healthz-bind-address"), help: "HOST:PORT for /healthz and /livez; empty disables.")
    var healthzBindAddress: String = "0.0.0.0:10256"

    @Flag(help: "Remove the proxy's nftables tables and exit.")
    var cleanup = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        tuneAllocatorForDaemon()
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "skiff.proxy")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let clusterCIDRs = try FlagValue.prefixes(clusterCIDR, flag: "--cluster-cidr")
        let serviceCIDRs = try FlagValue.prefixes(serviceCIDR, flag: "--service-cidr")
        // Dual-stack when the service CIDRs say so, as the API server allocates.
        var families = IPFamily.allCases.filter { f in serviceCIDRs.contains { $0.family == f } }
        if families.isEmpty { families = [.ipv4] }
        var config = ProxyConfig(nodeName: nodeName ?? ProcessInfo.processInfo.hostName.lowercased(),
                                 clusterCIDRs: clusterCIDRs, serviceCIDRs: serviceCIDRs, masqueradeAll: masqueradeAll,
                                 syncPeriod: try FlagValue.duration(syncPeriod, flag: "--sync-period"),
                                 minSyncPeriod: try FlagValue.duration(minSyncPeriod, flag: "--min-sync-period"),
                                 ipFamilies: families)
        guard config.syncPeriod > .zero else { throw ValidationError("--sync-period must be positive") }
        if cleanup {
            // Both families, whatever the flags say now: a table from an earlier dual-stack
            // run must not survive a clean-up.
            config.ipFamilies = IPFamily.allCases
            try Proxier.cleanup(config: config)
            logger.info("removed the \(config.tableName) tables (ip, ip6)")
            return
        }
        guard let nodePorts = NodePortAddresses(flag: nodePortAddresses) else {
            throw ValidationError("--nodeport-addresses must be 'primary' or comma-separated CIDRs")
        }
        let listeners = ServiceProxy.Listeners(metrics: try FlagValue.hostPort(metricsBindAddress, flag: "--metrics-bind-address"),
                                               healthz: try FlagValue.hostPort(healthzBindAddress, flag: "--healthz-bind-address"))

        let client = try KubeClient(kubeconfigPath: kubeconfig)
        var node: Node?
        if nodePorts == .primary {
            node = try? await client.get(Node.self, name: config.nodeName)
            if node == nil { logger.warning("node \(config.nodeName) not found; NodePorts use the default route's source address") }
        }
        config.nodePortAddresses = nodePorts.resolve(node: node, families: families)
        logger.info("starting", metadata: [
            "node": "\(config.nodeName)", "nodePortAddresses": "\(config.nodePortAddresses.map(\.description))",
            "clusterCIDR": "\(clusterCIDRs.map(\.description))", "families": "\(families.map(\.rawValue))",
        ])

        let proxy = try ServiceProxy(client: client, config: config, logger: logger)
        let log = logger
        let task = Task {
            try await proxy.run(listeners: listeners) { metrics, healthz in
                log.info("serving", metadata: ["metrics": "\(metrics.map(String.init) ?? "off")",
                                                  "healthz": "\(healthz.map(String.init) ?? "off")"])
            }
        }
        let signals = TerminationSignals.onTermination { task.cancel() }
        defer { for s in signals { s.cancel() } }
        let result = await task.result
        logger.info("stopped; rules left in place (skiff proxy --cleanup removes them)")
        try? await client.shutdown()
        try result.get()
    }
}
