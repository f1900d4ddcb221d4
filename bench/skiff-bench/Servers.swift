import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Cleanup whatever happens

/// PIDs the crash handler kills (async-signal-safe: a fixed array, `kill` only).
nonisolated(unsafe) let crashKillSlots: UnsafeMutablePointer<Int32> = {
    let p = UnsafeMutablePointer<Int32>.allocate(capacity: 8)
    p.initialize(repeating: 0, count: 8)
    return p
}()

/// Children and directories to remove on exit, error, Ctrl-C, SIGTERM, or a crash.
final class Cleanup: @unchecked Sendable {
    static let shared = Cleanup()
    private let lock = NSLock()
    private var children: [Child] = []
    private var directories: [String] = []
    /// Other clean-up steps (e.g. deleting network namespaces), run last-registered first.
    private var actions: [@Sendable () -> Void] = []
    private var signalSources: [DispatchSourceSignal] = []

    func register(_ child: Child) {
        lock.withLock {
            children.append(child)
            for i in 0..<8 where crashKillSlots[i] == 0 { crashKillSlots[i] = child.pid; break }
        }
    }

    func register(directory: String) { lock.withLock { directories.append(directory) } }

    func register(action: @escaping @Sendable () -> Void) { lock.withLock { actions.append(action) } }

    /// A process started without `Child` (e.g. with pipes to talk to it): SIGKILLed on a crash.
    func watchForCrash(pid: Int32) {
        lock.withLock { for i in 0..<8 where crashKillSlots[i] == 0 { crashKillSlots[i] = pid; break } }
    }

    func unwatch(pid: Int32) {
        lock.withLock { for i in 0..<8 where crashKillSlots[i] == pid { crashKillSlots[i] = 0 } }
    }

    /// SIGINT/SIGTERM/SIGHUP: stop the servers, run the clean-up steps, remove the directories, exit 130.
    /// Crashes (SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS): SIGKILL the servers, then die as usual.
    func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                log("signal \(sig): stopping servers and removing temp dirs")
                Cleanup.shared.run()
                exit(130)
            }
            source.resume()
            lock.withLock { signalSources.append(source) }
        }
        for sig in [SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS] {
            signal(sig) { received in
                for i in 0..<8 where crashKillSlots[i] > 0 { kill(crashKillSlots[i], SIGKILL) }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    /// Held for a whole clean-up, so that a second caller (the main flow while a signal
    /// handler cleans up, or the reverse) waits until the servers are really gone.
    private let running = NSLock()

    /// Idempotent: stops every child (SIGTERM, then SIGKILL after 5 s), runs the other clean-up
    /// steps and removes the directories.
    func run() {
        running.lock()
        defer { running.unlock() }
        let (kids, dirs, steps) = lock.withLock { () -> ([Child], [String], [@Sendable () -> Void]) in
            defer { children = []; directories = []; actions = [] }
            return (children, directories, actions)
        }
        // Last started first: a server on etcd goes before the etcd it needs to shut down cleanly.
        for child in kids.reversed() { child.stop() }
        for step in steps.reversed() { step() }
        for dir in dirs { try? FileManager.default.removeItem(atPath: dir) }
    }
}

// MARK: - A server process

final class Child: @unchecked Sendable {
    let name: String
    let process: Process
    let logPath: String
    let commandLine: String
    var pid: Int32 { process.processIdentifier }

    init(name: String, executable: String, arguments: [String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        commandLine = ([executable] + arguments).joined(separator: " ")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let logHandle = FileHandle(forWritingAtPath: logPath) else { throw BenchError("cannot open \(logPath)") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw BenchError("cannot start \(name) (\(executable)): \(error)") }
        Cleanup.shared.register(self)
        log("started \(name) pid \(pid): \(commandLine)")
    }

    var isRunning: Bool { process.isRunning }

    func logTail(lines: Int = 30) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            log("\(name) pid \(pid) ignored SIGTERM for 5 s: SIGKILL")
            kill(pid, SIGKILL)
            let hard = Date().addingTimeInterval(5)
            while process.isRunning, Date() < hard { usleep(20_000) }
        }
        for i in 0..<8 where crashKillSlots[i] == pid { crashKillSlots[i] = 0 }
        log("stopped \(name) pid \(pid)")
    }
}
