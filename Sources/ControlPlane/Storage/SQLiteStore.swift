import CSQLite
import Dispatch
import Foundation

/// The embedded store: SQLite in WAL mode, one writer, revisioned history.
///
/// Shaped by what goes wrong in kine: one connection writes (no "database is locked"
/// under load), the current state is its own indexed table (no "latest row per key"
/// scans), history is compacted to a bounded window the way etcd compacts (the newest
/// version of each live key below the compaction point is kept), and the WAL is
/// checkpointed after compaction so it cannot grow without end.
///
/// Tables: `log` holds every version (revision = resourceVersion), `objects` points each
/// live key at the revision of its current version.
public final class SQLiteStore: Store, @unchecked Sendable {
    // Each connection is confined to its queue; that is what makes this type Sendable.
    private let writer: SQLiteConnection
    private let writeQueue = DispatchQueue(label: "skiff.store.writer")
    private let readers: [(SQLiteConnection, DispatchQueue)]
    private let nextReader = ManagedAtomicCounter()
    private let hub: WatchHub
    /// Revision of the last committed write; only the writer queue changes it.
    private var revision: Int64 = 0
    private var compactedRevision: Int64 = 0
    /// Current state in memory; changed with `revision`, under `lock`, after each commit.
    private var live = LiveIndex()
    private let lock = NSLock()

    public init(path: String, historyCapacity: Int = 8192) throws {
        writer = try SQLiteConnection(path: path)
        try writer.execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            PRAGMA foreign_keys=OFF;
            CREATE TABLE IF NOT EXISTS log (
                revision INTEGER PRIMARY KEY,
                key TEXT NOT NULL,
                kind INTEGER NOT NULL,
                value BLOB NOT NULL
            );
            CREATE INDEX IF NOT EXISTS log_key_revision ON log(key, revision);
            CREATE TABLE IF NOT EXISTS objects (
                key TEXT PRIMARY KEY,
                revision INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            """)
        var latest: Int64 = 0
        try writer.query("SELECT coalesce(max(revision), 0) FROM log") { latest = $0.int(0) }
        var compacted: Int64 = 0
        try writer.query("SELECT value FROM meta WHERE name = 'compacted'") { compacted = $0.int(0) }
        revision = max(latest, compacted)
        compactedRevision = compacted
        var live = LiveIndex()
        try writer.query("SELECT o.key, l.value, o.revision FROM objects o JOIN log l ON l.revision = o.revision") { row in
            live.put(StoredObject(key: row.text(0), value: row.blob(1), revision: row.int(2)))
        }
        self.live = live
        var readers: [(SQLiteConnection, DispatchQueue)] = []
        for i in 0..<2 {
            let connection = try SQLiteConnection(path: path)
            try connection.execute("PRAGMA query_only=1;")
            readers.append((connection, DispatchQueue(label: "skiff.store.reader.\(i)")))
        }
        self.readers = readers
        hub = WatchHub(capacity: historyCapacity, startRevision: revision)
    }

    // MARK: - Reads

    public func currentRevision() async throws -> Int64 {
        lock.withLock { revision }
    }

    public func get(_ key: String) async throws -> StoredObject? {
        lock.withLock { live[key] }
    }

    public func list(prefix: String, startAfter: String?, limit: Int, revision atRevision: Int64?) async throws -> ListPage {
        let bounds = Self.range(prefix: prefix, startAfter: startAfter)
        // The current state comes from memory; an older revision from the log.
        let current: ListPage? = lock.withLock {
            guard atRevision == nil || atRevision! >= revision else { return nil }
            let (items, remaining) = live.range(low: bounds.low, after: bounds.after, high: bounds.high, limit: limit)
            return Self.page(items, revision: revision, limit: limit, remaining: remaining)
        }
        if let current { return current }
        let compacted = lock.withLock { compactedRevision }
        if let atRevision, atRevision < compacted {
            throw StoreError.expired(requested: atRevision, compacted: compacted)
        }
        let at = atRevision!
        return try await onReader { db in
            try db.execute("BEGIN")
            defer { try? db.execute("COMMIT") }
            try Self.checkNotCompacted(db: db, revision: at)
            let items = try Self.historicalList(db: db, bounds: bounds, at: at, limit: limit)
            var remaining = 0
            if limit > 0, items.count > limit {
                // Approximate for history: keys under the range now, past the page.
                try db.query("SELECT count(*) FROM objects WHERE key > ? AND key < ?", [.text(items[limit - 1].key), .text(bounds.high)]) {
                    remaining = Int($0.int(0))
                }
            }
            return Self.page(items, revision: at, limit: limit, remaining: remaining)
        }
    }

    private static func page(_ items: [StoredObject], revision: Int64, limit: Int, remaining: Int) -> ListPage {
        guard limit > 0, items.count > limit else {
            return ListPage(items: items, revision: revision, nextKey: nil, remaining: 0)
        }
        let kept = Array(items.prefix(limit))
        return ListPage(items: kept, revision: revision, nextKey: kept.last?.key, remaining: remaining)
    }

    /// The state of a key range at an older revision: current versions not touched since,
    /// plus, for keys written after it, their newest version at or before it. A page reads
    /// only its own window of keys: the untouched ones in key order up to the page's size
    /// bound it, so the touched keys beyond it cannot be on the page. Paging through a
    /// collection that is being written to thus costs each page its own size, not the whole
    /// collection's.
    private static func historicalList(db: SQLiteConnection, bounds: (low: String, after: String, high: String), at: Int64, limit: Int) throws -> [StoredObject] {
        var byKey: [String: StoredObject] = [:]
        var untouched = "SELECT o.key, l.value, o.revision FROM objects o JOIN log l ON l.revision = o.revision "
            + "WHERE o.key >= ? AND o.key > ? AND o.key < ? AND o.revision <= ? ORDER BY o.key"
        if limit > 0 { untouched += " LIMIT \(limit + 1)" }
        var last: String?
        try db.query(untouched, [.text(bounds.low), .text(bounds.after), .text(bounds.high), .int(at)]) { row in
            let object = StoredObject(key: row.text(0), value: row.blob(1), revision: row.int(2))
            byKey[object.key] = object
            last = object.key
        }
        // With a full page of untouched keys, nothing past the last of them can make the page.
        let windowEnd = limit > 0 && byKey.count == limit + 1 ? last : nil
        var touched: [String] = []
        try db.query("SELECT DISTINCT key FROM log WHERE revision > ? AND key >= ? AND key > ? AND key < ?"
                     + (windowEnd == nil ? "" : " AND key <= ?"),
                     [.int(at), .text(bounds.low), .text(bounds.after), .text(bounds.high)] + (windowEnd.map { [.text($0)] } ?? [])) {
            touched.append($0.text(0))
        }
        for key in touched {
            try db.query("SELECT kind, value, revision FROM log WHERE key = ? AND revision <= ? ORDER BY revision DESC LIMIT 1",
                         [.text(key), .int(at)]) { row in
                if row.int(0) != StoreEvent.Kind.deleted.rawValue {
                    byKey[key] = StoredObject(key: key, value: row.blob(1), revision: row.int(2))
                } else {
                    byKey[key] = nil
                }
            }
        }
        let sorted = byKey.values.sorted { $0.key < $1.key }
        return limit > 0 ? Array(sorted.prefix(limit + 1)) : sorted
    }

    // MARK: - Writes

    public func create(_ key: String, value: @escaping ValueForRevision) async throws -> StoredObject {
        try await write(key: key, expectedRevision: nil, kind: .added, value: value)
    }

    public func update(_ key: String, expectedRevision: Int64, value: @escaping ValueForRevision) async throws -> StoredObject {
        try await write(key: key, expectedRevision: expectedRevision, kind: .modified, value: value)
    }

    public func delete(_ key: String, expectedRevision: Int64, value: @escaping ValueForRevision) async throws -> StoredObject {
        try await write(key: key, expectedRevision: expectedRevision, kind: .deleted, value: value)
    }

    private func write(key: String, expectedRevision: Int64?, kind: StoreEvent.Kind, value: @escaping ValueForRevision) async throws -> StoredObject {
        try await withCheckedThrowingContinuation { continuation in
            writeQueue.async {
                continuation.resume(with: Result { try self.writeOnQueue(key: key, expectedRevision: expectedRevision, kind: kind, value: value) })
            }
        }
    }

    private func writeOnQueue(key: String, expectedRevision: Int64?, kind: StoreEvent.Kind, value: ValueForRevision) throws -> StoredObject {
        let db = writer
        try db.execute("BEGIN IMMEDIATE")
        var committed = false
        defer { if !committed { try? db.execute("ROLLBACK") } }

        // Only this queue changes `live`, so it agrees with the table here.
        let previous = lock.withLock { live[key] }
        let existing = previous?.revision
        switch kind {
        case .added:
            if existing != nil { throw StoreError.alreadyExists(key: key) }
        case .modified, .deleted:
            guard let existing else { throw StoreError.notFound(key: key) }
            if let expectedRevision, existing != expectedRevision {
                throw StoreError.conflict(key: key, expected: expectedRevision, actual: existing)
            }
        }
        let newRevision = revision + 1
        let bytes = try value(newRevision)
        try db.query("INSERT INTO log (revision, key, kind, value) VALUES (?, ?, ?, ?)",
                     [.int(newRevision), .text(key), .int(kind.rawValue), .blob(bytes)])
        if kind == .deleted {
            try db.query("DELETE FROM objects WHERE key = ?", [.text(key)])
        } else {
            try db.query("INSERT INTO objects (key, revision) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET revision = excluded.revision",
                         [.text(key), .int(newRevision)])
        }
        try db.execute("COMMIT")
        committed = true
        let object = StoredObject(key: key, value: bytes, revision: newRevision)
        lock.withLock {
            revision = newRevision
            if kind == .deleted { live.remove(key) } else { live.put(object) }
        }
        hub.publish(StoreEvent(kind: kind, object: object, previous: previous))
        return object
    }

    // MARK: - Watch

    public func watch(prefix: String, afterRevision: Int64) async throws -> StoreWatch {
        let compacted = lock.withLock { compactedRevision }
        if afterRevision < compacted { throw StoreError.expired(requested: afterRevision, compacted: compacted) }
        let feed = WatchFeed(prefix: prefix, after: afterRevision) { [weak self] after, upTo, prefix in
            guard let self else { throw StoreError.unavailable("store closed") }
            return try await self.readLog(after: after, upTo: upTo, prefix: prefix)
        }
        hub.subscribe(feed, afterRevision: afterRevision)
        // Pull-based: history is read only as fast as the watcher consumes it.
        let hub = self.hub
        return StoreWatch(next: { try await feed.next() }, progress: { feed.progress(hubRevision: hub.revision) })
    }

    /// One page of history under `prefix` in (after, upTo], each modification with the
    /// version it replaced. Checked against compaction inside the same read transaction,
    /// so a concurrent compaction gives `expired` rather than a silent gap.
    private func readLog(after: Int64, upTo: Int64, prefix: String) async throws -> [StoreEvent] {
        let bounds = Self.range(prefix: prefix, startAfter: nil)
        return try await onReader { db in
            try db.execute("BEGIN")
            defer { try? db.execute("COMMIT") }
            try Self.checkNotCompacted(db: db, revision: after)
            var events: [StoreEvent] = []
            try db.query("SELECT revision, key, kind, value FROM log WHERE revision > ? AND revision <= ? AND key >= ? AND key < ? ORDER BY revision LIMIT 1000",
                         [.int(after), .int(upTo), .text(bounds.low), .text(bounds.high)]) { row in
                let object = StoredObject(key: row.text(1), value: row.blob(3), revision: row.int(0))
                events.append(StoreEvent(kind: StoreEvent.Kind(rawValue: row.int(2)) ?? .modified, object: object))
            }
            for i in events.indices where events[i].kind != .added {
                try db.query("SELECT value, revision FROM log WHERE key = ? AND revision < ? ORDER BY revision DESC LIMIT 1",
                             [.text(events[i].object.key), .int(events[i].object.revision)]) { row in
                    events[i].previous = StoredObject(key: events[i].object.key, value: row.blob(0), revision: row.int(1))
                }
            }
            return events
        }
    }

    private static func checkNotCompacted(db: SQLiteConnection, revision: Int64) throws {
        var compacted: Int64 = 0
        try db.query("SELECT value FROM meta WHERE name = 'compacted'") { compacted = $0.int(0) }
        if revision < compacted { throw StoreError.expired(requested: revision, compacted: compacted) }
    }

    // MARK: - Compaction

    /// Drops history at or below `revision`, keeping the newest version of every key that
    /// still existed then (as etcd does), and then truncates the WAL.
    public func compact(to target: Int64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            writeQueue.async {
                continuation.resume(with: Result {
                    let db = self.writer
                    let current = self.lock.withLock { self.revision }
                    let target = min(target, current)
                    guard target > self.lock.withLock({ self.compactedRevision }) else { return }
                    try db.execute("BEGIN IMMEDIATE")
                    do {
                        try db.query("""
                            DELETE FROM log WHERE revision <= ?1 AND (kind = 2 OR EXISTS (
                                SELECT 1 FROM log newer WHERE newer.key = log.key AND newer.revision > log.revision AND newer.revision <= ?1))
                            """, [.int(target)])
                        try db.query("INSERT INTO meta (name, value) VALUES ('compacted', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                                     [.int(target)])
                        try db.execute("COMMIT")
                    } catch {
                        try? db.execute("ROLLBACK")
                        throw error
                    }
                    self.lock.withLock { self.compactedRevision = target }
                    try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                })
            }
        }
    }

    public var compacted: Int64 { lock.withLock { compactedRevision } }

    // MARK: - Helpers

    private func onReader<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let (db, queue) = readers[nextReader.next() % readers.count]
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(db) }) }
        }
    }

    /// Bounds for keys under `prefix`: key >= low, key > after, key < high.
    static func range(prefix: String, startAfter: String?) -> (low: String, after: String, high: String) {
        var high = Array(prefix.utf8)
        if let last = high.popLast() { high.append(last + 1) } else { high = [0xF4] }
        return (prefix, startAfter ?? "", String(decoding: high, as: UTF8.self))
    }
}

/// A tiny lock-protected counter for round-robin choices.
final class ManagedAtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int { lock.withLock { value &+= 1; return value & Int.max } }
}
