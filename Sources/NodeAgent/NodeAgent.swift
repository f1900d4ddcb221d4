import Foundation
import KubeAPI
import Logging

/// `skiff agent` on one node (the kubelet's place): registers the Node, heartbeats its Lease,
/// reports its status and runs the Pods bound to it on runc (`PodManager`). The embedded
/// proxy, overlay and DNS come next (issue 7).
public struct NodeAgent: Sendable {
    public struct Config: Sendable {
        public var nodeName: String
        public var nodeIP: String?
        public var labels: [String: String] = [:]
        public var taints: [Taint] = []
        public var stateDirectory = "/var/lib/skiff/agent"
        public var statusUpdateInterval: Duration = .seconds(10)
        /// As the kubelet: the Lease is renewed every quarter of its duration.
        public var leaseDurationSeconds: Int32 = 40
        public var maxPods = 110
        /// Where the CNI network config list is, and the plugin search path.
        public var cniConfDir = "/etc/cni/net.d"
        public var cniBinDirs = ["/opt/cni/bin", "/usr/lib/cni"]
        public var clusterDNS = ["10.96.0.10"]
        public var clusterDomain = "cluster.local"
        public var runtime = "runc"
        /// Registries (host[:port]) spoken to over plain HTTP.
        public var insecureRegistries: [String] = []
        public var containerLogMaxSize: Int64 = 10 << 20
        public var containerLogMaxFiles = 5
        /// The HTTPS port the API server reaches the agent on (logs); 0 turns it off.
        public var port = 10250
        public var address = "0.0.0.0"
        public init(nodeName: String) { self.nodeName = nodeName }
    }

    let client: KubeClient
    let config: Config
    let logger: Logger
    /// The node's shared informers, when the agent runs with them (its Pods come from there).
    let informers: NodeInformers?

    public init(client: KubeClient, config: Config, informers: NodeInformers? = nil, logger: Logger) {
        self.client = client
        self.config = config
        self.informers = informers
        self.logger = logger
    }

    /// Registers (retrying until the API server answers), then heartbeats and reports until
    /// the calling task is cancelled.
    public func run() async throws {
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        var registration = NodeRegistration(name: config.nodeName, internalIP: config.nodeIP ?? Self.detectIP(), machine: .current())
        registration.extraLabels = config.labels
        registration.taints = config.taints
        registration.maxPods = config.maxPods
        registration.port = config.port
        var delay: Duration = .milliseconds(200)
        while true {
            do {
                _ = try await registration.register(client, logger: logger)
                break
            } catch {
                logger.warning("registering node \(config.nodeName) failed (retrying): \(error)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(7))
            }
        }
        var reporter = NodeStatusReporter(client: client, registration: registration,
                                          probe: healthProbe(), logger: logger)
        reporter.updateInterval = config.statusUpdateInterval
        var lease = NodeLeaseRenewer(client: client, nodeName: config.nodeName, logger: logger)
        lease.leaseDurationSeconds = config.leaseDurationSeconds
        lease.renewInterval = .milliseconds(Int64(config.leaseDurationSeconds) * 250)
        let (status, heartbeat) = (reporter, lease)
        let pods = try podManager(nodeIP: registration.internalIP, allocatable: registration.capacity)
        let server = try httpsServer(addresses: [registration.internalIP].compactMap { $0 })
        let log = logger
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await status.run() }
            group.addTask { await heartbeat.run() }
            if let pods { group.addTask { await pods.run() } }
            if let server {
                group.addTask {
                    do { try await server.run() } catch { log.error("the agent's HTTPS port stopped: \(error)") }
                }
            }
        }
    }

    private func healthProbe() -> NodeHealthProbe {
        var probe = NodeHealthProbe(stateDirectory: config.stateDirectory)
        probe.runtime = config.runtime
        probe.cniConfDir = config.cniConfDir
        return probe
    }

    /// The Pod runner, when the runtime is installed (without it the node reports NotReady
    /// and runs nothing).
    func podManager(nodeIP: String?, allocatable: [String: Quantity]) throws -> PodManager? {
        guard let runc = NodeHealthProbe.findExecutable(config.runtime) else {
            logger.warning("\(config.runtime) not found: this node will not run Pods")
            return nil
        }
        var env = PodEnvironment(client: client, nodeName: config.nodeName, nodeIP: nodeIP, stateDirectory: config.stateDirectory,
                                 images: try ImageStore(root: config.stateDirectory + "/images"),
                                 cni: CNIInvoker(confDir: config.cniConfDir, binDirs: config.cniBinDirs), runcBinary: runc,
                                 logger: logger)
        env.clusterDNS = config.clusterDNS
        env.containerLogMaxSize = config.containerLogMaxSize
        env.containerLogMaxFiles = config.containerLogMaxFiles
        env.puller = RegistryPuller(store: env.images, insecureRegistries: config.insecureRegistries)
        env.clusterDomain = config.clusterDomain
        return PodManager(env: env, allocatable: allocatable, informer: informers?.pods)
    }

    /// The HTTPS port, when a port is set and the cluster CA is known to check clients with.
    func httpsServer(addresses: [String]) throws -> AgentServer? {
        guard config.port > 0 else { return nil }
        guard let ca = client.config.certificateAuthorityPEM else {
            logger.warning("no cluster CA to check clients against: the agent's HTTPS port (logs) is off")
            return nil
        }
        return try AgentServer(host: config.address, port: config.port, stateDirectory: config.stateDirectory, nodeName: config.nodeName,
                               addresses: addresses, clientCAPEM: ca, runcBinary: NodeHealthProbe.findExecutable(config.runtime),
                               logger: logger)
    }

    /// The first global IPv4 address of an interface that is up (the kubelet asks the
    /// default route; a node in a namespace without one still has its underlay address).
    public static func detectIP() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var found: String?
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = Int32(entry.pointee.ifa_flags)
            guard found == nil, flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0,
                  let addr = entry.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(addr, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                found = String(cString: host)
            }
        }
        return found
    }
}
