import Glibc

/// A failure reported by the kernel (or by the socket), named after what we asked for:
/// `add rule inet skiff/svc-abc: No such file or directory (ENOENT)`.
public struct NetlinkError: Error, Sendable, CustomStringConvertible {
    public var errno: Int32
    /// What was attempted: "add rule", "delete chain", "send batch", "open socket", …
    public var operation: String
    /// What it was attempted on: "inet skiff/svc-abc", or an element of a map.
    public var object: String
    /// The kernel's extended-ack text, when it gave one.
    public var kernelMessage: String?
    /// Further messages of the same batch that failed too (the kernel reports each one).
    public var otherFailures: [NetlinkError]

    public init(errno: Int32, operation: String, object: String = "", kernelMessage: String? = nil,
                otherFailures: [NetlinkError] = []) {
        self.errno = errno
        self.operation = operation
        self.object = object
        self.kernelMessage = kernelMessage
        self.otherFailures = otherFailures
    }

    public var description: String {
        var text = operation
        if !object.isEmpty { text += " " + object }
        text += ": " + String(cString: strerror(errno))
        if let name = Self.errnoNames[errno] { text += " (\(name))" }
        if let kernelMessage { text += " — " + kernelMessage }
        if !otherFailures.isEmpty { text += " (and \(otherFailures.count) more failed message(s))" }
        return text
    }

    static let errnoNames: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", E2BIG: "E2BIG", EAGAIN: "EAGAIN",
        ENOMEM: "ENOMEM", EBUSY: "EBUSY", EEXIST: "EEXIST", EINVAL: "EINVAL", ENOSPC: "ENOSPC",
        ERANGE: "ERANGE", EMSGSIZE: "EMSGSIZE", EPROTONOSUPPORT: "EPROTONOSUPPORT",
        EOPNOTSUPP: "EOPNOTSUPP", ENOBUFS: "ENOBUFS", ELOOP: "ELOOP", ENOTEMPTY: "ENOTEMPTY",
        ETIMEDOUT: "ETIMEDOUT", EBADMSG: "EBADMSG", EPROTO: "EPROTO",
        // rtnetlink's ways of saying "not there" and friends.
        ESRCH: "ESRCH", EBADF: "EBADF", ENODEV: "ENODEV", EAFNOSUPPORT: "EAFNOSUPPORT", EADDRINUSE: "EADDRINUSE",
        EADDRNOTAVAIL: "EADDRNOTAVAIL", ENETUNREACH: "ENETUNREACH", EHOSTUNREACH: "EHOSTUNREACH",
    ]
}
