import Foundation

/// Runs test tooling (`ip`, `nft`, `curl`) for the dataplane tests of every module.
public enum Shell {
    /// Runs a command; throws with its stderr when it exits non-zero.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let result = try status(arguments)
        guard result.status == 0 else {
            throw TestFailure("\(arguments.joined(separator: " ")) exited \(result.status): \(result.error)")
        }
        return result.output
    }

    /// Runs a command; returns its exit status, stdout and stderr.
    public static func status(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read before waiting: a large listing would otherwise fill the pipe and stall.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
