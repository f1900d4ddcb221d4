import NIOCore
import NIOHTTP1
import NIOPosix

/// A plain-HTTP listener for daemons' metrics and health endpoints (proxy, DNS): GET only, small
/// bodies computed on the event loop from state a lock guards, no keep-alive bookkeeping
/// beyond what NIO's pipeline does. Unauthenticated, as upstream's are; bind it accordingly.
public final class StatusHTTPServer: Sendable {
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var contentType: String
        public var body: [UInt8]
        public var headers: [(String, String)]

        public init(status: HTTPResponseStatus = .ok, contentType: String = "text/plain; charset=utf-8", body: [UInt8],
                    headers: [(String, String)] = []) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.headers = headers
        }

        public init(status: HTTPResponseStatus = .ok, contentType: String = "text/plain; charset=utf-8", text: String,
                    headers: [(String, String)] = []) {
            self.init(status: status, contentType: contentType, body: Array(text.utf8), headers: headers)
        }

        static let notFound = Response(status: .notFound, text: "404 page not found\n")
        static let methodNotAllowed = Response(status: .methodNotAllowed, text: "method not allowed\n")
    }

    /// Answers one request path (without the query); nil means 404.
    public typealias Handler = @Sendable (_ path: String) -> Response?

    private let channel: Channel

    /// The bound port (useful with port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: Channel) { self.channel = channel }

    /// The wildcard address as flags spell it.
    public static let anyAddress = "0.0.0.0"

    /// Binds `host:port` on `group` and serves `handler`. The wildcard `0.0.0.0` listens on
    /// IPv6 too where the namespace has it (as Go's listener, upstream's, does), so IPv6
    /// probes and load balancers reach the health endpoints.
    public static func start(host: String, port: Int, group: EventLoopGroup, handler: @escaping Handler) async throws -> StatusHTTPServer {
        if host == anyAddress, let dualStack = try? await bind(host: "::", port: port, group: group, handler: handler) {
            return dualStack
        }
        return try await bind(host: host, port: port, group: group, handler: handler)
    }

    private static func bind(host: String, port: Int, group: EventLoopGroup, handler: @escaping Handler) async throws -> StatusHTTPServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(RequestHandler(handler: handler))
                }
            }
            .bind(host: host, port: port).get()
        return StatusHTTPServer(channel: channel)
    }

    public func close() async {
        try? await channel.close()
    }

    private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let handler: Handler
        private var head: HTTPRequestHead?

        init(handler: @escaping Handler) { self.handler = handler }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h
            case .body: break
            case .end:
                guard let head else { return }
                self.head = nil
                let path = String(head.uri.prefix { $0 != "?" })
                let response: Response
                if head.method != .GET && head.method != .HEAD {
                    response = .methodNotAllowed
                } else {
                    response = handler(path) ?? .notFound
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: response.contentType)
                headers.add(name: "X-Content-Type-Options", value: "nosniff")
                headers.add(name: "Content-Length", value: String(response.body.count))
                for (name, value) in response.headers { headers.add(name: name, value: value) }
                // One request per connection: probes and scrapers reconnect anyway, and no idle
                // connection can outlive `close()` and keep answering for a stopped daemon.
                headers.add(name: "Connection", value: "close")
                let keepAlive = false
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status,
                                                                     headers: headers))), promise: nil)
                if head.method != .HEAD {
                    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                                  promise: nil)
                }
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                    if !keepAlive { channel.close(promise: nil) }
                }
            }
        }
    }
}
