import Foundation
import Logging

/// `skiff server --datastore etcd://… --import DIR`: copies an embedded (SQLite) cluster's
/// objects into an empty etcd. Every object keeps its uid, names and content; resource
/// versions start afresh from etcd's revisions, so clients relist once, as after an etcd
/// restore upstream.
enum EmbeddedImport {
    /// etcd's default limit of operations in one transaction is 128.
    static let batchSize = 100

    static func copy(from directory: String, into etcd: EtcdStore, logger: Logger) async throws -> Int {
        let path = directory + "/state.db"
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatastoreError("--import \(directory): no state.db there (the data directory of a server on the embedded store)")
        }
        guard try await etcd.isEmpty() else {
            throw DatastoreError("--import: etcd already holds a cluster under \(etcd.prefix)/; an import only fills an empty one")
        }
        let source = try SQLiteStore(path: path)
        var copied = 0
        var after: String?
        repeat {
            let page = try await source.list(prefix: "/", startAfter: after, limit: batchSize, revision: nil)
            try await etcd.importBatch(page.items)
            copied += page.items.count
            after = page.nextKey
        } while after != nil
        logger.info("imported \(copied) objects from \(path) into etcd")
        return copied
    }
}
