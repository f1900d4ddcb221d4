import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One finished process as the proxy benchmark measures it: wall time from spawn to reaped,
/// and the kernel's own accounting from wait4 (the figures GNU time prints: peak RSS, CPU).
struct TimedRun {
    var status: Int32
    var wallNanos: UInt64
    /// ru_maxrss: the process's peak resident set (KiB), across its exec (`nsenter` execs `nft`).
    var maxRSSKB: Int
    var userSeconds: Double
    var systemSeconds: Double
}

enum ProxyProcess {
    /// Runs `argv` with posix_spawn (no shell; stdout and stderr to `logPath`), waits with wait4.
    /// posix_spawn plus wait4 costs well under a millisecond, so small `nft -f` runs are timed
    /// fairly; the benchmark also reports an empty script's time as the fixed cost.
    static func timed(_ argv: [String], logPath: String) throws -> TimedRun {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let start = monoNanos()
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
        guard rc == 0 else { throw BenchError("posix_spawn \(argv[0]): \(String(cString: strerror(rc)))") }
        Cleanup.shared.watchForCrash(pid: pid)
        defer { Cleanup.shared.unwatch(pid: pid) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4: \(errno)") }
        }
        let end = monoNanos()
        // WIFEXITED / WEXITSTATUS, spelled out (the macros are not imported).
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return TimedRun(status: exit, wallNanos: end - start, maxRSSKB: Int(usage.ru_maxrss),
                        userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                        systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    /// Runs a command and returns its stdout; throws with its stderr when it fails.
    @discardableResult
    static func run(_ argv: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read stderr on the side: a big listing on stdout must not stall on a full stderr pipe.
        let errData = ErrorCapture(err.fileHandleForReading)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw BenchError("\(argv.joined(separator: " ")) exited \(p.terminationStatus): \(errData.text())")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `argv` run inside the network namespace `name` with nsenter: setns then exec, nothing else
    /// (`ip netns exec` also remounts /sys in a new mount namespace, which costs milliseconds).
    static func inNamespace(_ name: String, _ argv: [String]) -> [String] {
        ["/usr/bin/nsenter", "--net=\(NetworkNamespaces.path(name))", "--"] + argv
    }
}

/// Collects a pipe's bytes on a background thread.
private final class ErrorCapture: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
