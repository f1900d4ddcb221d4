import ArgumentParser
import DNS
import Foundation
import KubeAPI
import Logging
import NIOCore

struct DNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Serve cluster DNS (the Kubernetes DNS-Based Service Discovery specification) on UDP and TCP.",
        discussion: """
            Answers <svc>.<ns>.svc.<zone>, SRV, headless endpoints, ExternalName CNAMEs, pod \
            names, PTR and dns-version from the API's Services and EndpointSlices, and forwards \
            every other name to the upstream resolvers, with a cache. /health, /ready and \
            /metrics are served on the health and metrics addresses.
            """)

    @Option(help: "Kubeconfig to reach the API server.")
    var kubeconfig: String = "/var/lib/skiff/server/admin.kubeconfig"

    @Option(help: "HOST:PORT to serve DNS on (UDP and TCP).")
    var listen: String = "0.0.0.0:53"

    @Option(name: .customLong("cluster-domain"), help: "The cluster's DNS zone.")
    var clusterDomain: String = "cluster.local"

    @Option(help: "TTL of cluster answers, in seconds.")
    var ttl: UInt32 = 5

    @Option(name: .customLong("resolv-conf"), help: "Where the upstream resolvers are listed (its nameserver lines).")
    var resolvConf: String = "/etc/resolv.conf"

    @Option(name: .customLong("upstream"), help: "An upstream resolver, IP[:PORT] (repeatable; replaces --resolv-conf).")
    var upstreams: [String] = []

    @Flag(name: .customLong("no-forward"), help: "Answer only the cluster zone; REFUSE every other name.")
    var noForward = false

    @Option(name: .customLong("forward-timeout"), help: "How long one upstream try may take, e.g. 2s.")
    var forwardTimeout: String = "2s"

    @Option(name: .customLong("max-concurrent"), help: "Queries forwarded at once; more are REFUSED.")
    var maxConcurrent: Int = 1000

    @Option(name: .customLong("cache-size"), help: "Forwarded answers kept in the cache (0: no cache).")
    var cacheSize: Int = 10_000

    @Flag(name: .customLong("search-completion"), inversion: .prefixedNo,
          help: "Complete ClusterFirst pods' search lists server-side: one round trip instead of up to five for names outside the cluster.")
    var searchCompletion = true

    @Option(name: .customLong("node-name"), help: "Watch only this node's pods for search completion (node-local DNS); default: all pods.")
    var nodeName: String?

    @Option(name: .customLong("health-bind-address"), help: "HOST:PORT for /health, /ready and /metrics; empty disables.")
    var healthBindAddress: String = "127.0.0.1:8080"

    @Option(name: .customLong("metrics-bind-address"), help: "HOST:PORT for /metrics (and /health, /ready); empty disables.")
    var metricsBindAddress: String = "127.0.0.1:9153"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        tuneAllocatorForDaemon()
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "skiff.dns")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        guard let domain = DNSName(clusterDomain), !domain.isRoot else {
            throw ValidationError("--cluster-domain: \"\(clusterDomain)\" is not a domain name")
        }
        guard let address = try FlagValue.hostPort(listen, flag: "--listen") else { throw ValidationError("--listen is empty") }
        let statusListeners = try [FlagValue.hostPort(healthBindAddress, flag: "--health-bind-address"),
                                   FlagValue.hostPort(metricsBindAddress, flag: "--metrics-bind-address")].compactMap { $0 }
        // The node's search domains follow the cluster's in every ClusterFirst pod's list.
        let hostSearch = ((try? String(contentsOfFile: resolvConf, encoding: .utf8)) ?? "")
            .split(separator: "\n").last { $0.hasPrefix("search ") || $0.hasPrefix("domain ") }
            .map { $0.split(separator: " ").dropFirst().compactMap { DNSName(String($0)) } } ?? []
        let config = ClusterDNSConfig(clusterDomain: domain, ttl: ttl, listenHost: address.host, listenPort: address.port,
                                      searchCompletion: searchCompletion, nodeName: nodeName,
                                      hostSearchDomains: hostSearch.filter { !$0.isSubdomain(of: domain) })

        var upstream: DNSQueryHandler.Upstream?
        var forwarder: DNSForwarder?
        if !noForward {
            let listenAddress = try? SocketAddress(ipAddress: address.host, port: address.port)
            let resolvers: [DNSUpstream]
            do {
                resolvers = upstreams.isEmpty
                    ? try DNSUpstreams.loadResolvConf(path: resolvConf, excluding: listenAddress)
                    : try upstreams.map(DNSUpstreams.parse)
            } catch {
                throw ValidationError(upstreams.isEmpty ? "--resolv-conf: \(error)" : "--upstream: \(error)")
            }
            let timeout = try FlagValue.duration(forwardTimeout, flag: "--forward-timeout")
            guard timeout > .zero, maxConcurrent > 0, cacheSize >= 0 else {
                throw ValidationError("--forward-timeout and --max-concurrent must be positive, --cache-size not negative")
            }
            if resolvers.isEmpty { logger.warning("no upstream resolvers: names outside \(domain) get SERVFAIL") }
            let f = DNSForwarder(.init(upstreams: resolvers, timeout: .nanoseconds(timeout.nanosecondsValue),
                                       maxInFlight: maxConcurrent), logger: logger)
            forwarder = f
            upstream = DNSQueryHandler.Upstream(forwarder: f,
                                                cache: cacheSize > 0 ? DNSCache(.init(capacity: cacheSize)) : nil)
        }

        let client = try KubeClient(kubeconfigPath: kubeconfig)
        let dns = ClusterDNS(client: client, config: config, upstream: upstream, logger: logger)
        let log = logger
        let probing = forwarder
        let task = Task {
            try await dns.run(statusListeners: statusListeners) { port, statusPorts in
                log.info("listening", metadata: ["dns": "\(address.host):\(port)", "status": "\(statusPorts)"])
                if let forwarder = probing {
                    Task {
                        let looping = await forwarder.probeForLoop()
                        for u in looping { log.error("forwarding loop: upstream \(u) sends our queries back; not using it") }
                    }
                }
            }
        }
        let signals = TerminationSignals.onTermination { task.cancel() }
        defer { for s in signals { s.cancel() } }
        // Shut the clients down whatever happened: a client dropped unshut traps.
        let result = await task.result
        await forwarder?.shutdown()
        logger.info("stopped")
        try? await client.shutdown()
        try result.get()
    }
}

extension Duration {
    var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
