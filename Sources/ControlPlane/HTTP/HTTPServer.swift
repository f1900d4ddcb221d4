import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// HTTPS/1.1 server over SwiftNIO's async channels: one task per connection, requests
/// handled in order (kubectl does not pipeline), bodies bounded before they are buffered.
public struct HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    /// Looks at a request's head before its body is read; a response it returns is sent at
    /// once and the connection closed (an unauthenticated client cannot make us buffer 3 MiB).
    public typealias HeadCheck = @Sendable (HTTPRequestHead) -> HTTPResponse?

    public var host: String
    public var port: Int
    public var tls: NIOSSLContext
    public var maxBodyBytes: Int
    public var logger: Logger

    public init(host: String, port: Int, tls: NIOSSLContext, maxBodyBytes: Int = 3 * 1024 * 1024, logger: Logger) {
        self.host = host
        self.port = port
        self.tls = tls
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    /// Binds, calls `onBound` with the actual port, and serves until cancelled.
    public func run(handler: @escaping Handler, headCheck: @escaping HeadCheck = { _ in nil },
                    onBound: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let tls = self.tls
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    // No pipelining assistance: it stops reading while a response is in flight,
                    // and a watch must see the client's close (TLS close_notify) at once.
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false,
                                                                                  withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        onBound(server.channel.localAddress?.port ?? port)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await serve(connection, handler: handler, headCheck: headCheck) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: Handler,
                       headCheck: HeadCheck) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                var tooLarge = false
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        if let refusal = headCheck(h) {
                            _ = try await write(refusal, for: h, to: outbound, channel: connection.channel)
                            return
                        }
                        head = h
                        body = []
                        tooLarge = false
                        if let length = h.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
                            tooLarge = true
                        }
                    case .body(var buffer):
                        if tooLarge { continue }
                        if body.count + buffer.readableBytes > maxBodyBytes {
                            tooLarge = true
                            body = []
                        } else {
                            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
                        }
                    case .end:
                        guard let requestHead = head else { continue }
                        let response: HTTPResponse
                        if tooLarge {
                            response = APIError.requestEntityTooLarge(limit: maxBodyBytes).response
                        } else {
                            let request = HTTPRequest(method: requestHead.method, uri: requestHead.uri,
                                                      headers: requestHead.headers, body: body)
                            response = await handler(request)
                        }
                        let keepAlive = try await write(response, for: requestHead, to: outbound, channel: connection.channel)
                        head = nil
                        body = []
                        if !keepAlive || tooLarge { return }
                    }
                }
            }
        } catch {
            logger.debug("connection ended: \(error)")
        }
    }

    /// Writes the response; returns whether the connection may be reused.
    private func write(_ response: HTTPResponse, for request: HTTPRequestHead,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: Channel) async throws -> Bool {
        var headers = response.headers
        let keepAlive = request.isKeepAlive
        switch response.body {
        case .bytes(let bytes):
            return try await writeWhole(ByteBuffer(bytes: bytes), status: response.status, headers: headers, for: request, to: outbound)
        case .buffer(let buffer):
            return try await writeWhole(buffer, status: response.status, headers: headers, for: request, to: outbound)
        case .spliced(let body):
            headers.replaceOrAdd(name: "Content-Length", value: String(body.contentLength))
            try await outbound.write(.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers)))
            try await body.forEachPiece { try await outbound.write(.body(.byteBuffer($0))) }
            try await outbound.write(.end(nil))
            return keepAlive
        case .upgrade(let upstream):
            try await splice(to: upstream, for: request, outbound: outbound, channel: channel)
            return false
        case .stream(let queue):
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers)))
            defer { queue.cancel() }
            // Stop streaming as soon as the client goes away, even when no event is due.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await chunk in queue {
                        try await outbound.write(.body(.byteBuffer(chunk)))
                    }
                    try await outbound.write(.end(nil))
                }
                group.addTask {
                    try? await channel.closeFuture.get()
                    throw CancellationError()
                }
                defer { group.cancelAll() }
                try await group.next()
            }
            return keepAlive
        }
    }

    /// Relays the agent's 101 and then bytes both ways: the client's end of the splice goes
    /// right after TLS, so neither the HTTP codec nor the async channel sees them any more.
    private func splice(to upstream: UpstreamUpgrade, for request: HTTPRequestHead,
                        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: Channel) async throws {
        let switched: NIOLoopBound<UpstreamUpgrade.Switched>
        do {
            switched = try await upstream.dial(on: channel.eventLoop)
        } catch {
            let refusal = (error as? APIError ?? APIError.serviceUnavailable("\(error)")).response
            _ = try await write(refusal, for: request, to: outbound, channel: channel)
            return
        }
        let upstreamChannel: Channel
        do {
            upstreamChannel = try await channel.eventLoop.submit {
                let agent = switched.value
                do {
                    let tls = try channel.pipeline.syncOperations.context(handlerType: NIOSSLServerHandler.self)
                    let client = SpliceHandler()
                    try channel.pipeline.syncOperations.addHandler(client, position: .after(tls.handler))
                    client.sendAndFlush(agent.head)
                    SpliceHandler.join(client, agent.splice)
                } catch {
                    // The client left while the agent answered: the agent's end goes too.
                    agent.channel.close(promise: nil)
                    throw error
                }
                return agent.channel
            }.get()
        } catch {
            return
        }
        try? await channel.closeFuture.get()
        try? await upstreamChannel.closeFuture.get()
    }

    private func writeWhole(_ body: ByteBuffer, status: HTTPResponseStatus, headers: HTTPHeaders, for request: HTTPRequestHead,
                            to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        try await outbound.write(contentsOf: [
            .head(HTTPResponseHead(version: request.version, status: status, headers: headers)),
            .body(.byteBuffer(body)),
            .end(nil),
        ])
        return request.isKeepAlive
    }
}
