import Foundation

/// A file descriptor several tasks use at once — the owner that reads it and others that
/// write it (exec's stdin, a forwarded connection into a Pod). Finishing it stops new uses
/// at once (and, for a socket, shuts it down, which ends a blocked read), but the number is
/// freed only when the last use is released: a descriptor number is never written to after
/// it may have been reused for something else.
final class SharedDescriptor: @unchecked Sendable {   // state under `lock`
    let fd: Int32
    private let lock = NSLock()
    private var users = 1
    private var stopped = false
    private var ownerDone = false
    private let isSocket: Bool
    /// False when someone else frees the number (a terminal's master side).
    private let owned: Bool

    init(fd: Int32, isSocket: Bool = false, owned: Bool = true) {
        self.fd = fd
        self.isSocket = isSocket
        self.owned = owned
    }

    /// A use for one write; false once finished. Each true must be released.
    func acquire() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return false }
        users += 1
        return true
    }

    func release() {
        lock.lock()
        defer { lock.unlock() }
        users -= 1
        if users == 0, owned { Glibc.close(fd) }
    }

    /// A socket's write side only: the peer reads end of file.
    func shutdownWrites() {
        lock.lock()
        defer { lock.unlock() }
        if !stopped, isSocket { shutdown(fd, Int32(SHUT_WR)) }
    }

    /// No new uses; a socket is shut down, which ends the owner's blocked read. Idempotent.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        stopOnce()
    }

    /// Stops it and ends the owner's own use. Idempotent.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        stopOnce()
        guard !ownerDone else { return }
        ownerDone = true
        users -= 1
        if users == 0, owned { Glibc.close(fd) }
    }

    private func stopOnce() {
        guard !stopped else { return }
        stopped = true
        if isSocket { shutdown(fd, Int32(SHUT_RDWR)) }
    }
}
