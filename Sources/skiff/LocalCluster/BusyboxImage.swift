import Crypto
import Foundation

/// The image `skiff up` puts on every node so that a cluster without a registry can run
/// something at once: Debian's static busybox with its applets, as an OCI image layout,
/// named `localhost/busybox:skiff` — what examples/ use, whatever the busybox version — and
/// `localhost/busybox:<busybox version>`. Local names: `localhost/` is never pulled from
/// Docker Hub, and a tag other than `latest` is not pulled when present.
struct BusyboxImage {
    let binary: String
    let directory: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A statically linked busybox: a dynamic one (Debian's `busybox`) would find no C
    /// library in the image.
    static func find() -> String? {
        ["/bin/busybox", "/usr/bin/busybox"].first { FileManager.default.isExecutableFile(atPath: $0) && isStatic($0) }
    }

    /// An ELF executable without a PT_INTERP program header (no dynamic loader).
    static func isStatic(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path),
              let header = try? handle.read(upToCount: 64), header.count == 64,
              header.starts(with: [0x7F, 0x45, 0x4C, 0x46]), header[4] == 2 else { return false }   // ELF, 64-bit
        defer { try? handle.close() }
        func integer(_ data: Data, _ offset: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(0) { $0 | UInt64(data[data.startIndex + offset + $1]) << (8 * UInt64($1)) }   // little-endian
        }
        let tableOffset = integer(header, 32, 8), entrySize = Int(integer(header, 54, 2)), count = Int(integer(header, 56, 2))
        guard entrySize >= 4, (try? handle.seek(toOffset: tableOffset)) != nil,
              let table = try? handle.read(upToCount: entrySize * count), table.count == entrySize * count else { return false }
        return !(0..<count).contains { integer(table, $0 * entrySize, 4) == 3 }   // PT_INTERP
    }

    /// `1.35.0` from `BusyBox v1.35.0 (Debian …) multi-call binary.`
    func version() throws -> String {
        let banner = try output(binary, [])
        guard let range = banner.range(of: #"v[0-9]+(\.[0-9]+)+"#, options: .regularExpression) else {
            throw Failure(description: "cannot tell the version of \(binary)")
        }
        return String(banner[range].dropFirst())
    }

    static let reference = "localhost/busybox:skiff"

    func references() throws -> [String] { [Self.reference, "localhost/busybox:\(try version())"] }

    /// Writes the layout (once; it is reused by every node and every re-run).
    func build() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory + "/index.json") { return }
        let work = directory + ".tmp"
        try? fm.removeItem(atPath: work)
        let rootfs = work + "/rootfs"
        for dir in ["bin", "etc", "root", "tmp", "var/www"] {
            try fm.createDirectory(atPath: rootfs + "/" + dir, withIntermediateDirectories: true)
        }
        chmod(rootfs + "/tmp", 0o1777)
        try fm.copyItem(atPath: binary, toPath: rootfs + "/bin/busybox")
        for applet in try output(binary, ["--list"]).split(separator: "\n").map(String.init) where applet != "busybox" {
            try fm.createSymbolicLink(atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        try "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            .write(toFile: rootfs + "/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\nnogroup:x:65534:\n".write(toFile: rootfs + "/etc/group", atomically: true, encoding: .utf8)
        // Reproducible: the same busybox gives the same digest on every node and every run.
        _ = try output("/bin/tar", ["--create", "--file", work + "/layer.tar", "--directory", rootfs, "--sort=name",
                                    "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "."])
        let layer = try Data(contentsOf: URL(fileURLWithPath: work + "/layer.tar"))
        let layerDigest = Self.digest(layer)
        let config = try Self.json([
            "architecture": Self.architecture, "os": "linux",
            "config": ["Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]],
            "rootfs": ["type": "layers", "diff_ids": [layerDigest]],
        ])
        let manifest = try Self.json([
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": Self.digest(config), "size": config.count],
            "layers": [["mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layerDigest, "size": layer.count]],
        ])
        let index = try Self.json([
            "schemaVersion": 2,
            "manifests": [["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": Self.digest(manifest),
                           "size": manifest.count, "annotations": ["org.opencontainers.image.ref.name": try version()]]],
        ])
        try fm.createDirectory(atPath: work + "/layout/blobs/sha256", withIntermediateDirectories: true)
        for blob in [layer, config, manifest] {
            try blob.write(to: URL(fileURLWithPath: work + "/layout/blobs/sha256/" + Self.digest(blob).dropFirst("sha256:".count)))
        }
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: work + "/layout/oci-layout"))
        try index.write(to: URL(fileURLWithPath: work + "/layout/index.json"))
        try? fm.removeItem(atPath: directory)
        try fm.createDirectory(atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try fm.moveItem(atPath: work + "/layout", toPath: directory)
        try? fm.removeItem(atPath: work)
    }

    private static var architecture: String {
        #if arch(arm64)
        "arm64"
        #else
        "amd64"
        #endif
    }

    private static func digest(_ data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    private static func json(_ value: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    }

    private func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        // busybox with no arguments prints its banner and exits 1.
        guard process.terminationStatus == 0 || arguments.isEmpty else {
            throw Failure(description: "\(executable) \(arguments.first ?? ""): \(text)")
        }
        return text
    }
}
