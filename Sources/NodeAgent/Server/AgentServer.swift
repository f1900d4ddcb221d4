import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// The agent's HTTPS port (the kubelet's 10250): only clients with a certificate the
/// cluster CA signed get in (the API server's kubelet-client certificate). It serves
/// `/healthz`, `/containerLogs/<ns>/<pod>/<container>` with follow, previous, tailLines
/// and limitBytes, which the API server proxies for `kubectl logs`, and the WebSocket
/// upgrades of `/exec/<ns>/<pod>/<uid>/<container>` for `kubectl exec` and of
/// `/portForward/<ns>/<pod>/<uid>` for `kubectl port-forward`, which the API server splices
/// through.
public struct AgentServer: Sendable {
    let host: String
    let port: Int
    let tls: TLSConfiguration
    let logs: ContainerLogs
    let runc: Runc?
    let execDirectory: String
    let stateDirectory: String
    let logger: Logger

    /// A connection after its first request: upgraded to an exec session, or plain HTTP.
    enum Connection: Sendable {
        case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>)
        case exec(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, ExecRequest)
        case portForward(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, PortForwardRequest)
    }

    public init(host: String, port: Int, stateDirectory: String, nodeName: String, addresses: [String], clientCAPEM: String,
                runcBinary: String?, logger: Logger) throws {
        let certificate = try AgentCertificate.loadOrCreate(directory: stateDirectory + "/pki", nodeName: nodeName, addresses: addresses)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.keyPEM.utf8), format: .pem)))
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCAPEM.utf8)))
        self.host = host
        self.port = port
        self.tls = tls
        logs = ContainerLogs(stateDirectory: stateDirectory)
        runc = runcBinary.map { Runc(binary: $0, root: stateDirectory + "/runc") }
        execDirectory = stateDirectory + "/exec"
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    public func run() async throws {
        try FileManager.default.createDirectory(atPath: execDirectory, withIntermediateDirectories: true)
        let context = try NIOSSLContext(configuration: tls)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    return try child.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: upgradeConfiguration())
                }
            }
        logger.info("serving the agent's HTTPS port on \(host):\(port)")
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await serve(connection) }
                }
            }
        }
    }

    /// The first request of a connection may upgrade it to a WebSocket for exec (the API
    /// server dials afresh for each); anything else is served as HTTP, including an exec
    /// request that cannot be upgraded, which gets its error there.
    private func upgradeConfiguration() -> NIOUpgradableHTTPServerPipelineConfiguration<Connection> {
        let websocket = NIOTypedWebSocketServerUpgrader<Connection>(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { channel, head in
                let offered = head.headers["Sec-WebSocket-Protocol"]
                var chosen: String?
                if (try? execTarget(head.uri)) != nil {
                    chosen = RemoteCommandSession.negotiate(offered)
                } else if (try? portForwardTarget(head.uri)) != nil,
                          offered.flatMap({ $0.split(separator: ",") }).contains(where: {
                              $0.trimmingCharacters(in: .whitespaces) == PortForwardSession.webSocketProtocol }) {
                    chosen = PortForwardSession.webSocketProtocol
                }
                return channel.eventLoop.makeSucceededFuture(chosen.map { HTTPHeaders([("Sec-WebSocket-Protocol", $0)]) })
            },
            upgradePipelineHandler: { channel, head in
                // Checked by shouldUpgrade already, and the 101 is out: parsed only, so that a
                // container stopping meanwhile is met by the session, not a half-open connection.
                let upgraded = channel.eventLoop.makeCompletedFuture { () throws -> Connection in
                    if let request = try ExecRequest(uri: head.uri) {
                        return .exec(try NIOAsyncChannel(wrappingChannelSynchronously: channel), request)
                    }
                    guard let request = try PortForwardRequest(uri: head.uri) else {
                        throw ExecRequest.Invalid(description: "not a streaming request")
                    }
                    return .portForward(try NIOAsyncChannel(wrappingChannelSynchronously: channel), request)
                }
                upgraded.whenFailure { _ in channel.close(promise: nil) }
                return upgraded
            })
        var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: .init(
            upgraders: [websocket],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture { .http(try NIOAsyncChannel(wrappingChannelSynchronously: channel)) }
            }))
        // Pipelining assistance would stop reading while a followed log is being sent.
        configuration.enablePipelining = false
        return configuration
    }

    /// The exec request `uri` names when its container runs here; nil for other paths.
    private func execTarget(_ uri: String) throws -> ExecRequest? {
        guard let request = try ExecRequest(uri: uri) else { return nil }
        guard let runc, runc.isRunning(request.containerID) else {
            throw ExecRequest.Invalid(description: "container not found (\"\(request.container)\")")
        }
        return request
    }

    /// The port-forward request `uri` names when its Pod's sandbox is here; nil for other paths.
    private func portForwardTarget(_ uri: String) throws -> PortForwardRequest? {
        guard let request = try PortForwardRequest(uri: uri) else { return nil }
        guard access(netnsPath(request.uid), F_OK) == 0 else {
            throw ExecRequest.Invalid(description: "pod not found (\"\(request.pod)\")")
        }
        return request
    }

    private func netnsPath(_ uid: String) -> String { stateDirectory + "/netns/" + uid }

    private func serve(_ connection: EventLoopFuture<Connection>) async {
        switch try? await connection.get() {
        case .exec(let channel, let request)?:
            guard let runc else { return }
            logger.debug("exec \(request.command) in \(request.namespace)/\(request.pod)/\(request.container)")
            do {
                try await RemoteCommandSession(request: request, runc: runc, logDirectory: execDirectory).run(channel)
            } catch {
                logger.debug("exec session ended: \(error)")
            }
        case .portForward(let channel, let request)?:
            logger.debug("port-forward to \(request.namespace)/\(request.pod)")
            do {
                try await PortForwardSession(request: request, namespacePath: netnsPath(request.uid)).run(channel)
            } catch {
                logger.debug("port-forward session ended: \(error)")
            }
        case .http(let channel)?:
            await serveHTTP(channel)
        case nil:
            break
        }
    }

    private func serveHTTP(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let h): head = h
                case .body: break
                case .end:
                    guard let request = head else { continue }
                    try await respond(request, outbound)
                    if !request.isKeepAlive { return }
                    head = nil
                }
            }
        }
    }

    private func respond(_ request: HTTPRequestHead, _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let (path, query) = Self.split(request.uri)
        if path.hasPrefix("/exec/") || path.hasPrefix("/portForward/") { return try await refuseStreaming(request, out) }
        guard request.method == .GET else { return try await send(out, .methodNotAllowed, "method not allowed\n") }
        if path == "/healthz" { return try await send(out, .ok, "ok") }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[0] == "containerLogs" else { return try await send(out, .notFound, "404 page not found\n") }
        let file: String
        do {
            file = try logs.file(namespace: parts[1], pod: parts[2], container: parts[3], previous: query["previous"] == "true")
        } catch {
            return try await send(out, .badRequest, "\(error)")
        }
        guard let data = FileManager.default.contents(atPath: file) else { return try await send(out, .notFound, "log file is gone") }
        let first = ContainerLogs.initial(data, tailLines: query["tailLines"].flatMap { Int($0) },
                                          limitBytes: query["limitBytes"].flatMap { Int($0) })
        var headers = HTTPHeaders([("Content-Type", "text/plain")])
        let follow = query["follow"] == "true" && query["previous"] != "true"
        if follow { headers.add(name: "Transfer-Encoding", value: "chunked") } else { headers.add(name: "Content-Length", value: String(first.count)) }
        try await out.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
        if !first.isEmpty { try await out.write(.body(.byteBuffer(ByteBuffer(bytes: first)))) }
        if follow {
            try await followFile(file, from: UInt64(data.count), container: "\(parts[2])", id: containerID(file: file, container: parts[3]), out)
        }
        try await out.write(.end(nil))
    }

    /// An exec or port-forward request that was not upgraded: why not.
    private func refuseStreaming(_ request: HTTPRequestHead, _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let exec = request.uri.hasPrefix("/exec/")
        do {
            _ = exec ? try execTarget(request.uri).map { _ in () } : try portForwardTarget(request.uri).map { _ in () }
        } catch {
            let status: HTTPResponseStatus = "\(error)".contains("not found (") ? .notFound : .badRequest
            return try await send(out, status, "\(error)")
        }
        let what = exec ? "exec" : "port-forward"
        let upgrade = request.headers["Upgrade"].joined(separator: ",").lowercased()
        if upgrade.contains("spdy") {
            return try await send(out, .badRequest, "\(what) over plain SPDY is not supported by this node; kubectl 1.31 and later use WebSockets")
        }
        let protocols = exec ? RemoteCommandSession.protocols : [PortForwardSession.webSocketProtocol]
        try await send(out, .badRequest, "\(what) needs a WebSocket upgrade with one of the protocols \(protocols)")
    }

    /// Sends what is appended to the file until the container has stopped and nothing more
    /// came, or the client goes away (the write then fails).
    private func followFile(_ file: String, from start: UInt64, container: String, id: String?,
                            _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { return }
        defer { try? handle.close() }
        try handle.seek(toOffset: start)
        var idle = 0
        while !Task.isCancelled {
            let chunk = handle.readDataToEndOfFile()
            if !chunk.isEmpty {
                idle = 0
                try await out.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                continue
            }
            idle += 1
            if idle % 5 == 0, let id, let runc, runc.status(id) != "running" { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// `logs/<ns>_<pod>_<uid>/<container>/N.log` → the runc id `<uid>_<container>`.
    private func containerID(file: String, container: String) -> String? {
        let podDir = ((file as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        guard let uid = (podDir as NSString).lastPathComponent.split(separator: "_").last else { return nil }
        return "\(uid)_\(container)"
    }

    private func send(_ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, _ status: HTTPResponseStatus, _ text: String) async throws {
        let body = ByteBuffer(string: text)
        try await out.write(.head(HTTPResponseHead(version: .http1_1, status: status,
                                                   headers: ["Content-Type": "text/plain", "Content-Length": String(body.readableBytes)])))
        try await out.write(.body(.byteBuffer(body)))
        try await out.write(.end(nil))
    }

    /// The path and the query as a dictionary (the last value of a repeated key), by the
    /// streaming requests' parser.
    static func split(_ uri: String) -> (String, [String: String]) {
        let (path, pairs) = ExecRequest.split(uri)
        return (path, Dictionary(pairs, uniquingKeysWith: { $1 }))
    }
}
