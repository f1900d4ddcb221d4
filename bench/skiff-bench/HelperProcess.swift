import Foundation

/// A `skiff-bench` subcommand run as a child process (`proxy-child`, `proxy-serve`,
/// `proxy-connect`): this same executable, with pipes for stdin and stdout (stderr goes to the
/// benchmark's), killed by `Cleanup` if the run ends early. It talks in lines on stdout.
final class HelperProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffer = Data()
    let commandLine: String

    init(arguments: [String]) throws {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        commandLine = ([exe] + arguments).joined(separator: " ")
        try process.run()
        let pid = process.processIdentifier
        Cleanup.shared.watchForCrash(pid: pid)
        Cleanup.shared.register { [process] in
            if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() }
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// The next line the child prints; throws if it exits first.
    func readLine() throws -> String {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<nl]
                buffer = Data(buffer[(nl + 1)...])
                return String(decoding: line, as: UTF8.self)
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                process.waitUntilExit()
                throw BenchError("\(commandLine) exited (status \(process.terminationStatus)) before it reported; see its stderr above")
            }
            buffer.append(chunk)
        }
    }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    func waitForExit() throws {
        process.waitUntilExit()
        Cleanup.shared.unwatch(pid: pid)
        guard process.terminationStatus == 0 else { throw BenchError("\(commandLine) exited with status \(process.terminationStatus)") }
    }

    /// Ends a helper that runs until told (a server): SIGTERM, then SIGKILL after a second.
    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = monoNanos() + 1_000_000_000
        while process.isRunning, monoNanos() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        Cleanup.shared.unwatch(pid: pid)
    }
}
