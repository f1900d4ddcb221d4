import DNS
import NIOCore
import NIOPosix
import Synchronization

/// An in-process DNS server on loopback (UDP and TCP on one ephemeral port) whose answers a
/// test scripts: for each query it asks `respond` what to send back.
final class FakeUpstream: Sendable {
    enum Reply: Sendable {
        /// The message, sent to the querier (the ID is the test's choice).
        case message(DNSMessage)
        /// The message sent from another socket (another port): a spoofing attempt.
        case fromElsewhere(DNSMessage)
    }

    /// What the fake received: each query and whether it came over TCP.
    let received = Mutex<[(query: DNSMessage, tcp: Bool, from: SocketAddress?)]>([])
    let address: SocketAddress
    private let udp: any Channel
    private let tcp: any Channel
    private let elsewhere: any Channel

    var upstream: DNSUpstream { DNSUpstream(address: address) }
    var udpCount: Int { received.withLock { $0.filter { !$0.tcp }.count } }
    var tcpCount: Int { received.withLock { $0.filter { $0.tcp }.count } }
    var queries: [DNSMessage] { received.withLock { $0.map(\.query) } }
    /// The source ports UDP queries came from.
    var udpSourcePorts: Set<Int> { received.withLock { Set($0.compactMap { $0.from?.port }) } }

    /// `respond` gets the query and whether it came over TCP.
    static func start(host: String = "127.0.0.1",
                      respond: @escaping @Sendable (DNSMessage, Bool) async -> [Reply]) async throws -> FakeUpstream {
        let group = MultiThreadedEventLoopGroup.singleton
        let box = Box()
        // UDP takes an ephemeral port; TCP needs the same one, which may be taken: try again.
        var attempt = 0
        while true {
            attempt += 1
            let udp = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(UDPResponder(box: box))
                    }
                }
                .bind(host: host, port: 0).get()
            let port = udp.localAddress!.port!
            let tcp: any Channel
            do {
                tcp = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(TCPResponder(box: box))
                        }
                    }
                    .bind(host: host, port: port).get()
            } catch {
                try? await udp.close()
                if attempt < 20 { continue }
                throw error
            }
            let elsewhere = try await DatagramBootstrap(group: group).bind(host: host, port: 0).get()
            let fake = FakeUpstream(address: udp.localAddress!, udp: udp, tcp: tcp, elsewhere: elsewhere)
            box.state.withLock { $0 = (fake, respond) }
            return fake
        }
    }

    private init(address: SocketAddress, udp: any Channel, tcp: any Channel, elsewhere: any Channel) {
        self.address = address
        self.udp = udp
        self.tcp = tcp
        self.elsewhere = elsewhere
    }

    func stop() async {
        try? await udp.close()
        try? await tcp.close()
        try? await elsewhere.close()
    }

    /// Late binding between the channels' handlers and the fake they report to.
    final class Box: Sendable {
        let state = Mutex<(FakeUpstream, @Sendable (DNSMessage, Bool) async -> [Reply])?>(nil)

        func handle(_ bytes: [UInt8], tcp: Bool, from sender: SocketAddress? = nil) async -> (FakeUpstream, [Reply])? {
            guard let query = try? DNSParser.parse(bytes), let (fake, respond) = state.withLock({ $0 }) else { return nil }
            fake.received.withLock { $0.append((query, tcp, sender)) }
            return (fake, await respond(query, tcp))
        }
    }

    private final class UDPResponder: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let box: Box
        init(box: Box) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let bytes = Array(envelope.data.readableBytesView)
            let channel = context.channel
            let box = self.box
            Task {
                guard let (fake, replies) = await box.handle(bytes, tcp: false, from: envelope.remoteAddress) else { return }
                for reply in replies {
                    switch reply {
                    case .message(let m):
                        let buffer = channel.allocator.buffer(bytes: DNSWriter.serialize(m))
                        try? await channel.writeAndFlush(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer))
                    case .fromElsewhere(let m):
                        let buffer = channel.allocator.buffer(bytes: DNSWriter.serialize(m))
                        try? await fake.elsewhere.writeAndFlush(AddressedEnvelope(remoteAddress: envelope.remoteAddress,
                                                                                  data: buffer))
                    }
                }
            }
        }
    }

    private final class TCPResponder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let box: Box
        var buffer = ByteBuffer()
        init(box: Box) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            buffer.writeBuffer(&chunk)
            while let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
                  buffer.readableBytes >= 2 + Int(length) {
                buffer.moveReaderIndex(forwardBy: 2)
                let bytes = buffer.readBytes(length: Int(length))!
                let channel = context.channel
                let box = self.box
                Task {
                    guard let (_, replies) = await box.handle(bytes, tcp: true) else { return }
                    for case .message(let m) in replies {
                        let wire = DNSWriter.serialize(m)
                        var out = channel.allocator.buffer(capacity: wire.count + 2)
                        out.writeInteger(UInt16(wire.count))
                        out.writeBytes(wire)
                        try? await channel.writeAndFlush(out)
                    }
                }
            }
        }
    }
}
