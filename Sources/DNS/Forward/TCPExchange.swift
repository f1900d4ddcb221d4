import NIOCore
import NIOPosix

/// One query over a fresh TCP connection (RFC 1035 §4.2.2: a 2-byte length before each
/// message), for answers that came back truncated over UDP. Truncation is rare, so the
/// connection is not kept: a pool would hold sockets open for nothing most of the time.
enum TCPExchange {
    /// Sends `message` with ID `id` to `upstream` and returns the answer, which must carry
    /// that ID and the question. The whole exchange (connect included) is bounded by `timeout`.
    static func query(_ message: DNSMessage, to upstream: SocketAddress, group: any EventLoopGroup,
                      timeout: TimeAmount) async throws -> DNSMessage {
        guard let question = message.questions.first else { throw DNSForwardError.malformedQuery }
        let id = UInt16.random(in: .min ... .max)
        var outgoing = message
        outgoing.id = id
        let bytes = DNSWriter.serialize(outgoing)
        let loop = group.next()
        let promise = loop.makePromise(of: [UInt8].self)
        let timer = loop.scheduleTask(in: timeout) { promise.fail(DNSForwardError.timeout) }
        defer { timer.cancel() }
        let connected = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LengthPrefixedReader(promise: promise))
                }
            }
            .connect(to: upstream)
        connected.whenFailure { promise.fail($0) }
        connected.whenSuccess { channel in
            // However the exchange ends (answer, timeout, cancellation), the connection goes.
            promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
            var buffer = channel.allocator.buffer(capacity: bytes.count + 2)
            buffer.writeInteger(UInt16(bytes.count))
            buffer.writeBytes(bytes)
            channel.writeAndFlush(buffer).whenFailure { promise.fail($0) }
        }
        let reply = try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
        let response: DNSMessage
        do {
            response = try DNSParser.parse(reply)
        } catch {
            throw DNSForwardError.badResponse
        }
        guard response.isResponse, response.id == id, response.questions.count == 1,
              let answered = response.questions.first, answered.name == question.name, answered.type == question.type,
              answered.questionClass == question.questionClass else { throw DNSForwardError.badResponse }
        return response
    }
}

/// Collects one length-prefixed message and completes the promise with it.
private final class LengthPrefixedReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let promise: EventLoopPromise<[UInt8]>
    var buffer = ByteBuffer()

    init(promise: EventLoopPromise<[UInt8]>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        buffer.writeBuffer(&chunk)
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length),
              let message = buffer.getBytes(at: buffer.readerIndex + 2, length: Int(length)) else { return }
        promise.succeed(message)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSForwardError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
