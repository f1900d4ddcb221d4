internal import CNetfilter
import Glibc

/// A ctnetlink conversation (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_CTNETLINK): dump the
/// connection-tracking table of one family, delete entries by tuple.
///
/// Like every netlink socket it belongs to the network namespace of the thread that opened it:
/// open it on the thread that has `setns()`-ed into the namespace whose table is meant. Not
/// thread-safe. One request at a time: the kernel refuses a second dump while one is being
/// read (EBUSY), so a dump is always read to its end before anything else is sent; callers
/// collect entries first and delete afterwards. After a request has thrown, the socket may
/// still hold the rest of an abandoned dump: open a new one (they are cheap).
public final class ConntrackSocket {
    let netlink: NetlinkSocket
    /// One datagram of a dump: the kernel fills each part up to the reader's buffer size, but
    /// never beyond 32 KiB (netlink's cap), so twice that always fits.
    let receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// Whether the kernel filters dumps by protocol (CTA_FILTER, Linux 5.8+); nil until a
    /// protocol-filtered dump has been asked for. Entries are checked here either way, so an
    /// older kernel that ignores the attribute costs bandwidth, not correctness.
    public internal(set) var kernelFiltersDumps: Bool?
    /// How long one reply may take before the conversation is declared stuck.
    let replyTimeoutMilliseconds: Int32 = 5000

    public init() throws {
        netlink = try NetlinkSocket(bus: NetlinkSocket.netfilter)
    }

    deinit { receiveBuffer.deallocate() }

    /// Sends one request of `length` bytes written at `buffer`.
    func send(_ buffer: UnsafeMutableRawPointer, length: Int) throws {
        try netlink.send([iovec(iov_base: buffer, iov_len: length)])
    }

    /// Reads the next datagram addressed to us, waiting up to the reply timeout.
    func receiveDatagram(operation: String) throws -> UnsafeRawBufferPointer {
        try netlink.receiveDatagram(into: receiveBuffer, timeoutMilliseconds: replyTimeoutMilliseconds, operation: operation)
    }
}
