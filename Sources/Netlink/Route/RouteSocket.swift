internal import CNetfilter
import Glibc

/// An rtnetlink conversation (NETLINK_ROUTE): links, addresses, routes, neighbours and bridge
/// FDB entries — what `ip link|addr|route|neigh` and `bridge fdb` program.
///
/// Like every netlink socket it belongs to the network namespace of the thread that opened
/// it, for its whole life: open it inside `NetworkNamespace.run` to program a pod's or a
/// node's namespace. Not thread-safe; one request at a time. Every change is acknowledged
/// (NLM_F_ACK) and a refusal is thrown as a `NetlinkError` naming the operation and object,
/// e.g. `create veth veth1234: File exists (EEXIST)`. Dumps are read to NLMSG_DONE.
public final class RouteSocket {
    let netlink: NetlinkSocket
    /// One datagram of a reply: a dump part is at most 32 KiB (netlink's cap), so twice that
    /// always fits.
    private let receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// How long one reply may take before the conversation is declared stuck.
    let replyTimeoutMilliseconds: Int32 = 5000

    public init() throws {
        netlink = try NetlinkSocket(bus: Int32(NETLINK_ROUTE))
    }

    deinit { receiveBuffer.deallocate() }

    /// Sends one change request with NLM_F_ACK and waits for its acknowledgement. `missing`
    /// explains a not-found refusal in words, since the kernel's errnos for it (ESRCH "No such
    /// process" for a route, EADDRNOTAVAIL for an address) read oddly on their own.
    func execute(_ message: RouteMessage, operation: String, object: String, missing: String? = nil) throws {
        message.header.pointee.nlmsg_flags |= UInt16(NLM_F_ACK)
        do {
            try converse(message, operation: operation, object: object) { _ in }
        } catch var error as NetlinkError where error.isNotFound && error.kernelMessage == nil && missing != nil {
            error.kernelMessage = missing
            throw error
        }
    }

    /// Sends one NLM_F_DUMP request and returns what `parse` makes of every reply message of
    /// `replyType`, read to NLMSG_DONE. A dump that raced a change (NLM_F_DUMP_INTR) is
    /// repeated, twice at most.
    func list<T>(_ message: RouteMessage, replyType: Int, operation: String, object: String = "",
                 _ parse: (UnsafePointer<nlmsghdr>) -> T?) throws -> [T] {
        message.header.pointee.nlmsg_flags |= UInt16(NLM_F_DUMP)
        var attempts = 0
        while true {
            var items: [T] = []
            do {
                try converse(message, operation: operation, object: object) { reply in
                    if Int(reply.pointee.nlmsg_type) == replyType, let item = parse(reply) { items.append(item) }
                }
                return items
            } catch let error as NetlinkError where error.errno == EAGAIN && error.kernelMessage == Self.interruptedText && attempts < 2 {
                attempts += 1
            }
        }
    }

    static let interruptedText = "dump interrupted by a concurrent change"

    /// Sends one request (not a dump) that answers with a single message, e.g. RTM_GETLINK
    /// by name; nil when the kernel answers ENODEV or ENOENT (there is no such object).
    func get<T>(_ message: RouteMessage, replyType: Int, operation: String, object: String,
                _ parse: (UnsafePointer<nlmsghdr>) -> T?) throws -> T? {
        var result: T?
        do {
            try converse(message, operation: operation, object: object) { reply in
                if Int(reply.pointee.nlmsg_type) == replyType, result == nil { result = parse(reply) }
            }
        } catch let error as NetlinkError where error.errno == ENODEV || error.errno == ENOENT {
            return nil
        }
        return result
    }

    /// Sends `message` with a fresh sequence number and reads replies to it until it is
    /// finished: an acknowledgement (NLMSG_ERROR, 0 or an error), NLMSG_DONE for a dump, or the
    /// single answer of a plain get. Replies to anything else (an earlier, abandoned request)
    /// are skipped.
    private func converse(_ message: RouteMessage, operation: String, object: String,
                          _ body: (UnsafePointer<nlmsghdr>) -> Void) throws {
        let sequence = netlink.reserveSequenceNumbers(1)
        message.header.pointee.nlmsg_seq = sequence
        let flags = Int32(message.header.pointee.nlmsg_flags)
        let isDump = flags & NLM_F_DUMP == NLM_F_DUMP
        let wantsAck = flags & NLM_F_ACK != 0
        try netlink.send([iovec(iov_base: UnsafeMutableRawPointer(mutating: message.bytes.baseAddress), iov_len: message.length)])
        var interrupted = false
        while true {
            let datagram = try receiveDatagram(operation: operation, object: object)
            var remaining = Int32(datagram.count)
            var reply = UnsafePointer(datagram.baseAddress!.assumingMemoryBound(to: nlmsghdr.self))
            while mnl_nlmsg_ok(reply, remaining) {
                defer { reply = UnsafePointer(mnl_nlmsg_next(reply, &remaining)!) }
                let header = reply.pointee
                guard header.nlmsg_seq == sequence, header.nlmsg_pid == netlink.portID else { continue }
                if header.nlmsg_flags & UInt16(NLM_F_DUMP_INTR) != 0 { interrupted = true }
                switch Int32(header.nlmsg_type) {
                case NLMSG_DONE:
                    if header.nlmsg_len >= UInt32(MemoryLayout<nlmsghdr>.size + 4) {
                        let status = UnsafeRawPointer(reply).loadUnaligned(fromByteOffset: MemoryLayout<nlmsghdr>.size,
                                                                           as: Int32.self)
                        if status < 0 { throw NetlinkError(errno: -status, operation: operation, object: object) }
                    }
                    if interrupted {
                        // The table changed while the kernel walked it: the listing may have
                        // missed or doubled entries. Callers retry (rare; listings are small).
                        throw NetlinkError(errno: EAGAIN, operation: operation, object: object,
                                           kernelMessage: Self.interruptedText)
                    }
                    return
                case NLMSG_ERROR:
                    let raw = UnsafeRawBufferPointer(start: reply, count: Int(header.nlmsg_len))
                    guard let ack = NetlinkAck.parse(raw).first else { continue }
                    if ack.errno != 0 {
                        throw NetlinkError(errno: ack.errno, operation: operation, object: object, kernelMessage: ack.message)
                    }
                    return
                case NLMSG_NOOP, NLMSG_OVERRUN:
                    continue
                default:
                    body(reply)
                    // A get without NLM_F_ACK ends with its one answer.
                    if !isDump && !wantsAck { return }
                }
            }
        }
    }

    private func receiveDatagram(operation: String, object: String) throws -> UnsafeRawBufferPointer {
        try netlink.receiveDatagram(into: receiveBuffer, timeoutMilliseconds: replyTimeoutMilliseconds,
                                    operation: operation, object: object)
    }
}
