import ArgumentParser
import ControlPlane
import Foundation
import KubeAPI
import Logging

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the API server, on an embedded SQLite store or on etcd.")

    @Option(name: .customLong("data-dir"), help: "Directory for the store, certificates, tokens and admin.kubeconfig.")
    var dataDir: String = "/var/lib/skiff/server"

    @Option(help: "sqlite (embedded, one server) or etcd://HOST:PORT[,HOST:PORT…] (several servers may share it).")
    var datastore: String = "sqlite"

    @Option(name: .customLong("etcd-cafile"), help: "CA that signed etcd's serving certificates (turns on TLS to etcd).")
    var etcdCAFile: String?

    @Option(name: .customLong("etcd-certfile"), help: "Client certificate to present to etcd.")
    var etcdCertFile: String?

    @Option(name: .customLong("etcd-keyfile"), help: "Key of --etcd-certfile.")
    var etcdKeyFile: String?

    @Option(name: .customLong("etcd-prefix"), help: "Prefix of every key in etcd (as kube-apiserver's).")
    var etcdPrefix: String = "/registry"

    @Option(name: .customLong("watch-cache"),
            help: "With etcd: serve lists and watches from memory, kept by one etcd watch (as kube-apiserver's --watch-cache).")
    var watchCache: Bool = true

    @Option(name: .customLong("import"), help: "Copy an embedded server's data directory (its state, CA and tokens) into an empty etcd, then serve.")
    var importFrom: String?

    @Option(help: "Address and port to serve HTTPS on.")
    var listen: String = "0.0.0.0:6443"

    @Option(name: .customLong("advertise-address"), help: "Address agents and the kubeconfig use to reach this server.")
    var advertiseAddress: String?

    @Option(name: .customLong("tls-san"), help: "Extra name or IP for the serving certificate (repeatable).")
    var tlsSANs: [String] = []

    @Option(name: .customLong("service-cidr"), help: "Range Service ClusterIPs are allocated from; an IPv4 and an IPv6 one separated by a comma for dual-stack Services (the first is the primary family).")
    var serviceCIDR: String = "10.96.0.0/12"

    @Option(name: .customLong("service-node-port-range"), help: "Range NodePorts are allocated from.")
    var nodePortRange: String = "30000-32767"

    @Option(name: .customLong("compaction-interval"),
            help: "Seconds between compactions of the watch history (as kube-apiserver's --etcd-compaction-interval).")
    var compactionInterval: Int = 300

    @Option(name: .customLong("event-ttl"), help: "Seconds Events are kept (as kube-apiserver's --event-ttl).")
    var eventTTL: Int = 3600

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warning, error.")
    var logLevel: String = "info"

    @OptionGroup(title: "Controllers") var controllerOptions: ControllerOptions

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "skiff.server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        var config = APIServerConfig(dataDirectory: dataDir)
        do {
            config.datastore = try Datastore(datastore, tls: EtcdTLSFiles(caFile: etcdCAFile, certFile: etcdCertFile, keyFile: etcdKeyFile),
                                             prefix: etcdPrefix, watchCache: watchCache)
        } catch {
            throw ValidationError("\(error)")
        }
        if config.datastore == .embedded, importFrom != nil { throw ValidationError("--import copies into etcd: give --datastore etcd://…") }
        config.importFrom = importFrom
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ValidationError("--listen must be HOST:PORT")
        }
        config.listenHost = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        config.listenPort = port
        config.advertiseAddress = advertiseAddress
        config.extraSANs = tlsSANs
        config.serviceCIDR = serviceCIDR
        let bounds = nodePortRange.split(separator: "-").compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { throw ValidationError("--service-node-port-range must be LOW-HIGH") }
        config.nodePortRange = bounds[0]...bounds[1]
        guard compactionInterval > 0 else { throw ValidationError("--compaction-interval must be positive") }
        config.compactionInterval = .seconds(compactionInterval)
        guard eventTTL > 0 else { throw ValidationError("--event-ttl must be positive") }
        config.eventTTL = .seconds(eventTTL)

        // Checked before anything starts, so a bad flag is a usage error.
        do { try ControllerManager.validate(controllerOptions.managerConfig()) } catch {
            throw ValidationError("\(error)")
        }
        let election = try controllerOptions.leaderElection(identity: try Self.candidateIdentity(dataDir: config.dataDirectory))

        let server = try await APIServer(config: config, logger: logger)
        let (host, dir, log) = (config.listenHost, config.dataDirectory, logger)
        let (bound, boundTo) = AsyncStream.makeStream(of: Int.self)
        let managerConfig = try controllerOptions.managerConfig()
        let serving = Task {
            try await server.run { port in
                log.info("serving on https://\(host):\(port); kubeconfig: \(dir)/admin.kubeconfig")
                boundTo.yield(port)
                boundTo.finish()
            }
        }
        // The controllers talk to the server over loopback, as any client would.
        let controlling = Task {
            var ports = bound.makeAsyncIterator()
            guard let port = await ports.next() else { return }
            let client = try KubeClient(config: server.loopbackClientConfig(port: port), logger: log)
            let result = await Result(catching: { try await ControllerManager.run(client: client, config: managerConfig, election: election, logger: log) })
            try? await client.shutdown()
            try result.get()
        }
        // SIGTERM stops the controllers first, so the leader gives its Lease up through the
        // server while it still serves (another server takes over at once), then the server,
        // which takes itself out of the `kubernetes` endpoints.
        let signals = TerminationSignals.onTermination {
            Task {
                controlling.cancel()
                // Giving the Lease up needs the datastore; without it the Lease simply expires.
                await waitBounded(controlling, limit: .seconds(5))
                serving.cancel()
            }
        }
        defer { for s in signals { s.cancel() } }
        let served = await serving.result
        controlling.cancel()
        await waitBounded(controlling, limit: .seconds(5))
        await server.shutdown()
        log.info("stopped")
        do { try served.get() } catch is CancellationError {}
    }

    /// The server's leader-election identity, kept in its data directory so that after a
    /// restart it renews its own Lease at once instead of waiting for it to expire.
    static func candidateIdentity(dataDir: String) throws -> String {
        let path = dataDir + "/leader-identity"
        if let saved = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !saved.isEmpty {
            return saved
        }
        let identity = ControllerOptions.candidateIdentity()
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try Data((identity + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return identity
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
