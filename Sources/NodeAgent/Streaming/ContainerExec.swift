import Foundation

/// A process started in a running container for `kubectl exec`: `runc exec` in the
/// foreground, so that runc stays its parent and exits with its status, with pipes for the
/// streams asked for or, with a terminal, one pseudo-terminal for all of them. runc's own
/// errors (no such command) go to a log file, not the streams, so they can be told apart
/// from the command's output and exit code.
final class ContainerExec: @unchecked Sendable {
    /// What to write the client's stdin to (a pipe, or the terminal's master side).
    private let input: SharedDescriptor?
    /// What to read stdout from; with a terminal, everything comes from here.
    let output: Int32?
    let errorOutput: Int32?
    private let terminal: PseudoTerminal?
    private let process: Process
    private let runcLog: String
    private let pidFile: String
    private let exited: AsyncStream<Int32>

    /// How the command ended.
    enum Outcome: Equatable {
        case exited(Int32)
        /// runc could not start the command; its message.
        case failedToStart(String)
    }

    init(runc: Runc, request: ExecRequest, logDirectory: String) throws {
        let name = logDirectory + "/exec-\(UInt64.random(in: 0...UInt64.max))"
        runcLog = name + ".log"
        pidFile = name + ".pid"
        process = Process()
        process.executableURL = URL(fileURLWithPath: runc.binary)
        process.arguments = ["--root", runc.root, "--log", runcLog, "--log-format", "json", "exec", "--pid-file", pidFile]
            + (request.tty ? ["--tty"] : []) + [request.containerID] + request.command
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        exited = stream
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }

        // The child's ends are closed here once it has them; ours are kept, unless setting
        // up fails part way.
        var toClose: [Int32] = []
        var parentEnds: [Int32] = []
        var started = false
        defer {
            toClose.forEach { close($0) }
            if !started { parentEnds.forEach { close($0) } }
        }
        if request.tty {
            let pty = try PseudoTerminal.open()
            terminal = pty
            let replica = FileHandle(fileDescriptor: pty.replica, closeOnDealloc: false)
            process.standardInput = replica
            process.standardOutput = replica
            process.standardError = replica
            toClose.append(pty.replica)
            // The master side is the terminal's to free (it is the output too).
            input = request.stdin ? SharedDescriptor(fd: pty.master, owned: false) : nil
            output = pty.master
            errorOutput = nil
        } else {
            terminal = nil
            func pipe() throws -> (read: Int32, write: Int32) {
                var fds: [Int32] = [0, 0]
                guard Glibc.pipe(&fds) == 0 else { throw PodError.runtime("pipe: \(String(cString: strerror(errno)))") }
                fds.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
                return (fds[0], fds[1])
            }
            if request.stdin {
                let p = try pipe()
                process.standardInput = FileHandle(fileDescriptor: p.read, closeOnDealloc: false)
                toClose.append(p.read)
                parentEnds.append(p.write)
                input = SharedDescriptor(fd: p.write)
            } else {
                process.standardInput = FileHandle.nullDevice
                input = nil
            }
            // The read end of a pipe the process writes to; nil (and /dev/null) when not asked for.
            func outputPipe(_ wanted: Bool) throws -> (read: Int32?, handle: FileHandle) {
                guard wanted else { return (nil, FileHandle.nullDevice) }
                let p = try pipe()
                toClose.append(p.write)
                parentEnds.append(p.read)
                return (p.read, FileHandle(fileDescriptor: p.write, closeOnDealloc: false))
            }
            let out = try outputPipe(request.stdout), err = try outputPipe(request.stderr)
            process.standardOutput = out.handle
            process.standardError = err.handle
            self.output = out.read
            errorOutput = err.read
        }
        if let pty = terminal { parentEnds.append(pty.master) }
        try process.run()
        started = true
    }

    deinit {
        input?.finish()
        [output, errorOutput].compactMap { $0 }.forEach { close($0) }
        unlink(runcLog)
        unlink(pidFile)
    }

    /// Writes all of `bytes` to the command's stdin; false once it no longer reads.
    func write(_ bytes: [UInt8]) async -> Bool {
        guard let input, input.acquire() else { return false }
        defer { input.release() }
        return (try? await blocking { Self.writeAll(input.fd, bytes) }) ?? false
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// The client closed stdin: the command sees end of file. A terminal cannot be half
    /// closed; there the command ends when the user ends it.
    func closeInput() {
        guard terminal == nil else { return }
        input?.finish()
    }

    /// The next chunk from `fd`; nil at end of file (for a terminal: once runc has exited and
    /// closed its side, which reads as EIO).
    static func read(_ fd: Int32) async -> [UInt8]? {
        try? await blocking {
            var buffer = [UInt8](repeating: 0, count: 32 * 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return nil }
                return Array(buffer[0..<n])
            }
        }
    }

    /// runc copies the new size into the container's terminal when it gets SIGWINCH.
    func resize(width: UInt16, height: UInt16) {
        guard let terminal, width > 0, height > 0 else { return }
        terminal.resize(width: width, height: height)
        kill(process.processIdentifier, SIGWINCH)
    }

    /// Kills the command when the client went away first. The command itself, by the pid
    /// runc wrote: killing runc alone would leave it running in the container, holding the
    /// streams open. Before it has started, runc is killed, and never starts it.
    func terminate() {
        guard process.isRunning else { return }
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
           let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 {
            kill(pid, SIGKILL)
        } else {
            kill(process.processIdentifier, SIGKILL)
        }
    }

    func wait() async -> Outcome {
        var status: Int32 = -1
        for await s in exited { status = s }
        if status != 0, let message = Self.runcError(runcLog) { return .failedToStart(message) }
        return .exited(status)
    }

    /// The last error runc logged, if it logged one: then it, not the command, failed.
    private static func runcError(_ file: String) -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n").reversed() {
            guard let entry = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  entry["level"] as? String == "error", let message = entry["msg"] as? String else { continue }
            return message
        }
        return nil
    }
}
