import Crypto
import Foundation
import KubeAPI

/// The node's local images (what `crictl images` lists on a kubelet's node): content-addressed
/// blobs (manifests, configs, layers) under `blobs/sha256`, names in `refs.json`, and for each
/// image used, its layers applied once into a root filesystem that containers start from.
/// Imports verify every blob against its digest and record the name only once everything is
/// in; a failed import removes the blobs it added, so it leaves nothing behind.
public struct ImageStore: Sendable {
    public struct Image: Sendable, Equatable {
        public var reference: String
        public var manifestDigest: String
        /// The image ID, as `crictl images` shows it: the config's digest.
        public var id: String
        public var config: ImageConfig
        public var layers: [String]
    }

    public let root: String

    /// Blobs an import has added, removed again if it fails.
    final class NewBlobs {
        var paths: [String] = []
    }

    public init(root: String) throws {
        self.root = root
        for dir in ["blobs/sha256", "rootfs", "tmp"] {
            try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
    }

    // MARK: - Reading

    public func list() throws -> [Image] {
        try refs().sorted { $0.key < $1.key }.map { try image(reference: $0.key, manifest: $0.value) }
    }

    public func image(_ reference: ImageReference) throws -> Image? {
        guard let digest = try refs()[reference.description] else { return nil }
        return try image(reference: reference.description, manifest: digest)
    }

    private func image(reference: String, manifest digest: String) throws -> Image {
        let manifest = try JSONDecoder().decode(ManifestDocument.self, from: try blob(digest))
        guard let config = manifest.config else { throw ImageError.badArchive("manifest \(digest) has no config") }
        return Image(reference: reference, manifestDigest: digest, id: config.digest,
                     config: try JSONDecoder().decode(ImageConfig.self, from: try blob(config.digest)),
                     layers: (manifest.layers ?? []).map(\.digest))
    }

    func blobPath(_ digest: String) -> String { root + "/blobs/sha256/" + digest.dropFirst("sha256:".count) }

    func blob(_ digest: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: blobPath(digest)) else { throw ImageError.notFound(digest) }
        return data
    }

    private var refsPath: String { root + "/refs.json" }

    func refs() throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: refsPath) else { return [:] }
        return try JSONDecoder().decode([String: String].self, from: data)
    }

    private func writeRefs(_ refs: [String: String]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let temp = refsPath + ".tmp"
        try encoder.encode(refs).write(to: URL(fileURLWithPath: temp))
        guard rename(temp, refsPath) == 0 else { throw ImageError.io("saving refs.json: \(String(cString: strerror(errno)))") }
    }

    // MARK: - Root filesystems

    /// The image's layers applied in order, built on first use and kept.
    public func rootfs(of image: Image) throws -> String {
        let path = root + "/rootfs/" + image.id.dropFirst("sha256:".count)
        if FileManager.default.fileExists(atPath: path) { return path }
        let building = root + "/tmp/rootfs-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: building, withIntermediateDirectories: true)
            for layer in image.layers { try LayerUnpacker().apply(layer: blobPath(layer), to: building) }
            guard rename(building, path) == 0 else {
                // Built meanwhile by someone else: theirs is as good.
                if FileManager.default.fileExists(atPath: path) {
                    try? FileManager.default.removeItem(atPath: building)
                    return path
                }
                throw ImageError.io("keeping the rootfs: \(String(cString: strerror(errno)))")
            }
            return path
        } catch {
            try? FileManager.default.removeItem(atPath: building)
            throw error
        }
    }

    // MARK: - Pulled images

    func hasBlob(_ digest: String) -> Bool { FileManager.default.fileExists(atPath: blobPath(digest)) }

    /// Stores a pulled image's blobs (already checked against their digests) and names it.
    func add(reference: String, manifest: Data, blobs: [(String, Data)]) throws -> Image {
        let added = NewBlobs()
        do {
            for (_, data) in blobs { _ = try store(data, added) }
            let digest = try store(manifest, added)
            var refs = try refs()
            refs[reference] = digest
            try writeRefs(refs)
            return try image(reference: reference, manifest: digest)
        } catch {
            for path in added.paths { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }

    // MARK: - Import

    /// Imports an OCI image layout (a directory or a tar of one) or a `docker save` tarball;
    /// returns the images it named. `name` names an image whose archive gives none.
    @discardableResult
    public func importArchive(_ path: String, name: String? = nil) throws -> [Image] {
        let work = root + "/tmp/import-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: work) }
        var source = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ImageError.notFound(path) }
        if !isDirectory.boolValue {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            do {
                try LayerUnpacker.runTar(["--extract", "--file", path, "--directory", work, "--no-same-owner"])
            } catch {
                throw ImageError.badArchive("\(path) is neither a directory nor a tar archive")
            }
            source = work
        }
        let added = NewBlobs()
        do {
            let named: [(String, String)]
            if FileManager.default.fileExists(atPath: source + "/oci-layout") {
                named = try importOCILayout(source, name: name, added)
            } else if FileManager.default.fileExists(atPath: source + "/manifest.json") {
                named = try importDockerArchive(source, name: name, added)
            } else {
                throw ImageError.badArchive("\(path) has neither oci-layout nor manifest.json")
            }
            var refs = try refs()
            for (reference, digest) in named { refs[reference] = digest }
            try writeRefs(refs)
            return try named.map { try image(reference: $0.0, manifest: $0.1) }
        } catch {
            for path in added.paths { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }

    private func importOCILayout(_ dir: String, name: String?, _ added: NewBlobs) throws -> [(String, String)] {
        let index = try decode(ManifestDocument.self, dir + "/index.json")
        var named: [(String, String)] = []
        for descriptor in index.manifests ?? [] {
            let manifestDigest = try platformManifest(descriptor, layout: dir, added)
            let reference = try Self.reference(annotations: descriptor.annotations, override: name)
            let manifest = try JSONDecoder().decode(ManifestDocument.self, from: try verifiedBlob(manifestDigest, layout: dir))
            guard let config = manifest.config else { throw ImageError.badArchive("manifest \(manifestDigest) has no config") }
            for blob in [config] + (manifest.layers ?? []) { try copyBlob(blob.digest, from: dir, added) }
            try copyBlob(manifestDigest, from: dir, added)
            named.append((reference, manifestDigest))
        }
        guard !named.isEmpty else { throw ImageError.badArchive("index.json lists no manifests") }
        return named
    }

    /// The manifest for linux/amd64 (or this machine's architecture) when `descriptor` is an index.
    private func platformManifest(_ descriptor: Descriptor, layout: String, _ added: NewBlobs) throws -> String {
        let document = try JSONDecoder().decode(ManifestDocument.self, from: try verifiedBlob(descriptor.digest, layout: layout))
        guard let manifests = document.manifests else { return descriptor.digest }
        let arch = MachineInfo.current().architecture
        guard let chosen = manifests.first(where: { $0.platform?.os == "linux" && $0.platform?.architecture == arch }) else {
            throw ImageError.badArchive("no linux/\(arch) image in index \(descriptor.digest)")
        }
        try copyBlob(descriptor.digest, from: layout, added)
        return try platformManifest(chosen, layout: layout, added)
    }

    private func importDockerArchive(_ dir: String, name: String?, _ added: NewBlobs) throws -> [(String, String)] {
        struct Entry: Decodable {
            var Config: String
            var RepoTags: [String]?
            var Layers: [String]
        }
        let entries = try decode([Entry].self, dir + "/manifest.json")
        var named: [(String, String)] = []
        for entry in entries {
            let config = try storeFile(dir + "/" + entry.Config, added)
            let layers = try entry.Layers.map { try storeFile(dir + "/" + $0, added) }
            let manifest: [String: Any] = [
                "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": config.digest, "size": config.size],
                "layers": layers.map { ["mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": $0.digest, "size": $0.size] },
            ]
            let bytes = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
            let digest = try store(bytes, added)
            let tags = (entry.RepoTags ?? []) + (name.map { [$0] } ?? [])
            guard !tags.isEmpty else { throw ImageError.badArchive("an image in manifest.json has no RepoTags; give it a name") }
            for tag in tags {
                guard let reference = ImageReference(tag) else { throw ImageError.badArchive("\"\(tag)\" is not an image name") }
                named.append((reference.description, digest))
            }
        }
        return named
    }

    private static func reference(annotations: [String: String]?, override: String?) throws -> String {
        let full = annotations?["io.containerd.image.name"]
        let refName = annotations?["org.opencontainers.image.ref.name"]
        // ref.name may be a whole reference or only a tag.
        let text = override ?? full ?? refName.flatMap { $0.contains("/") || $0.contains(":") ? $0 : nil }
        guard let text else { throw ImageError.badArchive("the image has no name (annotation io.containerd.image.name); give it one") }
        guard let reference = ImageReference(text) else { throw ImageError.badArchive("\"\(text)\" is not an image name") }
        return reference.description
    }

    private func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImageError.badArchive("\(path) is missing") }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw ImageError.badArchive("\(path): \(error)")
        }
    }

    private func layoutBlobPath(_ digest: String, layout: String) throws -> String {
        guard digest.hasPrefix("sha256:"), digest.count == 71, digest.dropFirst(7).allSatisfy(\.isHexDigit) else {
            throw ImageError.badArchive("unsupported digest \(digest)")
        }
        return layout + "/blobs/sha256/" + digest.dropFirst(7)
    }

    private func verifiedBlob(_ digest: String, layout: String) throws -> Data {
        let path = try layoutBlobPath(digest, layout: layout)
        guard let data = FileManager.default.contents(atPath: path) else { throw ImageError.badArchive("blob \(digest) is missing") }
        let actual = Self.digest(data)
        guard actual == digest else { throw ImageError.digestMismatch(expected: digest, actual: actual) }
        return data
    }

    /// Copies a layout's blob into the store after checking its digest.
    private func copyBlob(_ digest: String, from layout: String, _ added: NewBlobs) throws {
        if FileManager.default.fileExists(atPath: blobPath(digest)) { return }
        let stored = try storeFile(try layoutBlobPath(digest, layout: layout), added)
        guard stored.digest == digest else {
            try? FileManager.default.removeItem(atPath: blobPath(stored.digest))
            throw ImageError.digestMismatch(expected: digest, actual: stored.digest)
        }
    }

    /// Stores a file's content under its digest (hashing while copying).
    private func storeFile(_ path: String, _ added: NewBlobs) throws -> (digest: String, size: Int) {
        guard let input = FileHandle(forReadingAtPath: path) else { throw ImageError.badArchive("\(path) is missing") }
        defer { try? input.close() }
        let temp = root + "/tmp/blob-" + UUID().uuidString
        FileManager.default.createFile(atPath: temp, contents: nil)
        guard let output = FileHandle(forWritingAtPath: temp) else { throw ImageError.io("cannot write \(temp)") }
        var hasher = SHA256()
        var size = 0
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
                try output.write(contentsOf: chunk)
                size += chunk.count
            }
            try output.close()
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
        let digest = "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        if FileManager.default.fileExists(atPath: blobPath(digest)) {
            try? FileManager.default.removeItem(atPath: temp)
            return (digest, size)
        }
        guard rename(temp, blobPath(digest)) == 0 else { throw ImageError.io("storing blob \(digest): \(String(cString: strerror(errno)))") }
        added.paths.append(blobPath(digest))
        return (digest, size)
    }

    private func store(_ data: Data, _ added: NewBlobs) throws -> String {
        let digest = Self.digest(data)
        if FileManager.default.fileExists(atPath: blobPath(digest)) { return digest }
        try data.write(to: URL(fileURLWithPath: blobPath(digest)))
        added.paths.append(blobPath(digest))
        return digest
    }

    static func digest(_ data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
