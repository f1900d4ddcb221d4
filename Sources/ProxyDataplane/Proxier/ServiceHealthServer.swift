import KubeAPI
import Logging
import NIOPosix
import StatusServer
import Netlink

/// Upstream's service health checks: every LoadBalancer Service with
/// `externalTrafficPolicy: Local` has a `healthCheckNodePort`, and the proxy answers HTTP
/// there with how many ready endpoints of the Service run on this node: 200 when some do and
/// the proxy is healthy, 503 otherwise, so the cloud load balancer sends traffic only to
/// nodes that will not drop it.
///
/// Updated by the `Proxier` after each sync for the Services that changed;
/// the listeners read the counts under a lock.
actor ServiceHealthServer {
    private struct Check: Sendable {
        var service: ServiceName
        var localEndpoints: Int
    }

    private let checks = ProtectedState<[UInt16: Check]>([:])
    private var portOfService: [ServiceName: UInt16] = [:]
    private var listeners: [UInt16: [StatusHTTPServer]] = [:]
    private let hosts: [String]
    private let proxyHealthy: @Sendable () -> Bool
    private let logger: Logger

    /// `addresses`: where to listen (the NodePort addresses; all addresses when empty).
    init(addresses: [IPAddress], logger: Logger, proxyHealthy: @escaping @Sendable () -> Bool) {
        hosts = addresses.isEmpty ? [StatusHTTPServer.anyAddress] : addresses.map(\.description)
        self.logger = logger
        self.proxyHealthy = proxyHealthy
    }

    var ports: [UInt16] { listeners.keys.sorted() }

    /// Sets one Service's check: its health check node port (nil: none any more) and its
    /// ready local endpoints. False when its listener could not be opened (the port is in
    /// use, the address not yet configured): the caller retries on its next sync.
    func update(_ service: ServiceName, port: UInt16?, localEndpoints: Int) async -> Bool {
        if let old = portOfService[service], old != port {
            portOfService[service] = nil
            // Only if the port is still ours: another Service may have taken it over in the
            // same sync (a Service recreated with a pinned healthCheckNodePort).
            if checks.withLock({ $0[old]?.service == service }) {
                checks.withLock { $0[old] = nil }
                for listener in listeners.removeValue(forKey: old) ?? [] { await listener.close() }
            }
        }
        guard let port else { return true }
        portOfService[service] = port
        checks.withLock { $0[port] = Check(service: service, localEndpoints: localEndpoints) }
        guard listeners[port] == nil else { return true }
        var opened: [StatusHTTPServer] = []
        for host in hosts {
            do {
                opened.append(try await StatusHTTPServer.start(host: host, port: Int(port), group: MultiThreadedEventLoopGroup.singleton) {
                    [checks, proxyHealthy] _ in
                    guard let check = checks.withLock({ $0[port] }) else { return nil }
                    return Self.response(check, proxyHealthy: proxyHealthy())
                })
            } catch {
                logger.error("health check node port \(port) of \(service) on \(host): \(error)")
                for listener in opened { await listener.close() }
                return false
            }
        }
        listeners[port] = opened
        return true
    }

    func closeAll() async {
        for listener in listeners.values.joined() { await listener.close() }
        listeners = [:]
    }

    private static func response(_ check: Check, proxyHealthy: Bool) -> StatusHTTPServer.Response {
        let body = """
            {
            \t"service": {
            \t\t"namespace": "\(check.service.namespace)",
            \t\t"name": "\(check.service.name)"
            \t},
            \t"localEndpoints": \(check.localEndpoints),
            \t"serviceProxyHealthy": \(proxyHealthy)
            }
            """
        let ok = check.localEndpoints > 0 && proxyHealthy
        return .init(status: ok ? .ok : .serviceUnavailable, contentType: "application/json", text: body,
                     headers: [("X-Load-Balancing-Endpoint-Weight", "\(check.localEndpoints)")])
    }
}
