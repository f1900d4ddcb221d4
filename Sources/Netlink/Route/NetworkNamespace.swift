internal import CNetfilter
import Glibc

/// A network namespace held open by a file descriptor: a named one (`ip netns add NAME`
/// makes /run/netns/NAME), or any path to one, e.g. /proc/PID/ns/net or the CNI_NETNS a
/// runtime passes to the CNI plugin. Holding the descriptor keeps the namespace alive.
///
/// `setns` moves only the calling thread, and a netlink socket belongs for its whole life to
/// the namespace of the thread that opened it. So work in another namespace runs in `run`, on
/// a thread of its own that enters the namespace, does the work synchronously, and ends: no
/// other code ever runs on that thread, and no async code can hop off it mid-way.
public final class NetworkNamespace: @unchecked Sendable {   // immutable; the fd is only read
    public let path: String
    public let fileDescriptor: Int32

    /// Opens the namespace at `path`.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NetlinkError(errno: Glibc.errno, operation: "open network namespace", object: path) }
        self.path = path
        self.fileDescriptor = fd
    }

    /// Opens the namespace `ip netns` knows as `name` (/run/netns/NAME).
    public convenience init(named name: String) throws {
        try self.init(path: "/run/netns/" + name)
    }

    /// The namespace of the calling thread, e.g. to return to or to name as a veth peer's home.
    public static func current() throws -> NetworkNamespace {
        try NetworkNamespace(path: "/proc/thread-self/ns/net")
    }

    deinit { close(fileDescriptor) }

    /// Runs `body` on a new thread that has entered this namespace, waits for it, and returns
    /// its result or rethrows its error. A `RouteSocket` opened inside `body` programs this
    /// namespace; close it (let it go) before `body` returns.
    public func run<T>(_ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var outcome: Result<T, any Error> = .failure(NetlinkError(errno: EINTR, operation: "run in network namespace", object: path))
            let job = NamespaceJob { [self] in
                outcome = Result {
                    try self.enter()
                    return try body()
                }
            }
            try job.runOnNewThread(operation: "run in network namespace", object: path)
            return try outcome.get()
        }
    }

    /// Moves the *calling thread* into this namespace and checks it arrived. Only for a thread
    /// that does nothing else afterwards, or a single-threaded process such as the CNI plugin.
    public func enter() throws {
        guard skiff_setns(fileDescriptor, Int32(CLONE_NEWNET)) == 0 else {
            throw NetlinkError(errno: Glibc.errno, operation: "setns", object: path)
        }
        var target = stat(), current = stat()
        guard fstat(fileDescriptor, &target) == 0, stat("/proc/thread-self/ns/net", &current) == 0,
              target.st_ino == current.st_ino, target.st_dev == current.st_dev
        else { throw NetlinkError(errno: EINVAL, operation: "setns (verify)", object: path) }
    }
}

/// CLONE_NEWNET from sched.h (behind _GNU_SOURCE too).
private let CLONE_NEWNET = 0x4000_0000

/// The work of one `run`, handed to a raw pthread (a C start routine cannot capture generic
/// context, so the typed result stays in the caller's closure).
private final class NamespaceJob: @unchecked Sendable {   // used by one thread at a time, joined
    let work: () -> Void

    init(_ work: @escaping () -> Void) { self.work = work }

    func runOnNewThread(operation: String, object: String) throws {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // Swift code on a thread of its own: give it a main thread's stack, not a small default.
        pthread_attr_setstacksize(&attributes, 8 << 20)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, &attributes, { context in
            Unmanaged<NamespaceJob>.fromOpaque(context!).takeRetainedValue().work()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<NamespaceJob>.fromOpaque(context).release()
            throw NetlinkError(errno: created, operation: operation, object: object, kernelMessage: "pthread_create failed")
        }
        pthread_join(thread, nil)
    }
}
