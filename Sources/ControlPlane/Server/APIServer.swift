import Foundation
import KubeAPI
import Logging
import Netlink
import NIOCore
import NIOHTTP1
import NIOSSL

/// `skiff server`: the Kubernetes API over HTTPS on an embedded store, or on etcd.
public struct APIServerConfig: Sendable {
    public var dataDirectory: String
    public var datastore: Datastore = .embedded
    /// `--import DIR`: an embedded cluster's data directory to copy into an empty etcd.
    public var importFrom: String?
    public var listenHost = "0.0.0.0"
    public var listenPort = 6443
    public var advertiseAddress: String?
    public var extraSANs: [String] = []
    public var serviceCIDR = "10.96.0.0/12"
    public var nodePortRange = 30000...32767
    /// How long watch history is kept before compaction (upstream: 5 minutes).
    public var compactionInterval: Duration = .seconds(300)
    /// How long Events are kept (upstream --event-ttl).
    public var eventTTL: Duration = .seconds(3600)

    public init(dataDirectory: String) { self.dataDirectory = dataDirectory }
}

public final class APIServer: Sendable {
    public let config: APIServerConfig
    let store: any Store
    let registry = ResourceRegistry.standard
    let handler: ResourceHandler
    let discovery: Discovery
    let openAPI: OpenAPIDocuments
    let authenticator: Authenticator
    let pki: ClusterPKI
    let logger: Logger

    public init(config: APIServerConfig, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        let dir = config.dataDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cidrs = try Self.serviceCIDRs(config.serviceCIDR)
        let store = try await Self.openStore(config, logger: logger)
        self.store = store
        // Clients of etcd and of agents must be shut down, not dropped, if start-up fails.
        var kubelets: KubeletClient?
        do {
            authenticator = try Authenticator.loadOrCreate(directory: dir)
            let advertise = config.advertiseAddress ?? "127.0.0.1"
            var ips = Set(ClusterPKI.hostAddresses() + ["127.0.0.1", "::1", advertise] + cidrs.map { $0.address(at: 1).description })
            var dns: Set<String> = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                                    "kubernetes.default.svc.cluster.local", ProcessInfo.processInfo.hostName]
            for san in config.extraSANs {
                if IPAddress(san) != nil || san.contains(":") { ips.insert(san) } else { dns.insert(san) }
            }
            pki = try ClusterPKI.loadOrCreate(directory: "\(dir)/tls", dnsNames: dns.sorted(), ipAddresses: ips.sorted())
            let allocators = ServiceAllocators(serviceCIDRs: cidrs, nodePorts: config.nodePortRange, store: store)
            let admission = Admission(store: store, registry: registry, allocators: allocators)
            kubelets = try KubeletClient(certificatePEM: pki.kubeletClientCertificatePEM, keyPEM: pki.kubeletClientKeyPEM)
            handler = ResourceHandler(store: store, registry: registry, admission: admission, validator: FieldValidator(registry: registry),
                                      kubelets: kubelets)
            discovery = Discovery(registry: registry, serverAddress: "\(advertise):\(config.listenPort)")
            openAPI = OpenAPIDocuments(registry: registry)
            try await bootstrap(allocators: allocators, cidr: cidrs[0])
        } catch {
            await kubelets?.shutdown()
            await Self.close(store)
            throw error
        }
    }

    /// The datastore `--datastore` names; for etcd, with `--import` done and the cluster's
    /// shared credentials in the data directory.
    private static func openStore(_ config: APIServerConfig, logger: Logger) async throws -> any Store {
        switch config.datastore {
        case .embedded:
            if config.importFrom != nil { throw DatastoreError("--import copies into etcd: give --datastore etcd://…") }
            return try SQLiteStore(path: "\(config.dataDirectory)/state.db")
        case .etcd(let endpoints, let tls, let prefix, let watchCache):
            let etcd = try EtcdStore(endpoints: endpoints, tls: tls, prefix: prefix, watchCache: watchCache, logger: logger)
            do {
                if let source = config.importFrom {
                    _ = try await EmbeddedImport.copy(from: source, into: etcd, logger: logger)
                }
                try await SharedCredentials.synchronize(store: etcd, dataDirectory: config.dataDirectory, importing: config.importFrom)
            } catch {
                await close(etcd)
                throw error
            }
            return etcd
        }
    }

    private static func close(_ store: any Store) async {
        if let etcd = store as? EtcdStore { try? await etcd.shutdown() }
    }

    /// What every cluster has: the system namespaces and the `kubernetes` Service.
    /// `--service-cidr`: one block, or an IPv4 and an IPv6 one separated by a comma (dual-stack;
    /// the first is the primary family), as kube-apiserver's `--service-cluster-ip-range`.
    static func serviceCIDRs(_ flag: String) throws -> [ServiceIPRange] {
        let parts = flag.split(separator: ",").map { String($0) }
        let ranges = parts.compactMap(ServiceIPRange.init)
        guard !parts.isEmpty, ranges.count == parts.count, ranges.count <= 2,
              Set(ranges.map(\.family)).count == ranges.count else {
            throw APIError.badRequest("invalid --service-cidr \(flag): one CIDR, or an IPv4 and an IPv6 one separated by a comma "
                + "(an IPv4 block of at least 4 addresses; an IPv6 block of at most 2^\(ServiceIPRange.maxIPv6HostBits), /108 or longer)")
        }
        return ranges
    }

    private func bootstrap(allocators: ServiceAllocators, cidr: ServiceIPRange) async throws {
        let services = try await store.list(prefix: "/services/", startAfter: nil, limit: 0, revision: nil)
        try await allocators.start(services: try services.items.map { try JSONParser.parse($0.value) })
        let system = UserInfo(name: "system:apiserver", groups: ["system:masters"])
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            try await ensure(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]], path: "/api/v1/namespaces", user: system)
        }
        let address = config.advertiseAddress ?? "127.0.0.1"
        try await ensure([
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "kubernetes", "namespace": "default", "labels": ["component": "apiserver", "provider": "kubernetes"]],
            "spec": ["clusterIP": .string(cidr.address(at: 1).description), "type": "ClusterIP", "sessionAffinity": "None",
                     "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": .int(Int64(config.listenPort))]]],
        ], path: "/api/v1/namespaces/default/services", user: system)
        try await ensure([
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": ["name": "kubernetes", "namespace": "default", "labels": ["endpointslice.kubernetes.io/skip-mirror": "true"]],
            "subsets": [["addresses": [["ip": .string(address)]],
                         "ports": [["name": "https", "port": .int(Int64(config.listenPort)), "protocol": "TCP"]]]],
        ], path: "/api/v1/namespaces/default/endpoints", user: system)
    }

    private func ensure(_ object: JSONValue, path: String, user: UserInfo) async throws {
        var probe = HTTPRequest(method: .GET, uri: path + "/" + (object[path: ["metadata", "name"]]?.stringValue ?? ""), headers: [:], body: [])
        probe.user = user
        if await handle(probe, authenticated: true).status == .ok { return }
        var request = HTTPRequest(method: .POST, uri: path, headers: ["Content-Type": "application/json", "User-Agent": "kube-apiserver"],
                                  body: JSONSerializer.serialize(object))
        request.user = user
        let response = await handle(request, authenticated: true)
        // Another server starting at the same moment may have made it (its ClusterIP then
        // reads as taken here, a 422): what matters is that it exists.
        if response.status != .created, response.status != .conflict, await handle(probe, authenticated: true).status == .ok { return }
        guard response.status == .created || response.status == .conflict else {
            if case .bytes(let b) = response.body { throw APIError.internalError(String(decoding: b, as: UTF8.self)) }
            throw APIError.internalError("bootstrap of \(path) failed")
        }
    }

    /// How an in-process client (the controllers) reaches this server on `port`: over
    /// loopback when it listens on every address, as the admin.
    public func loopbackClientConfig(port: Int) -> KubeClientConfig {
        let host = ["", "0.0.0.0", "::"].contains(config.listenHost) ? "127.0.0.1" : config.listenHost
        return KubeClientConfig(server: "https://\(host.contains(":") ? "[\(host)]" : host):\(port)",
                                certificateAuthorityPEM: pki.caCertificatePEM, token: authenticator.adminToken,
                                userAgent: "skiff-controller-manager")
    }

    /// Writes `DIR/admin.kubeconfig` for kubectl.
    public func writeAdminKubeconfig(port: Int) throws {
        let server = "https://\(config.advertiseAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "127.0.0.1"):\(port)"
        let ca = Data(pki.caCertificatePEM.utf8).base64EncodedString()
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: skiff
              cluster:
                server: \(server)
                certificate-authority-data: \(ca)
            users:
            - name: admin
              user:
                token: \(authenticator.adminToken)
            contexts:
            - name: skiff
              context:
                cluster: skiff
                user: admin
                namespace: default
            current-context: skiff

            """
        try ClusterPKI.write(text, to: "\(config.dataDirectory)/admin.kubeconfig", mode: 0o600)
    }

    /// Serves until cancelled; compacts history in the background.
    public func run(onReady: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(pki.servingCertificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.servingKeyPEM.utf8), format: .pem)))
        tls.applicationProtocols = ["http/1.1"]
        let context = try NIOSSLContext(configuration: tls)
        let server = HTTPServer(host: config.listenHost, port: config.listenPort, tls: context, logger: logger)
        let (bound, boundTo) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run(handler: { [self] request in await self.handle(request, authenticated: false) },
                                     headCheck: { [self] head in self.refuseUnauthenticated(head) },
                                     onBound: { port in
                                         do { try self.writeAdminKubeconfig(port: port) } catch {
                                             self.logger.error("cannot write admin.kubeconfig: \(error)")
                                         }
                                         boundTo.yield(port)
                                         boundTo.finish()
                                         onReady(port)
                                     })
            }
            group.addTask {
                var ports = bound.makeAsyncIterator()
                guard let port = await ports.next() else { return }
                try await self.kubernetesEndpoints(port: port).run()
            }
            group.addTask { try await self.compactLoop() }
            group.addTask { try await EventExpiry(store: self.store, ttl: self.config.eventTTL).run() }
            group.addTask {
                try await NamespaceFinalizer(store: self.store, registry: self.registry, handler: self.handler).run()
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Closes the connections the server holds (to etcd, to agents); after `run` has ended.
    public func shutdown() async {
        await handler.kubelets?.shutdown()
        await Self.close(store)
    }

    /// The reconciler of the `kubernetes` Service's endpoints for this server.
    func kubernetesEndpoints(port: Int) -> APIServerEndpoints {
        APIServerEndpoints(store: store, address: config.advertiseAddress ?? "127.0.0.1", port: port, send: { [self] method, path, body in
            var request = HTTPRequest(method: method, uri: path, headers: ["Content-Type": "application/json", "User-Agent": "kube-apiserver"],
                                      body: body.map { JSONSerializer.serialize($0) } ?? [])
            request.user = UserInfo(name: "system:apiserver", groups: ["system:masters"])
            return await self.handle(request, authenticated: true)
        }, logger: logger)
    }

    /// Like kube-apiserver: every interval, compact to the revision seen one interval ago,
    /// so watchers always have at least one interval of history to resume from.
    private func compactLoop() async throws {
        // A datastore that is away (etcd down) skips a round; it must not end the server.
        var previous = (try? await store.currentRevision()) ?? 0
        while !Task.isCancelled {
            try await Task.sleep(for: config.compactionInterval)
            do {
                let current = try await store.currentRevision()
                try await store.compact(to: previous)
                previous = current
            } catch {
                logger.warning("compaction failed: \(error)")
            }
        }
    }

    // MARK: - Dispatch

    /// 401 before the body is read, for requests that need a token and carry no valid one.
    private func refuseUnauthenticated(_ head: HTTPRequestHead) -> HTTPResponse? {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        if Self.isHealthPath(path) { return nil }
        return authenticator.authenticate(head.headers.first(name: "authorization")) == nil ? APIError.unauthorized.response : nil
    }

    private static func isHealthPath(_ path: String) -> Bool {
        ["/healthz", "/livez", "/readyz"].contains(path) || path.hasPrefix("/healthz/") || path.hasPrefix("/livez/") || path.hasPrefix("/readyz/")
    }

    func handle(_ incoming: HTTPRequest, authenticated: Bool) async -> HTTPResponse {
        var request = incoming
        let path = request.path
        if Self.isHealthPath(path) {
            return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .bytes(Array("ok".utf8)))
        }
        if !authenticated {
            guard let user = authenticator.authenticate(request.headers.first(name: "authorization")) else {
                return APIError.unauthorized.response
            }
            request.user = user
        }
        do {
            return try await route(request)
        } catch let error as APIError {
            return error.response
        } catch StoreError.unavailable(let why) {
            return APIError.serviceUnavailable(why).response
        } catch StoreError.tooLarge(let limit) {
            return APIError.requestEntityTooLarge(limit: limit).response
        } catch {
            logger.error("\(request.method) \(request.path): \(error)")
            return APIError.internalError("\(error)").response
        }
    }

    private func route(_ request: HTTPRequest) async throws -> HTTPResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        switch path {
        case "/version": return .json(.ok, JSONSerializer.serialize(discovery.version))
        case "/api", "/apis":
            if Discovery.wantsAggregated(request.headers.first(name: "accept")) {
                return .json(.ok, JSONSerializer.serialize(discovery.aggregated(core: path == "/api")),
                             contentType: Discovery.aggregatedContentType)
            }
            return .json(.ok, JSONSerializer.serialize(path == "/api" ? discovery.coreVersions : discovery.groupList))
        case "/openapi/v3": return .json(.ok, JSONSerializer.serialize(openAPI.index))
        case "/openapi/v2":
            let accept = request.headers.first(name: "accept") ?? ""
            if accept.contains("protobuf") {
                return HTTPResponse(status: .ok, headers: ["Content-Type": OpenAPIDocuments.protobufContentType],
                                    body: .bytes(openAPI.swaggerV2Protobuf))
            }
            return .json(.ok, openAPI.swaggerV2JSON)
        default: break
        }
        if path.hasPrefix("/openapi/v3/") {
            guard let doc = openAPI.document(String(path.dropFirst("/openapi/v3/".count))) else { throw APIError.notFoundPath() }
            return .json(.ok, doc)
        }
        let parts = path.split(separator: "/").map(String.init)
        if request.method == .GET {
            if parts.count == 2, parts[0] == "api", let doc = discovery.resources(group: "", version: parts[1]) {
                return .json(.ok, JSONSerializer.serialize(doc))
            }
            if parts.count == 2, parts[0] == "apis", let doc = discovery.group(name: parts[1]) {
                return .json(.ok, JSONSerializer.serialize(doc))
            }
            if parts.count == 3, parts[0] == "apis", let doc = discovery.resources(group: parts[1], version: parts[2]) {
                return .json(.ok, JSONSerializer.serialize(doc))
            }
        }
        guard let info = RequestInfo(method: request.method, path: path, query: request.query) else {
            throw APIError.notFoundPath()
        }
        return try await handler.handle(request, info)
    }
}
