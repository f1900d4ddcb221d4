import KubeAPI
import Logging
import NIOPosix
import StatusServer
import Synchronization

/// How the cluster DNS server runs.
public struct ClusterDNSConfig: Sendable {
    public var clusterDomain: DNSName
    public var ttl: UInt32
    public var listenHost: String
    public var listenPort: Int
    /// Complete ClusterFirst pods' search lists server-side (see `SearchCompletion`).
    public var searchCompletion: Bool
    /// Only this node's pods are watched for search completion (the node-local case); nil: all.
    public var nodeName: String?
    /// The node's search domains, which follow the cluster ones in a pod's list.
    public var hostSearchDomains: [DNSName]

    public init(clusterDomain: DNSName = DNSName("cluster.local")!, ttl: UInt32 = 5, listenHost: String = "0.0.0.0",
                listenPort: Int = 53, searchCompletion: Bool = true, nodeName: String? = nil, hostSearchDomains: [DNSName] = []) {
        self.clusterDomain = clusterDomain
        self.ttl = ttl
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.searchCompletion = searchCompletion
        self.nodeName = nodeName
        self.hostSearchDomains = hostSearchDomains
    }
}

/// The cluster DNS component: Service and EndpointSlice informers feed `ClusterRecords`, the
/// server answers from them on UDP and TCP, and `/health`, `/ready`, `/metrics` report on it.
/// The node agent embeds it, fed by the node's shared informers; `skiff dns` runs it alone.
public final class ClusterDNS: Sendable {
    public let config: ClusterDNSConfig
    public let records = ClusterRecords()
    public let pods = PodDirectory()
    public let handler: DNSQueryHandler
    private let services: any ObjectEventSource<DNSService>
    private let slices: any ObjectEventSource<DNSEndpointSlice>
    private let podInformer: (any ObjectEventSource<DNSPod>)?
    private let synced = Atomic<Bool>(false)
    private let logger: Logger

    /// Where the records come from when a node shares its informers (the agent): all
    /// Services and EndpointSlices, and the node's Pods, each read as DNS's compact form.
    public struct SharedInformers: Sendable {
        public var services: Informer<Service>
        public var endpointSlices: Informer<EndpointSlice>
        public var pods: Informer<Pod>

        public init(services: Informer<Service>, endpointSlices: Informer<EndpointSlice>, pods: Informer<Pod>) {
            self.services = services
            self.endpointSlices = endpointSlices
            self.pods = pods
        }
    }

    public init(client: KubeClient, config: ClusterDNSConfig, upstream: DNSQueryHandler.Upstream?,
                metrics: DNSMetrics = DNSMetrics(), shared: SharedInformers? = nil, logger: Logger = Logger(label: "skiff.dns")) {
        self.config = config
        self.logger = logger
        handler = DNSQueryHandler(zone: ClusterZone(domain: config.clusterDomain, ttl: config.ttl, records: records),
                                  upstream: upstream,
                                  searchCompletion: config.searchCompletion
                                      ? SearchCompletion(pods: pods, hostSearchDomains: config.hostSearchDomains) : nil,
                                  metrics: metrics)
        if let shared {
            services = ProjectedInformer<Service, DNSService>(decoding: shared.services)
            slices = ProjectedInformer<EndpointSlice, DNSEndpointSlice>(decoding: shared.endpointSlices,
                                                                         transform: DNSEndpointSlice.compactedForDNS)
            podInformer = config.searchCompletion
                ? ProjectedInformer<Pod, DNSPod>(decoding: shared.pods, transform: DNSPod.trimmedForDNS) : nil
        } else {
            services = Informer<DNSService>(client: client, decodesManagedFields: false, logger: logger)
            slices = Informer<DNSEndpointSlice>(client: client, transform: DNSEndpointSlice.compactedForDNS, decodesManagedFields: false,
                                                logger: logger)
            podInformer = config.searchCompletion
                ? Informer<DNSPod>(client: client, fieldSelector: config.nodeName.map { "spec.nodeName=\($0)" },
                                   transform: DNSPod.trimmedForDNS, decodesManagedFields: false, logger: logger)
                : nil
        }
    }

    /// Ready once both caches have synced: before that an answer could be a false NXDOMAIN.
    public var isReady: Bool { synced.load(ordering: .acquiring) }

    /// Answers `/health`, `/ready` and `/metrics`.
    public func status(_ path: String) -> StatusHTTPServer.Response? {
        switch path {
        case "/health": return .init(text: "OK")
        case "/ready": return isReady ? .init(text: "OK") : .init(status: .serviceUnavailable, text: "caches not synced\n")
        case "/metrics":
            return .init(contentType: "text/plain; version=0.0.4; charset=utf-8", body: handler.metrics.render())
        default: return nil
        }
    }

    /// Serves until the calling task is cancelled; `ready` gets the bound DNS port.
    public func run(statusListeners: [(host: String, port: Int)] = [],
                    ready: @Sendable (_ dnsPort: Int, _ statusPorts: [Int]) -> Void = { _, _ in }) async throws {
        let records = self.records
        let serviceHandlers = services.addEventHandlers(
            onAdd: { records.upsert($0) }, onUpdate: { records.upsert($1) }, onDelete: { records.remove(service: $0) })
        let sliceHandlers = slices.addEventHandlers(
            onAdd: { records.upsert($0) }, onUpdate: { _, new in records.upsert(new) }, onDelete: { records.remove(slice: $0) })
        let pods = self.pods
        _ = podInformer?.addEventHandlers(onAdd: { pods.upsert($0) }, onUpdate: { pods.upsert($1, replacing: $0) },
                                          onDelete: { pods.remove($0) })
        services.start()
        slices.start()
        podInformer?.start()
        let group = MultiThreadedEventLoopGroup.singleton
        var statusServers: [StatusHTTPServer] = []
        var server: DNSServer?
        do {
            for listener in statusListeners {
                statusServers.append(try await StatusHTTPServer.start(host: listener.host, port: listener.port, group: group) {
                    [self] path in status(path)
                })
            }
            server = try await DNSServer.start(host: config.listenHost, port: config.listenPort, handler: handler, group: group)
            ready(server!.port, statusServers.map(\.port))
            logger.info("serving DNS", metadata: ["address": "\(config.listenHost):\(server!.port)",
                                                  "zone": "\(config.clusterDomain)", "ttl": "\(config.ttl)"])
            try await services.waitForSync()
            try await slices.waitForSync()
            await services.waitUntilHandled(serviceHandlers)
            await slices.waitUntilHandled(sliceHandlers)
            synced.store(true, ordering: .releasing)
            logger.info("caches synced", metadata: ["services": "\(records.serviceCount)"])
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        } catch is CancellationError {
        } catch {
            await shutdown(server, statusServers)
            throw error
        }
        await shutdown(server, statusServers)
    }

    private func shutdown(_ server: DNSServer?, _ statusServers: [StatusHTTPServer]) async {
        await server?.close()
        for s in statusServers { await s.close() }
        await services.stop()
        await slices.stop()
        await podInformer?.stop()
    }
}
