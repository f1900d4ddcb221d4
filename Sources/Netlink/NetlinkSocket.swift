internal import CNetfilter
import Glibc

/// A netlink socket (libmnl) to one kernel subsystem, NETLINK_NETFILTER by default.
///
/// A netlink socket belongs to the network namespace of the thread that opens it, for
/// its whole life: open it on the thread that has `setns()`-ed into the namespace to be
/// programmed. It is not thread-safe; one owner uses it at a time.
public final class NetlinkSocket {
    private let socket: OpaquePointer
    public let bus: Int32
    /// The address the kernel answers to (our end of the conversation).
    public let portID: UInt32
    private var nextSequence: UInt32
    private var sendBufferSize = 0
    private var receiveBufferSize = 0
    /// Large enough for any single reply datagram we expect (acks are tens of bytes; an
    /// uncapped error could echo a 64 KiB element message).
    private let receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 16)

    /// NETLINK_NETFILTER: nf_tables, conntrack.
    public static let netfilter = Int32(NETLINK_NETFILTER)

    public init(bus: Int32 = NetlinkSocket.netfilter) throws {
        guard let socket = mnl_socket_open2(bus, Int32(SOCK_CLOEXEC.rawValue)) else {
            throw NetlinkError(errno: Glibc.errno, operation: "open netlink socket")
        }
        guard mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let error = Glibc.errno
            mnl_socket_close(socket)
            throw NetlinkError(errno: error, operation: "bind netlink socket")
        }
        self.socket = socket
        self.bus = bus
        self.portID = mnl_socket_get_portid(socket)
        // Sequence numbers only have to be unique among our own outstanding requests;
        // starting from the clock keeps them distinct across sockets in traces.
        self.nextSequence = UInt32(truncatingIfNeeded: time(nil))
        var one: Int32 = 1
        // Errors echo only the failed message's header, not the whole (maybe 64 KiB) message.
        _ = mnl_socket_setsockopt(socket, NETLINK_CAP_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        // Errors say which attribute the kernel rejected (we map that to an element or expression).
        _ = mnl_socket_setsockopt(socket, NETLINK_EXT_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        sendBufferSize = socketOption(SO_SNDBUF)
        receiveBufferSize = socketOption(SO_RCVBUF)
    }

    deinit {
        receiveBuffer.deallocate()
        mnl_socket_close(socket)
    }

    var fileDescriptor: Int32 { mnl_socket_get_fd(socket) }

    /// Reserves `count` consecutive sequence numbers and returns the first.
    func reserveSequenceNumbers(_ count: Int) -> UInt32 {
        let first = nextSequence
        nextSequence &+= UInt32(truncatingIfNeeded: count)
        return first
    }

    // MARK: buffers

    /// Makes the kernel accept a single datagram of `bytes`: netlink refuses a sendmsg larger
    /// than the send buffer (EMSGSIZE), and a whole transaction is one datagram. Only grows.
    public func ensureSendBuffer(_ bytes: Int) throws {
        guard bytes > sendBufferSize else { return }
        try setBuffer(SO_SNDBUFFORCE, fallback: SO_SNDBUF, bytes: bytes)
        sendBufferSize = socketOption(SO_SNDBUF)
    }

    /// Room for `bytes` of queued replies: the kernel drops what does not fit (and we then
    /// see ENOBUFS), so a batch acknowledged message by message needs room for every ack.
    public func ensureReceiveBuffer(_ bytes: Int) throws {
        guard bytes > receiveBufferSize else { return }
        try setBuffer(SO_RCVBUFFORCE, fallback: SO_RCVBUF, bytes: bytes)
        receiveBufferSize = socketOption(SO_RCVBUF)
    }

    /// The *FORCE options pass the sysctl limits (wmem_max/rmem_max) and need CAP_NET_ADMIN,
    /// which programming nf_tables needs anyway; without it, take what the limits allow.
    private func setBuffer(_ forced: Int32, fallback: Int32, bytes: Int) throws {
        // The kernel doubles the value (bookkeeping overhead); ask for half, capped to an Int32.
        var value = Int32(clamping: (bytes + 1) / 2)
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fileDescriptor, SOL_SOCKET, forced, &value, size) == 0 { return }
        if setsockopt(fileDescriptor, SOL_SOCKET, fallback, &value, size) == 0 { return }
        throw NetlinkError(errno: Glibc.errno, operation: "size socket buffer", object: "\(bytes) bytes")
    }

    private func socketOption(_ option: Int32) -> Int {
        var value: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fileDescriptor, SOL_SOCKET, option, &value, &size)
        return Int(value)
    }

    // MARK: sending and receiving

    /// Sends the iovecs as one datagram to the kernel. For nfnetlink the kernel processes
    /// the whole datagram inside this call, so every reply is queued when it returns.
    func send(_ iovecs: [iovec]) throws {
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        var iov = iovecs
        let total = iovecs.reduce(0) { $0 + $1.iov_len }
        let sent = withUnsafeMutablePointer(to: &kernel) { address in
            iov.withUnsafeMutableBufferPointer { vectors in
                var message = msghdr()
                message.msg_name = UnsafeMutableRawPointer(address)
                message.msg_namelen = socklen_t(MemoryLayout<sockaddr_nl>.size)
                message.msg_iov = vectors.baseAddress
                message.msg_iovlen = vectors.count
                while true {
                    let n = sendmsg(fileDescriptor, &message, 0)
                    if n >= 0 || Glibc.errno != EINTR { return n }
                }
            }
        }
        if sent < 0 { throw NetlinkError(errno: Glibc.errno, operation: "send batch", object: "\(total) bytes") }
        if sent != total { throw NetlinkError(errno: EMSGSIZE, operation: "send batch", object: "\(sent) of \(total) bytes sent") }
    }

    enum Received {
        case acks([NetlinkAck])
        /// Nothing queued (within the wait).
        case nothing
        /// The kernel dropped replies because the receive buffer was full.
        case overrun
    }

    /// Reads one datagram. `waitMilliseconds` 0 does not block.
    func receive(waitMilliseconds: Int32) throws -> Received {
        if waitMilliseconds > 0 {
            var poller = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, waitMilliseconds)
            if ready == 0 { return .nothing }
            if ready < 0 && Glibc.errno != EINTR { throw NetlinkError(errno: Glibc.errno, operation: "wait for acknowledgements") }
        }
        let n = recv(fileDescriptor, receiveBuffer.baseAddress, receiveBuffer.count, Int32(MSG_DONTWAIT))
        if n < 0 {
            switch Glibc.errno {
            case EAGAIN, EINTR: return .nothing
            case ENOBUFS: return .overrun
            case let error: throw NetlinkError(errno: error, operation: "receive acknowledgements")
            }
        }
        return .acks(NetlinkAck.parse(UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<n])))
    }
}
