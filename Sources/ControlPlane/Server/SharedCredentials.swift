import Foundation
import KubeAPI

/// What every server of one cluster must hold alike: the cluster CA (each server issues
/// its own serving certificate from it), the admin and node tokens, and the client
/// certificate servers present to node agents. With etcd as the datastore they live in
/// etcd under `/skiff/PREFIX/credentials`: the first server to start publishes its own, every
/// other server takes those and writes them into its data directory, where the rest of
/// the server reads them as it always does. As with k3s's bootstrap data, whoever can read
/// etcd can read these: protect etcd with TLS client certificates.
struct SharedCredentials: Equatable {
    static func key(_ store: EtcdStore) -> String { store.ownPrefix + "/credentials" }

    /// The files, relative to a server's data directory, with their modes.
    static let layout: [(file: String, mode: Int)] = [
        ("tls/ca.crt", 0o644), ("tls/ca.key", 0o600), ("admin-token", 0o600), ("node-token", 0o600),
        ("tls/kubelet-client.crt", 0o644), ("tls/kubelet-client.key", 0o600),
    ]

    /// File → contents, for every file of `layout`.
    var files: [String: String]

    /// Makes this server's data directory hold the cluster's credentials. A first server
    /// publishes its own (made now when it has none); with `--import DIR` the embedded
    /// cluster's replace whatever etcd held, so its agents and kubeconfigs keep working.
    static func synchronize(store: EtcdStore, dataDirectory: String, importing seed: String?) async throws {
        let published: SharedCredentials
        if let seed {
            guard let imported = read(seed) else {
                throw DatastoreError("--import \(seed): no cluster credentials there (tls/ca.crt, admin-token, …)")
            }
            try await store.replaceValue(key(store), with: imported.encoded())
            published = imported
        } else {
            let bytes = try await store.loadOrPublish(key(store)) { try local(dataDirectory).encoded() }
            guard let decoded = SharedCredentials(decoding: bytes) else {
                throw DatastoreError("etcd holds unreadable cluster credentials at \(key(store))")
            }
            published = decoded
        }
        try published.install(in: dataDirectory)
    }

    /// This server's own, made when it has none.
    private static func local(_ directory: String) throws -> SharedCredentials {
        if let existing = read(directory) { return existing }
        _ = try Authenticator.loadOrCreate(directory: directory)
        _ = try ClusterPKI.loadOrCreate(directory: directory + "/tls", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        guard let made = read(directory) else { throw DatastoreError("cannot read back the credentials made in \(directory)") }
        return made
    }

    static func read(_ directory: String) -> SharedCredentials? {
        var files: [String: String] = [:]
        for (file, _) in layout {
            guard let text = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8) else { return nil }
            files[file] = text
        }
        return SharedCredentials(files: files)
    }

    /// Writes what differs. A different CA voids this server's serving certificate, which
    /// the server then issues afresh from the cluster's CA.
    func install(in directory: String) throws {
        let local = Self.read(directory)
        if local == self { return }
        try FileManager.default.createDirectory(atPath: directory + "/tls", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        if local?.files["tls/ca.crt"] != files["tls/ca.crt"] {
            for file in ["tls/server.crt", "tls/server.key"] { try? FileManager.default.removeItem(atPath: "\(directory)/\(file)") }
        }
        for (file, mode) in Self.layout {
            try ClusterPKI.write(files[file] ?? "", to: "\(directory)/\(file)", mode: mode)
        }
    }

    func encoded() -> [UInt8] {
        JSONSerializer.serialize(.object(files.mapValues { .string($0) }))
    }

    init(files: [String: String]) { self.files = files }

    init?(decoding bytes: [UInt8]) {
        guard let object = try? JSONParser.parse(bytes) else { return nil }
        var files: [String: String] = [:]
        for (file, _) in Self.layout {
            guard let text = object[file]?.stringValue else { return nil }
            files[file] = text
        }
        self.files = files
    }
}
