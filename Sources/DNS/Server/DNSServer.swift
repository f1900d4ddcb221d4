import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// DNS over UDP and TCP on one address (RFC 1035 4.2, RFC 7766): one UDP socket per event
/// loop thread sharing the port (SO_REUSEPORT, so the kernel spreads queries over cores), and a
/// TCP listener taking any number of length-prefixed queries per connection, answered as they
/// complete (out of order allowed), closed after an idle period.
public final class DNSServer: Sendable {
    private let udp: [Channel]
    private let tcp: Channel

    /// The bound port (useful with port 0).
    public var port: Int { tcp.localAddress?.port ?? 0 }

    private init(udp: [Channel], tcp: Channel) {
        self.udp = udp
        self.tcp = tcp
    }

    static let udpQueriesPerRead = 16

    public static func start(host: String, port: Int, handler: DNSQueryHandler, group: MultiThreadedEventLoopGroup,
                             idleTimeout: TimeAmount = .seconds(10)) async throws -> DNSServer {
        // TCP first: with port 0 it picks the port the UDP sockets then share.
        let tcp = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(TCPQueryHandler(handler: handler))
                }
            }
            .bind(host: host, port: port).get()
        let boundPort = tcp.localAddress?.port ?? port
        var udp: [Channel] = []
        do {
            for loop in group.makeIterator() {
                let channel = try await DatagramBootstrap(group: loop)
                    .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                    .channelOption(ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
                    // recvmmsg: up to 16 queries per system call, 4 KiB each (the buffer is cut
                    // into equal slices), and the answers go out together at the end of the read
                    // (sendmmsg): under load a query costs a fraction of two system calls.
                    .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: udpQueriesPerRead)
                    .channelOption(ChannelOptions.recvAllocator,
                                   value: FixedSizeRecvByteBufferAllocator(capacity: 4096 * udpQueriesPerRead))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(UDPQueryHandler(handler: handler))
                        }
                    }
                    .bind(host: host, port: boundPort).get()
                udp.append(channel)
            }
        } catch {
            for channel in udp { try? await channel.close() }
            try? await tcp.close()
            throw error
        }
        return DNSServer(udp: udp, tcp: tcp)
    }

    public func close() async {
        for channel in udp { try? await channel.close() }
        try? await tcp.close()
    }
}

private final class UDPQueryHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let handler: DNSQueryHandler

    init(handler: DNSQueryHandler) { self.handler = handler }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        let client = envelope.remoteAddress
        switch handler.handle(bytes, transport: .udp, client: client) {
        case .respond(let answer):
            let buffer = context.channel.allocator.buffer(bytes: answer)
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: buffer)), promise: nil)
        case .deferred(let work):
            let channel = context.channel
            let handler = self.handler
            Task {
                let answer = await handler.resolve(work)
                let buffer = channel.allocator.buffer(bytes: answer)
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: buffer), promise: nil)
            }
        case .drop:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable from a client that left, and the like: nothing to do, and the
        // socket must keep serving everybody else.
    }
}

/// Splits a TCP stream into DNS messages: a two-byte length, then the message.
private struct DNSFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        let frame = buffer.readSlice(length: Int(length))!
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}

private final class TCPQueryHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let handler: DNSQueryHandler

    init(handler: DNSQueryHandler) { self.handler = handler }

    static func framed(_ answer: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        // DNSWriter keeps every message within 65535 bytes, what the length prefix can say.
        var buffer = allocator.buffer(capacity: answer.count + 2)
        buffer.writeInteger(UInt16(answer.count))
        buffer.writeBytes(answer)
        return buffer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        switch handler.handle(bytes, transport: .tcp, client: context.channel.remoteAddress) {
        case .respond(let answer):
            context.writeAndFlush(wrapOutboundOut(Self.framed(answer, allocator: context.channel.allocator)), promise: nil)
        case .deferred(let work):
            let channel = context.channel
            let handler = self.handler
            Task {
                let answer = await handler.resolve(work)
                channel.writeAndFlush(Self.framed(answer, allocator: channel.allocator), promise: nil)
            }
        case .drop:
            // A response sent to us, or bytes with no ID: the stream cannot be trusted.
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
