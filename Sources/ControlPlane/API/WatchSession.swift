import Foundation
import KubeAPI

/// One watch request: newline-delimited JSON events (`{"type":…,"object":…}`), starting
/// with synthetic ADDED events when no resourceVersion was given, BOOKMARKs when asked,
/// and an ERROR event with a 410 Status when the requested history is gone.
struct WatchSession: Sendable {
    let def: ResourceDefinition
    let prefix: String
    let filter: ObjectFilter
    let table: TableRequest?
    let query: QueryParameters
    let store: any Store
    let startRevision: Int64?
    let timeout: Duration
    let bookmarks: Bool
    let bookmarkInterval: Duration

    init(def: ResourceDefinition, prefix: String, query: QueryParameters, table: TableRequest?, request: HTTPRequest,
         store: any Store, bookmarkInterval: Duration = .seconds(60)) throws {
        self.def = def
        self.prefix = prefix
        self.query = query
        self.table = table
        self.store = store
        filter = try ObjectFilter(def: def, query: query)
        if let rv = query["resourceVersion"], !rv.isEmpty, rv != "0" {
            guard let n = Int64(rv) else { throw APIError.badRequest("invalid resource version: \(rv)") }
            startRevision = n
        } else {
            startRevision = nil
        }
        // As kube-apiserver: the client's timeout, or a random 30–60 minutes so watchers
        // spread their reconnects; clamped so no value can overflow a clock.
        let requested = query["timeoutSeconds"].flatMap { Int64($0) } ?? 0
        timeout = .seconds(requested > 0 ? min(requested, 86_400) : Int64.random(in: 1800...3600))
        bookmarks = query.bool("allowWatchBookmarks")
        self.bookmarkInterval = bookmarkInterval
    }

    func stream() -> ByteQueue {
        let queue = ByteQueue()
        let writer = EventWriter(queue: queue)
        let session = self
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await session.run(writer) }
                group.addTask { try? await Task.sleep(for: session.timeout) }
                if session.bookmarks {
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: session.bookmarkInterval)
                            if Task.isCancelled { break }
                            writer.bookmark(kind: session.def.kind, apiVersion: session.def.apiVersion)
                        }
                    }
                }
                // Whichever ends first (stream over, timeout) ends the watch.
                await group.next()
                group.cancelAll()
            }
            queue.finish()
        }
        queue.setOnCancel { task.cancel() }
        return queue
    }

    private func run(_ writer: EventWriter) async {
        do {
            let from: Int64
            if let startRevision {
                from = startRevision
            } else {
                let page = try await store.list(prefix: prefix, startAfter: nil, limit: 0, revision: nil)
                for item in page.items where try filter.matches(stored: item.value) {
                    if let table {
                        let object = try JSONParser.parse(item.value)
                        writer.send(type: "ADDED", object: try render(object, table: table), revision: item.revision)
                    } else {
                        writer.send(type: "ADDED", objectBytes: item.value, revision: item.revision)
                    }
                }
                from = page.revision
            }
            writer.setRevision(from)
            let events = try await store.watch(prefix: prefix, afterRevision: from)
            writer.setProgress(events.progress)
            for try await event in events {
                try Task.checkCancellation()
                // Seen, even if filtered out: a bookmark may claim this revision.
                defer { writer.setRevision(event.object.revision) }
                var type: String
                switch event.kind {
                case .added: type = "ADDED"
                case .modified: type = "MODIFIED"
                case .deleted: type = "DELETED"
                }
                if filter.isEmpty, table == nil {
                    writer.send(type: type, objectBytes: event.object.value, revision: event.object.revision)
                    continue
                }
                // As upstream's watch cache: an object that starts matching arrives as ADDED,
                // one that stops matching leaves as DELETED (its previous state, stamped with
                // this event's resourceVersion).
                var bytes = event.object.value
                switch event.kind {
                case .added:
                    guard try filter.matches(stored: bytes) else { continue }
                case .deleted:
                    guard try filter.matches(stored: bytes) else { continue }
                case .modified:
                    let now = try filter.matches(stored: bytes)
                    let before = try event.previous.map { try filter.matches(stored: $0.value) } ?? false
                    switch (before, now) {
                    case (false, false): continue
                    case (false, true): type = "ADDED"
                    case (true, true): type = "MODIFIED"
                    case (true, false):
                        type = "DELETED"
                        if let previous = event.previous {
                            var old = try JSONParser.parse(previous.value)
                            old[path: ["metadata", "resourceVersion"]] = .string(String(event.object.revision))
                            bytes = JSONSerializer.serialize(old)
                        }
                    }
                }
                if let table {
                    let object = try JSONParser.parse(bytes)
                    writer.send(type: type, object: try render(object, table: table), revision: event.object.revision)
                } else {
                    writer.send(type: type, objectBytes: bytes, revision: event.object.revision)
                }
            }
        } catch StoreError.expired(let requested, let compacted) {
            let status = APIError.expired("too old resource version: \(requested) (\(compacted))").status
            writer.send(type: "ERROR", object: status, revision: nil)
        } catch is CancellationError {
        } catch StoreError.unavailable {
            // The datastore went away under the watch (an etcd member died): end the stream
            // and let the client watch again from where it got to, on whatever answers next.
        } catch {
            let status = APIError.internalError("\(error)").status
            writer.send(type: "ERROR", object: status, revision: nil)
        }
    }

    private func render(_ object: JSONValue, table: TableRequest) throws -> JSONValue {
        try table.table(def: def, objects: [object], listMeta: ["resourceVersion": object[path: ["metadata", "resourceVersion"]] ?? ""],
                               query: query)
    }
}

/// Serialises events onto the response stream, remembering the last revision sent so
/// a bookmark never claims a revision the client has not seen.
private final class EventWriter: @unchecked Sendable {
    private let queue: ByteQueue
    private let lock = NSLock()
    private var lastRevision: Int64 = 0
    private var progress: (@Sendable () -> WatchProgress)?

    init(queue: ByteQueue) {
        self.queue = queue
    }

    func setRevision(_ revision: Int64) {
        lock.withLock { lastRevision = max(lastRevision, revision) }
    }

    func send(type: String, object: JSONValue, revision: Int64?) {
        send(type: type, objectBytes: JSONSerializer.serialize(object), revision: revision)
    }

    func send(type: String, objectBytes: [UInt8], revision: Int64?) {
        var line: [UInt8] = []
        line.reserveCapacity(objectBytes.count + 32)
        line.append(contentsOf: "{\"type\":\"\(type)\",\"object\":".utf8)
        line.append(contentsOf: objectBytes)
        line.append(contentsOf: "}\n".utf8)
        lock.withLock {
            queue.append(line)
            if let revision { lastRevision = max(lastRevision, revision) }
        }
    }

    func setProgress(_ progress: @escaping @Sendable () -> WatchProgress) {
        lock.withLock { self.progress = progress }
    }

    /// Claims the newest revision the client is known to be up to date with: what it was
    /// sent, or — when the watch has nothing pending and everything it handed out was
    /// written — the store's revision, so a quiet watch does not fall behind compaction.
    func bookmark(kind: String, apiVersion: String) {
        lock.withLock {
            if let report = progress?(), let caughtUp = report.caughtUpTo, lastRevision >= report.delivered {
                lastRevision = max(lastRevision, caughtUp)
            }
            guard lastRevision > 0 else { return }
            let object: JSONValue = ["kind": .string(kind), "apiVersion": .string(apiVersion),
                                     "metadata": ["resourceVersion": .string(String(lastRevision))]]
            var line = Array("{\"type\":\"BOOKMARK\",\"object\":".utf8)
            line.append(contentsOf: JSONSerializer.serialize(object))
            line.append(contentsOf: "}\n".utf8)
            queue.append(line)
        }
    }
}
