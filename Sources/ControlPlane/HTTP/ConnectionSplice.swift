import NIOCore

/// One end of a byte-for-byte splice between two channels on the same event loop: what one
/// end reads, the other writes. Used once a request has been upgraded (exec's WebSocket) and
/// the API server only relays between the client and the node agent. Reading stops while
/// the other end cannot keep up, so a slow client holds back the agent, not our memory.
final class SpliceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var partner: SpliceHandler?
    /// Read before the other end joined (the bytes after an upstream's 101).
    private var held: [ByteBuffer]
    private var readWanted = false

    init(held: [ByteBuffer] = []) {
        self.held = held
    }

    /// Joins two ends; both must be on `a`'s event loop, which this runs on.
    static func join(_ a: SpliceHandler, _ b: SpliceHandler) {
        a.partner = b
        b.partner = a
        a.deliverHeld()
        b.deliverHeld()
        // An end that closed before the join has no inactivity left to report.
        for (end, other) in [(a, b), (b, a)] where !(end.context?.channel.isActive ?? false) {
            other.context?.flush()
            other.context?.close(promise: nil)
        }
    }

    /// Writes to this end's channel (the relayed 101 head, before the join).
    func sendAndFlush(_ buffer: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func deliverHeld() {
        guard let partner else { return }
        for buffer in held { partner.send(buffer) }
        if !held.isEmpty { partner.context?.flush() }
        held = []
        if readWanted, let context {
            readWanted = false
            context.read()
        }
    }

    private func send(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    private var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let partner { partner.send(buffer) } else { held.append(buffer) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    /// One end gone: the other is closed once what it was sent has been written.
    func channelInactive(context: ChannelHandlerContext) {
        if let other = partner, let otherContext = other.context {
            partner = nil
            other.partner = nil
            otherContext.writeAndFlush(wrapOutboundOut(ByteBuffer()))
                .whenComplete { _ in otherContext.close(promise: nil) }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let partner, partner.readWanted, let partnerContext = partner.context {
            partner.readWanted = false
            partnerContext.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if let partner, partner.isWritable {
            context.read()
        } else {
            readWanted = true
        }
    }
}
