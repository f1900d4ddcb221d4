import ArgumentParser
import Foundation
import KubeAPI
import Logging
import Netlink
import NodeAgent

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the node agent: register this node, heartbeat its Lease, report its status.",
        discussion: """
            Reaches the API server with --server and --token (and --certificate-authority, or the \
            CA a server writes into its data directory), or with --kubeconfig. Runs the Pods \
            bound to the node on runc from images in its store (`skiff image import`) or pulled \
            from registries, networked by the CNI config in --cni-conf-dir, which the embedded \
            overlay writes; also runs the Service proxy and a node DNS server (--disable to \
            turn any of the three off), and serves logs, exec and port-forward on --port.
            """)

    @Option(help: "API server URL, e.g. https://10.0.0.1:6443.")
    var server: String?

    @Option(help: "Bearer token for the API server.")
    var token: String?

    @Option(name: .customLong("token-file"), help: "File holding the bearer token.")
    var tokenFile: String?

    @Option(name: .customLong("certificate-authority"), help: "PEM file of the CA that signed the API server's certificate.")
    var certificateAuthority: String?

    @Option(help: "Kubeconfig to reach the API server instead of --server/--token.")
    var kubeconfig: String?

    @Option(name: .customLong("node-name"), help: "This node's name (default: the host name).")
    var nodeName: String?

    @Option(name: .customLong("node-ip"), help: "The node's InternalIP (default: the first global IPv4 address of an interface that is up).")
    var nodeIP: String?

    @Option(name: .customLong("node-labels"), help: "Extra labels, k=v[,k=v…].")
    var nodeLabels: String = ""

    @Option(name: .customLong("register-with-taints"), help: "Taints for a newly registered node, key[=value]:Effect[,…].")
    var registerWithTaints: String = ""

    @Option(name: .customLong("max-pods"), help: "Pods this node takes.")
    var maxPods: Int = 110

    @Option(name: .customLong("root-dir"), help: "Directory for the agent's state.")
    var rootDir: String = "/var/lib/skiff/agent"

    @Option(name: .customLong("node-status-update-frequency"), help: "How often the node status is checked (written when it changed, else every 5m).")
    var statusUpdateFrequency: String = "10s"

    @Option(name: .customLong("node-lease-duration-seconds"), help: "Duration of the node's heartbeat Lease; it is renewed every quarter of it.")
    var leaseDurationSeconds: Int = 40

    @Option(name: .customLong("cni-conf-dir"), help: "Where the CNI network config list is.")
    var cniConfDir: String = "/etc/cni/net.d"

    @Option(name: .customLong("cni-bin-dir"), help: "Where CNI plugins are, colon-separated.")
    var cniBinDir: String = "/opt/cni/bin:/usr/lib/cni"

    @Option(name: .customLong("cluster-dns"),
            help: "DNS server(s) for Pods with dnsPolicy ClusterFirst, comma-separated (default: each Pod's gateway, the node's bridge address, where the embedded DNS answers; 10.96.0.10 with --disable=dns).")
    var clusterDNS: String?

    @Option(name: .customLong("cni-ipam-dir"), help: "Where skiff-cni keeps its address allocations (default: /var/lib/cni/networks).")
    var cniIPAMDir: String?

    @Option(name: .customLong("insecure-registry"), help: "A registry (host[:port]) to pull from over plain HTTP (repeatable).")
    var insecureRegistries: [String] = []

    @Option(name: .customLong("container-log-max-size"), help: "Size at which a container's log is rotated (a quantity, e.g. 10Mi).")
    var containerLogMaxSize: String = "10Mi"

    @Option(name: .customLong("container-log-max-files"), help: "Log files kept per container, the current one included.")
    var containerLogMaxFiles: Int = 5

    @Option(help: "Embedded components not to run, comma-separated: overlay, proxy, dns.")
    var disable: String = ""

    @Option(name: .customLong("cluster-cidr"), help: "The cluster's Pod CIDR (overlay and proxy).")
    var clusterCIDR: String = "10.244.0.0/16"

    @Option(name: .customLong("service-cidr"), help: "The Service CIDR(s), comma-separated (proxy).")
    var serviceCIDR: String = "10.96.0.0/12"

    @Option(name: .customLong("cluster-domain"), help: "The cluster's DNS domain.")
    var clusterDomain: String = "cluster.local"

    @Option(help: "HTTPS port the API server reaches the agent on (kubectl logs); 0: none.")
    var port: Int = 10250

    @Option(help: "Address to serve the HTTPS port on.")
    var address: String = "0.0.0.0"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard let size = Quantity(containerLogMaxSize).value, size > 0, containerLogMaxFiles >= 1 else {
            throw ValidationError("--container-log-max-size must be a positive quantity and --container-log-max-files at least 1")
        }
        _ = size
        guard leaseDurationSeconds >= 1 else { throw ValidationError("--node-lease-duration-seconds must be at least 1") }
        guard kubeconfig != nil || server != nil else { throw ValidationError("give --server (with --token) or --kubeconfig") }
        guard maxPods > 0 else { throw ValidationError("--max-pods must be positive") }
        _ = try labels()
        _ = try taints()
        _ = try FlagValue.duration(statusUpdateFrequency, flag: "--node-status-update-frequency")
        _ = try AgentNetworking.parse(disable: disable)
        guard IPPrefix(clusterCIDR)?.family == .ipv4 else { throw ValidationError("--cluster-cidr: \"\(clusterCIDR)\" is not an IPv4 CIDR") }
        _ = try FlagValue.prefixes(serviceCIDR, flag: "--service-cidr")
    }

    func labels() throws -> [String: String] {
        var labels: [String: String] = [:]
        for item in nodeLabels.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--node-labels: \"\(item)\" is not k=v") }
            labels[parts[0]] = parts[1]
        }
        return labels
    }

    func taints() throws -> [Taint] {
        try registerWithTaints.split(separator: ",").map { item in
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(parts[1]) else {
                throw ValidationError("--register-with-taints: \"\(item)\" is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute")
            }
            let kv = parts[0].split(separator: "=", maxSplits: 1).map(String.init)
            return Taint(key: kv[0], value: kv.count > 1 ? kv[1] : nil, effect: parts[1])
        }
    }

    func clientConfig() throws -> KubeClientConfig {
        if let kubeconfig { return try Kubeconfig.load(path: kubeconfig).clientConfig() }
        var config = KubeClientConfig(server: server ?? "", userAgent: "skiff-agent")
        config.token = token
        config.tokenFile = tokenFile
        if let certificateAuthority {
            config.certificateAuthorityPEM = try String(contentsOfFile: certificateAuthority, encoding: .utf8)
        }
        return config
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "skiff.agent")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let name = nodeName ?? (ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node")
        var config = NodeAgent.Config(nodeName: name.lowercased())
        config.nodeIP = nodeIP
        config.labels = try labels()
        config.taints = try taints()
        config.stateDirectory = rootDir
        config.maxPods = maxPods
        config.leaseDurationSeconds = Int32(leaseDurationSeconds)
        config.cniConfDir = cniConfDir
        config.cniBinDirs = cniBinDir.split(separator: ":").map(String.init)
        let embedded = try AgentNetworking.parse(disable: disable)
        let nodeAddress = nodeIP ?? NodeAgent.detectIP()
        if let clusterDNS {
            config.clusterDNS = clusterDNS.split(separator: ",").map(String.init)
        } else {
            // The embedded DNS answers on every address of the node; Pods ask it at their gateway.
            config.clusterDNS = embedded.contains(.dns) ? [] : ["10.96.0.10"]
        }
        config.clusterDomain = clusterDomain
        config.port = port
        config.insecureRegistries = insecureRegistries
        config.containerLogMaxSize = Quantity(containerLogMaxSize).value ?? (10 << 20)
        config.containerLogMaxFiles = containerLogMaxFiles
        config.address = address
        config.statusUpdateInterval = try FlagValue.duration(statusUpdateFrequency, flag: "--node-status-update-frequency")
        let client = try KubeClient(config: clientConfig(), logger: logger)
        // One watch per resource for the whole node: Pods, proxy, DNS and overlay share them.
        let informers = NodeInformers(client: client, nodeName: config.nodeName, logger: logger)
        let agent = NodeAgent(client: client, config: config, informers: informers, logger: logger)
        let networking = AgentNetworking(enabled: embedded, nodeName: config.nodeName, nodeIP: nodeAddress,
                                         clusterCIDR: IPPrefix(clusterCIDR)!, serviceCIDRs: try FlagValue.prefixes(serviceCIDR, flag: "--service-cidr"),
                                         cniConfDir: cniConfDir, cniBinDir: config.cniBinDirs.first ?? "/opt/cni/bin",
                                         cniIPAMDir: cniIPAMDir, clusterDomain: clusterDomain)
        let components = try networking.tasks(client: client, informers: informers, logger: logger)
        informers.start()
        let task = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await agent.run() }
                for component in components { group.addTask { await component() } }
                try await group.next()
                group.cancelAll()
            }
        }
        let signals = TerminationSignals.onTermination { task.cancel() }
        defer { for s in signals { s.cancel() } }
        let result = await task.result
        await informers.stop()
        logger.info("stopped")
        try? await client.shutdown()
        do { try result.get() } catch is CancellationError {}
    }
}
