import KubeAPI
import Logging
import NIOPosix
import StatusServer

/// The proxy as a component: watches Services, EndpointSlices and this node through the API,
/// feeds the `Proxier`, and serves metrics and health. `skiff proxy` runs it standalone; the
/// node agent embeds it.
public final class ServiceProxy: Sendable {
    /// Where to serve; nil disables a listener.
    public struct Listeners: Sendable {
        /// `--metrics-bind-address` (`/metrics`, `/healthz` "ok", `/proxyMode`).
        public var metrics: (host: String, port: Int)?
        /// `--healthz-bind-address` (`/healthz`, `/livez`).
        public var healthz: (host: String, port: Int)?

        public init(metrics: (host: String, port: Int)? = ("127.0.0.1", 10249),
                    healthz: (host: String, port: Int)? = ("0.0.0.0", 10256)) {
            self.metrics = metrics
            self.healthz = healthz
        }
    }

    /// Upstream's selector: Services handled by another proxy, and headless ones, are not ours.
    public static let labelSelector = "!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless"

    public let proxier: Proxier
    /// Compact objects, decoded with only the fields the proxy reads (see `ProxyService`).
    private let services: any ObjectEventSource<ProxyService>
    private let endpointSlices: any ObjectEventSource<ProxyEndpointSlice>
    private let node: any ObjectEventSource<Node>
    private let logger: Logger

    /// Where the proxy's objects come from when a node shares its informers (the agent):
    /// all Services, EndpointSlices and Nodes, of which the proxy takes what `labelSelector`
    /// and its node name select.
    public struct SharedInformers: Sendable {
        public var services: Informer<Service>
        public var endpointSlices: Informer<EndpointSlice>
        public var nodes: Informer<Node>

        public init(services: Informer<Service>, endpointSlices: Informer<EndpointSlice>, nodes: Informer<Node>) {
            self.services = services
            self.endpointSlices = endpointSlices
            self.nodes = nodes
        }
    }

    public init(client: KubeClient, config: ProxyConfig, shared: SharedInformers? = nil,
                logger: Logger = Logger(label: "skiff.proxy")) throws {
        self.logger = logger
        proxier = try Proxier(config: config, logger: logger)
        if let shared {
            let selector = try LabelSelectorQuery(parsing: Self.labelSelector)
            let nodeName = config.nodeName
            services = ProjectedInformer<Service, ProxyService>(decoding: shared.services,
                                                                include: { selector.matches($0.metadata?.labels ?? [:]) })
            endpointSlices = ProjectedInformer<EndpointSlice, ProxyEndpointSlice>(decoding: shared.endpointSlices,
                                                                                  include: { selector.matches($0.metadata?.labels ?? [:]) })
            node = ProjectedInformer<Node, Node>(shared.nodes) { $0.metadata?.name == nodeName ? $0 : nil }
        } else {
            services = Informer<ProxyService>(client: client, labelSelector: Self.labelSelector, decodesManagedFields: false,
                                              logger: logger)
            endpointSlices = Informer<ProxyEndpointSlice>(client: client, labelSelector: Self.labelSelector,
                                                          decodesManagedFields: false, logger: logger)
            node = Informer<Node>(client: client, fieldSelector: "metadata.name=\(config.nodeName)", decodesManagedFields: false,
                                  logger: logger)
        }
    }

    /// Runs until the calling task is cancelled. `ready` is called with the bound ports once
    /// the listeners are up (port 0 picks a free one).
    public func run(listeners: Listeners = Listeners(),
                    ready: @Sendable (_ metricsPort: Int?, _ healthzPort: Int?) -> Void = { _, _ in }) async throws {
        let proxier = self.proxier
        let group = MultiThreadedEventLoopGroup.singleton
        var servers: [StatusHTTPServer] = []
        do {
            if let m = listeners.metrics {
                servers.append(try await StatusHTTPServer.start(host: m.host, port: m.port, group: group) { path in
                    switch path {
                    case "/metrics":
                        return .init(contentType: "text/plain; version=0.0.4; charset=utf-8", body: proxier.metrics.exposition())
                    case "/healthz": return .init(text: "ok")
                    case "/proxyMode": return .init(text: "nftables")
                    default: return nil
                    }
                })
            }
            if let h = listeners.healthz {
                servers.append(try await StatusHTTPServer.start(host: h.host, port: h.port, group: group) { path in
                    guard path == "/healthz" || path == "/livez" else { return nil }
                    let (code, body) = proxier.healthResponse(includeNodeEligible: path == "/healthz")
                    return .init(status: .init(statusCode: code), contentType: "application/json", text: body)
                })
            }
        } catch {
            for s in servers { await s.close() }
            throw error
        }
        var next = servers.makeIterator()
        ready(listeners.metrics == nil ? nil : next.next()?.port, listeners.healthz == nil ? nil : next.next()?.port)

        let serviceHandlers = services.addEventHandlers(
            onAdd: { await proxier.record(.added($0)) },
            onUpdate: { await proxier.record(.updated(old: $0, new: $1)) },
            onDelete: { await proxier.record(.deleted($0)) })
        let sliceHandlers = endpointSlices.addEventHandlers(
            onAdd: { await proxier.record(.added($0)) },
            onUpdate: { await proxier.record(.updated(old: $0, new: $1)) },
            onDelete: { await proxier.record(.deleted($0)) })
        _ = node.addEventHandlers(
            onAdd: { proxier.nodeChanged($0) },
            onUpdate: { proxier.nodeChanged($1) },
            onDelete: { proxier.nodeChanged($0) })
        services.start()
        endpointSlices.start()
        node.start()

        do {
            try await services.waitForSync()
            try await endpointSlices.waitForSync()
            // The first sync is full: it must see every object of the first lists.
            await services.waitUntilHandled(serviceHandlers)
            await endpointSlices.waitUntilHandled(sliceHandlers)
            logger.info("Service and EndpointSlice caches synced; programming rules")
            await proxier.run()
        } catch {
            // Cancelled while waiting for the caches.
        }
        await proxier.stopServiceHealthChecks()
        await services.stop()
        await endpointSlices.stop()
        await node.stop()
        for s in servers { await s.close() }
    }
}
