/// The parts of an OCI image configuration a container is made from.
public struct ImageConfig: Codable, Sendable, Equatable {
    public struct Config: Codable, Sendable, Equatable {
        public var User: String?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var WorkingDir: String?
    }

    public struct RootFS: Codable, Sendable, Equatable {
        public var type: String?
        public var diff_ids: [String]?
    }

    public var architecture: String?
    public var os: String?
    public var config: Config?
    public var rootfs: RootFS?
}

/// An OCI descriptor (or the fields of a Docker v2 one that matter here).
struct Descriptor: Codable, Sendable, Equatable {
    var mediaType: String?
    var digest: String
    var size: Int64?
    var annotations: [String: String]?
    var platform: Platform?

    struct Platform: Codable, Sendable, Equatable {
        var architecture: String?
        var os: String?
    }
}

/// An image manifest, OCI or Docker schema 2 (the same shape), or an index of them.
struct ManifestDocument: Codable, Sendable {
    var mediaType: String?
    var config: Descriptor?
    var layers: [Descriptor]?
    var manifests: [Descriptor]?
}
