import Foundation
import Netlink

/// A Pod's network namespace, kept alive by a bind mount at a path the agent owns (as
/// `ip netns add` does under /run/netns), so it outlives the processes in it and CNI and
/// runc can be pointed at it. `skiff up` makes its nodes' namespaces the same way.
public struct PodNetworkNamespace: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var exists: Bool {
        var st = stat(), parent = stat()
        // Mounted when it is a different filesystem (nsfs) from its directory.
        return stat(path, &st) == 0 && stat((path as NSString).deletingLastPathComponent, &parent) == 0 && st.st_dev != parent.st_dev
    }

    /// Creates it (util-linux `unshare --net=PATH`, which makes and mounts a new namespace).
    public func create() throws {
        if exists { return }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: nil)
        try Command.run("/usr/bin/unshare", ["--net=" + path, "/bin/true"])
        // Loopback up, as runtimes do before CNI.
        try NetworkNamespace(path: path).run { try RouteSocket().setLinkUp("lo") }
    }

    /// Unmounts and removes it; the namespace goes when nothing else holds it.
    public func remove() {
        _ = umount2(path, Int32(MNT_DETACH))
        unlink(path)
    }
}

/// Runs helper programs (util-linux, runc, tar) and reports their failure with stderr.
enum Command {
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdout: FileHandle? = nil, stderr: FileHandle? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = stdout ?? out
        process.standardError = stderr ?? err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = stdout == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let errors = stderr == nil ? err.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PodError.runtime("\((executable as NSString).lastPathComponent) \(arguments.first ?? ""): \(message.isEmpty ? "exit \(process.terminationStatus)" : message)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
