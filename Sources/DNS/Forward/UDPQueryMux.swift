import NIOCore
import NIOPosix
import Synchronization

/// Queries to upstreams over a few long-lived UDP sockets per address family, so a query costs
/// a write and a table entry rather than a socket, a bind and a close.
///
/// Each outstanding query is filed under (socket, ID) with a fresh random ID (redrawn while
/// taken). An answer completes it only when it comes from the very address the query went
/// to, carries that ID, and repeats the question (name without case, type, class); anything
/// else is dropped and the query keeps waiting, so a spoofed or stray datagram cannot answer
/// it (it must guess the ID and the socket, and come from the upstream's address).
///
/// The sockets' source ports are chosen by the kernel once; that is less entropy than a port
/// per query (RFC 5452 §4.5) but upstreams are normally the node's own resolvers, close by.
final class UDPQueryMux: Sendable {
    enum Family: Int, Sendable { case v4 = 0, v6 = 1 }

    private let group: any EventLoopGroup
    private let socketsPerFamily: Int
    private let state = Mutex(State())

    struct Pending {
        var promise: EventLoopPromise<DNSMessage>
        var upstream: SocketAddress
        var question: DNSQuestion
        var serial: UInt64
    }

    struct State {
        var sockets: [Family: EventLoopFuture<[any Channel]>] = [:]
        /// Keyed by socket number << 16 | ID.
        var pending: [Int: Pending] = [:]
        var serial: UInt64 = 0
        var closed = false
    }

    init(group: any EventLoopGroup, socketsPerFamily: Int) {
        self.group = group
        self.socketsPerFamily = max(1, socketsPerFamily)
    }

    /// Sends `message` (its ID is replaced) to `upstream` and waits for the matching answer
    /// for at most `timeout`. Throws DNSForwardError.timeout, a socket error, or
    /// CancellationError.
    func query(_ message: DNSMessage, to upstream: SocketAddress, timeout: TimeAmount) async throws -> DNSMessage {
        guard let question = message.questions.first else { throw DNSForwardError.malformedQuery }
        let family: Family = if case .v6 = upstream { .v6 } else { .v4 }
        let channels = try await sockets(family)
        let socket = Int.random(in: 0..<channels.count)
        let channel = channels[socket]
        let number = family.rawValue * socketsPerFamily + socket
        let promise = channel.eventLoop.makePromise(of: DNSMessage.self)
        let (key, id, serial): (Int, UInt16, UInt64)
        do {
            (key, id, serial) = try state.withLock { state throws(DNSForwardError) in
                guard !state.closed else { throw .shutDown }
                var id: UInt16
                repeat { id = UInt16.random(in: .min ... .max) } while state.pending[number << 16 | Int(id)] != nil
                state.serial += 1
                state.pending[number << 16 | Int(id)] = Pending(promise: promise, upstream: upstream, question: question,
                                                                serial: state.serial)
                return (number << 16 | Int(id), id, state.serial)
            }
        } catch {
            promise.fail(error)
            throw error
        }
        defer {
            state.withLock { state in
                if state.pending[key]?.serial == serial { state.pending[key] = nil }
            }
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) { promise.fail(DNSForwardError.timeout) }
        defer { timer.cancel() }
        var outgoing = message
        outgoing.id = id
        let buffer = channel.allocator.buffer(bytes: DNSWriter.serialize(outgoing))
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: upstream, data: buffer)).whenFailure { promise.fail($0) }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }

    /// A datagram arrived on socket `number` (on its event loop).
    private func received(_ bytes: [UInt8], from sender: SocketAddress, socket number: Int) {
        guard bytes.count >= 12 else { return }
        // Cheap pre-check on the ID before parsing, so junk aimed at the port costs little.
        let key = number << 16 | Int(bytes[0]) << 8 | Int(bytes[1])
        guard state.withLock({ $0.pending[key] != nil }),
              let message = try? DNSParser.parse(bytes), message.isResponse,
              message.questions.count == 1, let question = message.questions.first else { return }
        let promise: EventLoopPromise<DNSMessage>? = state.withLock { state in
            guard let pending = state.pending[key], pending.upstream == sender, pending.question.name == question.name,
                  pending.question.type == question.type,
                  pending.question.questionClass == question.questionClass else { return nil }
            state.pending[key] = nil
            return pending.promise
        }
        promise?.succeed(message)
    }

    /// The sockets of `family`, bound on first use.
    private func sockets(_ family: Family) async throws -> [any Channel] {
        let future = try state.withLock { state throws(DNSForwardError) -> EventLoopFuture<[any Channel]> in
            guard !state.closed else { throw .shutDown }
            if let future = state.sockets[family] { return future }
            let future = bind(family)
            state.sockets[family] = future
            return future
        }
        do {
            return try await future.get()
        } catch {
            // Let the next query try again (e.g. IPv6 was disabled and later enabled).
            state.withLock { state in
                if state.sockets[family] === future { state.sockets[family] = nil }
            }
            throw error
        }
    }

    private func bind(_ family: Family) -> EventLoopFuture<[any Channel]> {
        let host = family == .v4 ? "0.0.0.0" : "::"
        // Weak: the sockets' handlers must not keep the mux alive (the mux holds the sockets).
        let deliver: @Sendable ([UInt8], SocketAddress, Int) -> Void = { [weak self] bytes, sender, number in
            self?.received(bytes, from: sender, socket: number)
        }
        let binds = (0..<socketsPerFamily).map { socket in
            let number = family.rawValue * socketsPerFamily + socket
            return DatagramBootstrap(group: group)
                // Answers are asked to fit 1232 bytes; room to spare for upstreams that overshoot.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096))
                // Room for a burst of answers (the kernel caps it at net.core.rmem_max): a full
                // buffer drops datagrams, and a dropped answer costs the client a timeout.
                .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
                // Several answers per wake-up when busy (the default is 4).
                .channelOption(.maxMessagesPerRead, value: 16)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramReader { bytes, sender in
                            deliver(bytes, sender, number)
                        })
                    }
                }
                .bind(host: host, port: 0)
        }
        let all = EventLoopFuture.whenAllSucceed(binds, on: group.next())
        // A partial failure must not leave the sockets that did bind open.
        all.whenFailure { _ in
            for bind in binds { bind.whenSuccess { $0.close(promise: nil) } }
        }
        return all
    }

    /// Closes the sockets; outstanding queries fail with DNSForwardError.shutDown.
    func shutdown() async {
        let (sockets, pending) = state.withLock { state in
            state.closed = true
            defer {
                state.sockets = [:]
                state.pending = [:]
            }
            return (Array(state.sockets.values), Array(state.pending.values))
        }
        for p in pending { p.promise.fail(DNSForwardError.shutDown) }
        for future in sockets {
            guard let channels = try? await future.get() else { continue }
            for channel in channels { try? await channel.close() }
        }
    }
}

/// Hands each datagram's bytes and sender to a closure.
private final class DatagramReader: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let onDatagram: @Sendable ([UInt8], SocketAddress) -> Void

    init(_ onDatagram: @escaping @Sendable ([UInt8], SocketAddress) -> Void) {
        self.onDatagram = onDatagram
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        onDatagram(Array(envelope.data.readableBytesView), envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like surface here; the query times out and moves on.
    }
}
