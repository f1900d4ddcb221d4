internal import CNetfilter
import Glibc

extension ConntrackSocket {
    /// Delete requests per datagram. Ctnetlink handles each message of a datagram on its own
    /// and acknowledges each, so a chunk costs one system call; the acknowledgements of a
    /// chunk must fit the receive buffer at once (each is charged about 1 KiB).
    static let deletesPerDatagram = 256

    /// Deletes one entry by its original tuple, in its zone, and — when the entry came from a
    /// dump — only if it is still the same flow (its id). False when there was nothing to
    /// delete any more, which is not an error.
    @discardableResult
    public func delete(_ entry: ConntrackEntry) throws -> Bool {
        try delete([entry]).deleted == 1
    }

    /// Deletes the entry whose original direction is `original`, whatever its id.
    @discardableResult
    public func delete(original: ConntrackTuple, zone: UInt16 = 0) throws -> Bool {
        try delete(ConntrackEntry(original: original, reply: original, zone: zone))
    }

    /// Deletes many entries, a chunk of requests per datagram. Every request is tried; if any
    /// failed for another reason than being gone already, the first failure is thrown with the
    /// others attached (the rest were still deleted).
    @discardableResult
    public func delete(_ entries: some Collection<ConntrackEntry>) throws -> ConntrackDeletion {
        var result = ConntrackDeletion()
        var failures: [NetlinkError] = []
        let entries = Array(entries)
        let size = ConntrackRequest.deleteSize
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.deletesPerDatagram * size, alignment: 16)
        defer { buffer.deallocate() }
        try netlink.ensureReceiveBuffer(Self.deletesPerDatagram * 1024 + 64 * 1024)

        var start = 0
        while start < entries.count {
            let chunk = entries[start..<min(start + Self.deletesPerDatagram, entries.count)]
            start = chunk.endIndex
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: chunk.count * size)
            let first = netlink.reserveSequenceNumbers(chunk.count)
            var length = 0
            for (i, entry) in chunk.enumerated() {
                length += ConntrackRequest.delete(entry, at: buffer + length, sequence: first &+ UInt32(i))
            }
            try send(buffer, length: length)

            // Ctnetlink processes the datagram inside sendmsg: every acknowledgement is queued
            // by now, the wait only covers the unexpected.
            var pending = Set(0..<chunk.count)
            while !pending.isEmpty {
                switch try netlink.receive(waitMilliseconds: replyTimeoutMilliseconds) {
                case .acks(let acks):
                    for ack in acks {
                        let index = Int(ack.sequence &- first)
                        guard pending.remove(index) != nil else { continue }   // not ours
                        switch ack.errno {
                        case 0: result.deleted += 1
                        case ENOENT: result.alreadyGone += 1
                        default:
                            failures.append(NetlinkError(errno: ack.errno, operation: "delete conntrack entry",
                                                         object: chunk[chunk.startIndex + index].description,
                                                         kernelMessage: ack.message))
                        }
                    }
                case .nothing:
                    throw NetlinkError(errno: ETIMEDOUT, operation: "delete conntrack entries",
                                       object: "\(pending.count) of \(chunk.count) unacknowledged")
                case .overrun:
                    throw NetlinkError(errno: ENOBUFS, operation: "delete conntrack entries",
                                       kernelMessage: "acknowledgements were lost; which entries went is unknown")
                }
            }
        }
        if var error = failures.first {
            error.otherFailures = Array(failures.dropFirst())
            throw error
        }
        return result
    }
}
