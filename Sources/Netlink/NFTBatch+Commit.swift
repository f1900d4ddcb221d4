internal import CNetfilter
import Glibc

/// What a successful commit sent.
public struct NFTCommitReport: Sendable {
    /// Messages between BATCH_BEGIN and BATCH_END.
    public var messages: Int
    public var bytes: Int
    /// Pages (iovecs) of the single sendmsg.
    public var pages: Int
    /// Success acknowledgements received (`.everyMessage`: one per message).
    public var acknowledgements: Int
    /// `.errorsOnly`: the kernel acknowledged BATCH_END, i.e. it reached the end of the batch
    /// and committed it (kernels since 6.x do; older ones stay silent on success).
    public var endAcknowledged: Bool
}

extension NFTBatch {
    /// Bytes of receive buffer one queued ack takes (the kernel charges the skb's truesize,
    /// not the 36 bytes of the message).
    static let ackTruesize = 1024

    /// Sends the batch as one transaction and waits for the kernel's verdict on every
    /// message. Throws the first failure (by message order) as a `NetlinkError` naming the
    /// operation and the object, with the other failures attached; the kernel has then
    /// applied nothing of the batch. Sealing the batch (BATCH_END) is part of committing.
    @discardableResult
    public func commit(on socket: NetlinkSocket) throws -> NFTCommitReport {
        if isEmpty { return NFTCommitReport(messages: 0, bytes: 0, pages: 0, acknowledgements: 0, endAcknowledged: false) }
        seal()
        guard buffer.pages.count <= BatchBuffer.maxPages else {
            throw NetlinkError(errno: EMSGSIZE, operation: "commit batch", object: "\(buffer.totalBytes) bytes",
                               kernelMessage: "more than \(BatchBuffer.maxPages) pages: split the work into several batches")
        }
        let first = socket.reserveSequenceNumbers(records.count)
        stampSequenceNumbers(from: first)

        // One datagram: the send buffer must exceed it (netlink_sendmsg checks len against
        // sk_sndbuf); replies must all fit in the receive buffer, or the kernel drops them.
        try socket.ensureSendBuffer(buffer.totalBytes + 64 * 1024)
        let expected = acknowledgements == .everyMessage ? records.count - 2 : 0
        try socket.ensureReceiveBuffer(max(expected, 1024) * Self.ackTruesize + 256 * 1024)

        try socket.send(buffer.iovecs())
        let replies = try collectReplies(on: socket, firstSequence: first, expected: expected)
        if let failure = replies.failure { throw failure }
        return NFTCommitReport(messages: messageCount, bytes: buffer.totalBytes, pages: buffer.pages.count,
                               acknowledgements: replies.acknowledged, endAcknowledged: replies.endAcknowledged)
    }

    private func stampSequenceNumbers(from first: UInt32) {
        for (index, record) in records.enumerated() {
            buffer.pointer(page: record.page, offset: record.offset)
                .storeBytes(of: first &+ UInt32(truncatingIfNeeded: index), toByteOffset: 8, as: UInt32.self)
        }
    }

    private struct Replies {
        var acknowledged = 0
        var endAcknowledged = false
        var failure: NetlinkError?
    }

    /// Reads replies until every expected ack is in (or, for errorsOnly, until none is left:
    /// the kernel processed the batch synchronously inside sendmsg, so all replies are
    /// already queued). A short grace period covers anything still on its way.
    private func collectReplies(on socket: NetlinkSocket, firstSequence: UInt32, expected: Int) throws -> Replies {
        var acknowledged = 0
        var failures: [(index: Int, ack: NetlinkAck)] = []
        var overrun = false
        var batchRejected = false
        var sawEnd = false
        var graceLeft: Int32 = 2000
        while true {
            let complete = acknowledgements == .everyMessage
                ? acknowledged + failures.count >= expected || batchRejected
                : true
            let wait: Int32 = complete || overrun ? 0 : min(graceLeft, 100)
            switch try socket.receive(waitMilliseconds: wait) {
            case .acks(let acks):
                for ack in acks {
                    let index = Int(ack.sequence &- firstSequence)
                    guard index >= 0, index < records.count else { continue }   // not ours
                    if index == records.count - 1 { sawEnd = true; continue }
                    if ack.errno == 0 {
                        acknowledged += 1
                    } else {
                        failures.append((index, ack))
                        // An error on BATCH_BEGIN means the kernel refused the batch as a whole.
                        if index == 0 { batchRejected = true }
                    }
                }
            case .overrun:
                overrun = true
            case .nothing:
                if complete || overrun || graceLeft <= 0 { return finish() }
                graceLeft -= max(wait, 1)
            }
        }

        func finish() -> Replies {
            var replies = Replies(acknowledged: acknowledged)
            if !failures.isEmpty {
                let errors = failures.sorted { $0.index < $1.index }.map { error(for: $0.index, ack: $0.ack) }
                var first = errors[0]
                first.otherFailures = Array(errors.dropFirst())
                if overrun { first.kernelMessage = (first.kernelMessage.map { $0 + "; " } ?? "") + "some replies were lost" }
                replies.failure = first
            } else if overrun {
                replies.failure = NetlinkError(errno: ENOBUFS, operation: "commit batch",
                                               object: "\(messageCount) messages",
                                               kernelMessage: "acknowledgements were lost; whether the batch applied is unknown")
            } else if acknowledgements == .everyMessage && acknowledged < expected {
                replies.failure = NetlinkError(errno: EPROTO, operation: "commit batch", object: "\(messageCount) messages",
                                               kernelMessage: "only \(acknowledged) of \(expected) messages were acknowledged")
            }
            replies.endAcknowledged = sawEnd
            return replies
        }
    }
}
