import KubeAPI
import Logging

/// Runs the selected controllers against one API server over one client and one set of
/// shared informers (kube-controller-manager). `skiff server` runs it in-process, talking to
/// itself over loopback like any client; `skiff controllers` runs it alone.
public struct ControllerManager: Sendable {
    public struct Config: Sendable {
        /// `--controllers`: `*` for every controller, a name to enable one, `-name` to disable one,
        /// `-*` for none.
        public var controllers: [String] = ["*"]
        /// `--cluster-cidr` for node IPAM.
        public var clusterCIDR = "10.244.0.0/16"
        public var nodeCIDRMaskSizeIPv4 = 24
        public var nodeCIDRMaskSizeIPv6 = 64
        /// `--node-monitor-grace-period`, `--node-monitor-period`, `--node-startup-grace-period`.
        public var nodeMonitorGracePeriod: Duration = .seconds(50)
        public var nodeMonitorPeriod: Duration = .seconds(5)
        public var nodeStartupGracePeriod: Duration = .seconds(60)

        public init() {}
    }

    /// Every controller (and the scheduler), in the order they start.
    public static let known = [Scheduler.name, DeploymentController.name, ReplicaSetController.name, EndpointSliceController.name, EndpointsController.name,
                              NodeIPAMController.name, NodeLifecycleController.name, TaintEvictionController.name,
                              PodGarbageCollector.name, GarbageCollector.name]

    public let config: Config
    private let informers: ClusterInformers
    private let controllers: [any Controller]
    private let logger: Logger

    /// Builds the selected controllers; a bad selection or CIDR throws here, before anything runs.
    public init(client: KubeClient, config: Config, logger: Logger = Logger(label: "skiff.controllers")) throws {
        self.config = config
        self.logger = logger
        let informers = ClusterInformers(client: client, logger: logger)
        self.informers = informers
        var controllers: [any Controller] = []
        for name in try Self.enabled(config.controllers) {
            switch name {
            case EndpointSliceController.name:
                controllers.append(EndpointSliceController(client: client, informers: informers, logger: logger))
            case Scheduler.name:
                controllers.append(Scheduler(client: client, informers: informers, logger: logger))
            case DeploymentController.name:
                controllers.append(DeploymentController(client: client, informers: informers, logger: logger))
            case ReplicaSetController.name:
                controllers.append(ReplicaSetController(client: client, informers: informers, logger: logger))
            case NodeLifecycleController.name:
                var lifecycle = NodeLifecycleController.Config()
                lifecycle.monitorGracePeriod = config.nodeMonitorGracePeriod
                lifecycle.monitorPeriod = config.nodeMonitorPeriod
                lifecycle.startupGracePeriod = config.nodeStartupGracePeriod
                controllers.append(NodeLifecycleController(client: client, informers: informers, config: lifecycle, logger: logger))
            case TaintEvictionController.name:
                controllers.append(TaintEvictionController(client: client, informers: informers, logger: logger))
            case PodGarbageCollector.name:
                controllers.append(PodGarbageCollector(client: client, informers: informers, logger: logger))
            case GarbageCollector.name:
                controllers.append(GarbageCollector(client: client, informers: informers, logger: logger))
            case EndpointsController.name:
                controllers.append(EndpointsController(client: client, informers: informers, logger: logger))
            case NodeIPAMController.name:
                controllers.append(try NodeIPAMController(client: client, informers: informers, config: try Self.ipamConfig(config),
                                                          logger: logger))
            default:
                break
            }
        }
        self.controllers = controllers
    }

    /// Checks the configuration without starting anything (bad flags are usage errors).
    public static func validate(_ config: Config) throws {
        if try enabled(config.controllers).contains(NodeIPAMController.name) {
            _ = try NodeIPAMController.allocators(for: try ipamConfig(config))
        }
    }

    private static func ipamConfig(_ config: Config) throws -> NodeIPAMController.Config {
        var ipam = try NodeIPAMController.Config(clusterCIDR: config.clusterCIDR)
        ipam.nodeMaskSizeIPv4 = config.nodeCIDRMaskSizeIPv4
        ipam.nodeMaskSizeIPv6 = config.nodeCIDRMaskSizeIPv6
        return ipam
    }

    /// The controllers `--controllers` selects, in start order.
    public static func enabled(_ selection: [String]) throws -> [String] {
        var enabled = Set<String>()
        var disabled = Set<String>()
        for item in selection.map({ $0.trimmingWhitespace() }) where !item.isEmpty {
            let name = item.hasPrefix("-") ? String(item.dropFirst()) : item
            guard name == "*" || known.contains(name) else {
                throw ConfigError("unknown controller \"\(name)\" in --controllers (known: \(known.joined(separator: ", ")))")
            }
            if item.hasPrefix("-") { disabled.insert(name) } else { enabled.insert(name) }
        }
        // `-*` turns every controller off (a server that only serves the API).
        return known.filter { (enabled.contains("*") || enabled.contains($0)) && !disabled.contains($0) && !disabled.contains("*") }
    }

    public struct ConfigError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs the selected controllers until the calling task is cancelled; with `election`,
    /// only while this process holds the leader Lease, with fresh informers each term.
    public static func run(client: KubeClient, config: Config, election: LeaderElector.Config?, logger: Logger) async throws {
        let first = try ControllerManager(client: client, config: config, logger: logger)
        guard let election else { return await first.run() }
        guard !first.controllers.isEmpty else { return }
        await LeaderElector(client: client, config: election, logger: logger).run {
            guard let manager = try? ControllerManager(client: client, config: config, logger: logger) else { return }
            await manager.run()
        }
    }

    /// Runs the controllers until the calling task is cancelled.
    public func run() async {
        logger.info("starting controllers: \(controllers.map { type(of: $0).name }.joined(separator: ", "))")
        await withTaskGroup(of: Void.self) { group in
            for controller in controllers { group.addTask { await controller.run() } }
        }
        await informers.stop()
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
