import Foundation

/// Applies image layers to a root filesystem in order, as an OCI runtime bundle's rootfs
/// is built: each layer is extracted by GNU tar (any compression tar recognises) into a
/// staging directory next to the rootfs, then merged in, honouring the layer's whiteouts —
/// `.wh.NAME` deletes NAME from the layers below, `.wh..wh..opq` empties its directory of
/// what the layers below put there.
public struct LayerUnpacker: Sendable {
    public init() {}

    public func apply(layer: String, to rootfs: String) throws {
        let staging = rootfs + ".layer-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try Self.runTar(["--extract", "--file", layer, "--directory", staging, "--numeric-owner", "--same-permissions", "--same-owner"])
        try merge(staging, into: rootfs)
    }

    /// Moves `source`'s entries into `target`, whiteouts first.
    func merge(_ source: String, into target: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
        let entries = try fm.contentsOfDirectory(atPath: source)
        if entries.contains(".wh..wh..opq") {
            for old in try fm.contentsOfDirectory(atPath: target) { try fm.removeItem(atPath: target + "/" + old) }
        }
        for entry in entries where entry.hasPrefix(".wh.") {
            if entry != ".wh..wh..opq" {
                let victim = target + "/" + entry.dropFirst(4)
                if Self.exists(victim) { try fm.removeItem(atPath: victim) }
            }
        }
        for entry in entries where !entry.hasPrefix(".wh.") {
            let from = source + "/" + entry, to = target + "/" + entry
            if Self.isRealDirectory(from) && Self.isRealDirectory(to) {
                try merge(from, into: to)
                // The layer's own metadata for a directory wins, as with tar over a tree.
                try Self.copyMode(from: from, to: to)
            } else {
                if Self.exists(to) { try fm.removeItem(atPath: to) }
                guard rename(from, to) == 0 else { throw ImageError.io("moving \(entry) into the rootfs: \(String(cString: strerror(errno)))") }
            }
        }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isRealDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func copyMode(from: String, to: String) throws {
        var st = stat()
        guard lstat(from, &st) == 0 else { return }
        chmod(to, st.st_mode & 0o7777)
        _ = chown(to, st.st_uid, st.st_gid)
    }

    static func runTar(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ImageError.badLayer("tar: " + message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

public enum ImageError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case badArchive(String)
    case badLayer(String)
    case digestMismatch(expected: String, actual: String)
    case io(String)

    public var description: String {
        switch self {
        case .notFound(let what): return "image not found: \(what)"
        case .badArchive(let why): return "not an image archive: \(why)"
        case .badLayer(let why): return "bad layer: \(why)"
        case .digestMismatch(let expected, let actual): return "content does not match its digest: expected \(expected), got \(actual)"
        case .io(let why): return why
        }
    }
}
