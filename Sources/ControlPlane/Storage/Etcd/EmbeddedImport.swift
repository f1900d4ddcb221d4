import Foundation
import Logging

/// `skiff server --datastore etcd://… --import DIR`: copies an embedded (SQLite) cluster's
/// objects into an empty etcd. Every object keeps its uid, names and content; resource
/// versions start afresh from etcd's revisions. Clients still holding the old ones are told
/// their version is too large (lists and watches) and relist, as after an etcd restore.
///
/// One object per transaction: each stays under etcd's request limit whatever the others
/// weigh, and each is its own revision, as every event in the store is. A failed import
/// takes back what it wrote, so it can simply be run again.
enum EmbeddedImport {
    static let pageSize = 500
    static let inFlight = 16

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
        do {
            repeat {
                let page = try await source.list(prefix: "/", startAfter: after, limit: pageSize, revision: nil)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (i, object) in page.items.enumerated() {
                        if i >= inFlight { try await group.next() }
                        group.addTask { try await etcd.importObject(object) }
                    }
                    try await group.waitForAll()
                }
                copied += page.items.count
                after = page.nextKey
            } while after != nil
        } catch {
            logger.error("import failed after \(copied) objects (\(error)); removing what was written")
            try? await etcd.removeEverything()
            throw error
        }
        logger.info("imported \(copied) objects from \(path) into etcd")
        return copied
    }
}
