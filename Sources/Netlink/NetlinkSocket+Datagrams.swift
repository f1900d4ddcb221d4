import Glibc

extension NetlinkSocket {
    /// Reads the next datagram into `buffer`, waiting up to `timeoutMilliseconds` for it: the
    /// reply reading of request/answer conversations (ctnetlink dumps, rtnetlink requests and
    /// dumps). A dump part is at most 32 KiB (netlink's cap), so a 64 KiB buffer always fits.
    func receiveDatagram(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32,
                         operation: String, object: String = "") throws -> UnsafeRawBufferPointer {
        var poller = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&poller, 1, timeoutMilliseconds)
            if ready == 0 {
                throw NetlinkError(errno: ETIMEDOUT, operation: operation, object: object, kernelMessage: "no reply from the kernel")
            }
            if ready < 0 {
                if Glibc.errno == EINTR { continue }
                throw NetlinkError(errno: Glibc.errno, operation: operation, object: object)
            }
            // MSG_TRUNC makes recv report the datagram's real length, so a cut one is noticed.
            let n = recv(fileDescriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC))
            if n < 0 {
                if Glibc.errno == EINTR || Glibc.errno == EAGAIN { continue }
                throw NetlinkError(errno: Glibc.errno, operation: operation, object: object)
            }
            if n > buffer.count {
                throw NetlinkError(errno: EMSGSIZE, operation: operation, object: object,
                                   kernelMessage: "a \(n)-byte reply did not fit")
            }
            return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
        }
    }
}
