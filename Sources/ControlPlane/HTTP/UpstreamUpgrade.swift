import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An upgrade the API server passes through to a node agent (exec's WebSocket): it sends
/// the client's request on a fresh TLS connection to the agent and, on the agent's 101,
/// hands back that response's head to relay verbatim and the agent's end of the splice.
/// Dialled on the client connection's event loop, so that the two ends share it.
public struct UpstreamUpgrade: Sendable {
    let host: String
    let port: Int
    let tls: NIOSSLContext
    /// The request head, as written to the agent.
    let request: String

    struct Switched {
        let head: ByteBuffer
        let channel: Channel
        let splice: SpliceHandler
    }

    func dial(on eventLoop: EventLoop) async throws -> NIOLoopBound<Switched> {
        let promise = eventLoop.makePromise(of: UpgradeHandshake.Outcome.self)
        let request = self.request
        let tls = self.tls
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: nil))
                        try channel.pipeline.syncOperations.addHandler(UpgradeHandshake(request: request, outcome: promise))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            promise.fail(error)
            throw APIError.serviceUnavailable("cannot reach the node agent at \(host):\(port): \(error)")
        }
        let timeout = eventLoop.scheduleTask(in: .seconds(30)) {
            promise.fail(APIError.serviceUnavailable("the node agent at \(host):\(port) did not answer the upgrade"))
        }
        defer { timeout.cancel() }
        let outcome: UpgradeHandshake.Outcome
        do {
            outcome = try await promise.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error as? APIError ?? APIError.serviceUnavailable("the node agent at \(host):\(port): \(error)")
        }
        switch outcome {
        case .switched(let switched):
            return switched
        case .refused(let code, let body):
            channel.close(promise: nil)
            let message = body.isEmpty ? "the node agent answered \(code)" : body
            throw code == 404 ? APIError(code: 404, reason: "NotFound", message: message) : APIError.badRequest(message)
        }
    }
}

/// Writes the upgrade request and reads the agent's answer: on 101, takes the splice's
/// place in the pipeline (with any bytes that came after the head); otherwise reads the
/// error body.
final class UpgradeHandshake: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Outcome {
        case switched(NIOLoopBound<UpstreamUpgrade.Switched>)
        case refused(Int, String)
    }

    private let request: String
    private let outcome: EventLoopPromise<Outcome>
    private var received = ByteBuffer()
    private var refusal: (code: Int, length: Int?, bodyStart: Int)?

    init(request: String, outcome: EventLoopPromise<Outcome>) {
        self.request = request
        self.outcome = outcome
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        if let refusal {
            if let length = refusal.length, received.readableBytes - refusal.bodyStart >= length { refuse(context) }
            return
        }
        let bytes = received.readableBytesView
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else {
            if received.readableBytes > 64 * 1024 { outcome.fail(APIError.serviceUnavailable("the node agent's answer is malformed")) }
            return
        }
        let headLength = end.upperBound - bytes.startIndex
        let head = String(decoding: bytes[bytes.startIndex..<end.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let code = Int(statusParts[1]) else {
            outcome.fail(APIError.serviceUnavailable("the node agent's answer is malformed"))
            return
        }
        if code == 101 {
            let headBytes = received.getSlice(at: received.readerIndex, length: headLength)!
            received.moveReaderIndex(forwardBy: headLength)
            let splice = SpliceHandler(held: received.readableBytes > 0 ? [received] : [])
            do {
                try context.pipeline.syncOperations.addHandler(splice, position: .after(self))
            } catch {
                outcome.fail(error)
                return
            }
            outcome.succeed(.switched(NIOLoopBound(UpstreamUpgrade.Switched(head: headBytes, channel: context.channel, splice: splice),
                                                   eventLoop: context.eventLoop)))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        let length = lines.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)) }
        refusal = (code, length, headLength)
        if let length, received.readableBytes - headLength >= length { refuse(context) }
    }

    private func refuse(_ context: ChannelHandlerContext) {
        guard let refusal else { return }
        let body = received.getString(at: received.readerIndex + refusal.bodyStart,
                                      length: min(received.readableBytes - refusal.bodyStart, refusal.length ?? .max)) ?? ""
        outcome.succeed(.refused(refusal.code, body.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if refusal != nil {
            refuse(context)
        }
        outcome.fail(APIError.serviceUnavailable("the node agent closed the connection during the upgrade"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        outcome.fail(APIError.serviceUnavailable("the node agent: \(error)"))
        context.close(promise: nil)
    }
}
