import Foundation
import KubeAPI
import Logging

/// The store on an etcd cluster, through etcd's v3 API: what lets several API servers
/// serve one cluster. etcd's revision is the resourceVersion, writes are transactions
/// that compare `mod_revision` (or `create_revision` = 0 for a create), gets go to etcd,
/// and lists and watches are served by the watch cache, which one etcd watch keeps
/// (`EtcdWatchCache`; without it, each list is a range and each watch an etcd watch).
///
/// Keys live under `prefix` (`/registry`, as kube-apiserver's), so `/pods/ns/name` is
/// `/registry/pods/ns/name` in etcd. Skiff's own cluster data (shared certificates and
/// tokens, the compaction marker) lives under `/skiff/registry/`, outside what the API serves.
public final class EtcdStore: Store, Sendable {
    let client: EtcdClient
    let prefix: String
    let codec: EtcdKeyCodec
    /// Serves lists and watches from memory (nil: every read goes to etcd).
    let cache: EtcdWatchCache?
    private let compaction = CompactionMarker()

    /// etcd's default --max-request-bytes, for the 413's message (etcd does not say its own).
    static let defaultRequestLimit = 1_572_864

    /// Skiff's own keys for this cluster: beside the API's prefix, not under it, and apart
    /// from other clusters' that use other prefixes in the same etcd.
    var ownPrefix: String { "/skiff" + prefix }

    /// The key kube-apiserver's compactor uses to agree, across servers, on who compacts.
    var compactionKey: String { ownPrefix + "/compact_rev_key" }

    public init(endpoints: [String], tls: EtcdTLSFiles = EtcdTLSFiles(), prefix: String = "/registry",
                watchCache: Bool = true, historyCapacity: Int = 8192, logger: Logger = Logger(label: "skiff.etcd")) throws {
        client = try EtcdClient(endpoints: endpoints, tls: tls)
        var prefix = prefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.prefix = prefix
        codec = EtcdKeyCodec(prefix: prefix)
        cache = watchCache ? EtcdWatchCache(client: client, codec: codec, historyCapacity: historyCapacity, logger: logger) : nil
    }

    public func shutdown() async throws {
        cache?.stop()
        try await client.shutdown()
    }

    func etcdKey(_ key: String) -> [UInt8] { codec.etcdKey(key) }

    /// Runs an etcd call, its errors as the store's.
    static func unavailableOnError<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as EtcdError where error.isTooLarge {
            throw StoreError.tooLarge(limit: defaultRequestLimit)
        } catch let error as EtcdError {
            throw StoreError.unavailable(error.description)
        }
    }

    /// The end of etcd's half-open range for every key starting with `start`.
    static func rangeEnd(_ start: [UInt8]) -> [UInt8] {
        var end = start
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }

    private func object(_ kv: EtcdKeyValue) -> StoredObject { codec.object(kv) }

    // MARK: - Reads

    public func currentRevision() async throws -> Int64 {
        let answer = try await call("kv/range", ["key": EtcdBase64.encode(compactionKey), "count_only": true])
        return EtcdInt64.header(answer)
    }

    public func get(_ key: String) async throws -> StoredObject? {
        let answer = try await call("kv/range", ["key": EtcdBase64.encode(etcdKey(key))])
        return EtcdKeyValue(answer["kvs"]?.arrayValue?.first).map(object)
    }

    public func list(prefix keyPrefix: String, startAfter: String?, limit: Int, revision: Int64?) async throws -> ListPage {
        if let cache, let page = try await cachedList(cache, prefix: keyPrefix, startAfter: startAfter, limit: limit, revision: revision) {
            return page
        }
        return try await listFromEtcd(prefix: keyPrefix, startAfter: startAfter, limit: limit, revision: revision)
    }

    /// A consistent list from memory: the latest state once the cache has caught up with
    /// etcd's revision now (upstream's consistent read from the watch cache), or the state at
    /// `revision` when that is where the cache is. Nil sends the read to etcd.
    private func cachedList(_ cache: EtcdWatchCache, prefix keyPrefix: String, startAfter: String?, limit: Int,
                            revision: Int64?) async throws -> ListPage? {
        try await cache.ready()
        let bounds = SQLiteStore.range(prefix: keyPrefix, startAfter: startAfter)
        if let revision, revision > 0 {
            return cache.list(low: bounds.low, after: bounds.after, high: bounds.high, limit: limit, at: revision)
        }
        let now = try await currentRevision()
        guard await cache.wait(for: now, timeout: .seconds(3)) else { return nil }
        return cache.list(low: bounds.low, after: bounds.after, high: bounds.high, limit: limit, at: nil)
    }

    private func listFromEtcd(prefix keyPrefix: String, startAfter: String?, limit: Int, revision: Int64?) async throws -> ListPage {
        let start = etcdKey(keyPrefix)
        var from = start
        // Never before the prefix, whatever a continue token says.
        if let startAfter {
            let after = etcdKey(startAfter) + [0]
            if start.lexicographicallyPrecedes(after) { from = after }
        }
        var request: JSONValue = ["key": EtcdBase64.encode(from), "range_end": EtcdBase64.encode(Self.rangeEnd(start))]
        if limit > 0 { request["limit"] = .int(Int64(limit)) }
        if let revision, revision > 0 { request["revision"] = .int(revision) }
        let answer: JSONValue
        do {
            answer = try await client.call("kv/range", request)
        } catch let error as EtcdError where error.isCompacted {
            throw StoreError.expired(requested: revision ?? 0, compacted: await compactedRevision() ?? (revision ?? 0) + 1)
        } catch let error as EtcdError where error.isFutureRevision {
            return try await listFromEtcd(prefix: keyPrefix, startAfter: startAfter, limit: limit, revision: nil)
        } catch let error as EtcdError {
            throw StoreError.unavailable(error.description)
        }
        let items = (answer["kvs"]?.arrayValue ?? []).compactMap { EtcdKeyValue($0) }.map(object)
        let more = answer["more"]?.boolValue ?? false
        let count = Int(EtcdInt64.read(answer["count"]))
        return ListPage(items: items, revision: (revision.flatMap { $0 > 0 ? $0 : nil }) ?? EtcdInt64.header(answer),
                        nextKey: more ? items.last?.key : nil, remaining: more ? max(count - items.count, 0) : 0)
    }

    // MARK: - Writes

    public func create(_ key: String, value: @escaping ValueForRevision) async throws -> StoredObject {
        let bytes = try RevisionStamp.render(value)
        let k = EtcdBase64.encode(etcdKey(key))
        let answer = try await transaction([
            "compare": [["target": "CREATE", "key": k, "create_revision": 0]],
            "success": [["request_put": ["key": k, "value": EtcdBase64.encode(bytes)]]],
        ])
        guard answer["succeeded"]?.boolValue == true else { throw StoreError.alreadyExists(key: key) }
        let revision = EtcdInt64.header(answer)
        return StoredObject(key: key, value: RevisionStamp.stamp(bytes, revision: revision), revision: revision)
    }

    public func update(_ key: String, expectedRevision: Int64, value: @escaping ValueForRevision) async throws -> StoredObject {
        let bytes = try RevisionStamp.render(value)
        let revision = try await compareAndSwap(key, expectedRevision: expectedRevision,
                                                operation: ["request_put": ["key": EtcdBase64.encode(etcdKey(key)), "value": EtcdBase64.encode(bytes)]])
        return StoredObject(key: key, value: RevisionStamp.stamp(bytes, revision: revision), revision: revision)
    }

    /// Watchers see the object's last stored state, as etcd delivers a deletion; `value`
    /// is what the caller gets back.
    public func delete(_ key: String, expectedRevision: Int64, value: @escaping ValueForRevision) async throws -> StoredObject {
        let bytes = try RevisionStamp.render(value)
        let revision = try await compareAndSwap(key, expectedRevision: expectedRevision,
                                                operation: ["request_delete_range": ["key": EtcdBase64.encode(etcdKey(key))]])
        return StoredObject(key: key, value: RevisionStamp.stamp(bytes, revision: revision), revision: revision)
    }

    /// One transaction: `operation` if the key is still at `expectedRevision`, else a read
    /// that tells a missing key from a changed one.
    private func compareAndSwap(_ key: String, expectedRevision: Int64, operation: JSONValue) async throws -> Int64 {
        let k = EtcdBase64.encode(etcdKey(key))
        let answer = try await transaction([
            "compare": [["target": "MOD", "key": k, "mod_revision": .int(expectedRevision)]],
            "success": [operation],
            "failure": [["request_range": ["key": k]]],
        ])
        if answer["succeeded"]?.boolValue == true { return EtcdInt64.header(answer) }
        let current = EtcdKeyValue(Self.failureRead(answer))
        guard let current else { throw StoreError.notFound(key: key) }
        throw StoreError.conflict(key: key, expected: expectedRevision, actual: current.modRevision)
    }

    /// The key a failed transaction's `failure` branch read (nil when it does not exist).
    private static func failureRead(_ answer: JSONValue) -> JSONValue? {
        answer[path: ["responses"]]?.arrayValue?.first?[path: ["response_range", "kvs"]]?.arrayValue?.first
    }

    private func transaction(_ body: JSONValue) async throws -> JSONValue {
        try await call("kv/txn", body)
    }

    /// A call whose etcd errors all mean the store cannot serve it now.
    private func call(_ method: String, _ body: JSONValue) async throws -> JSONValue {
        try await Self.unavailableOnError { try await client.call(method, body) }
    }

    // MARK: - Watch

    /// From the watch cache: one etcd watch feeds every watcher; one further back than the
    /// cache's ring reads that history from etcd first. Without the cache, a watch of its own.
    public func watch(prefix keyPrefix: String, afterRevision: Int64) async throws -> StoreWatch {
        guard let cache else { return try await directWatch(prefix: keyPrefix, afterRevision: afterRevision) }
        try await cache.ready()
        let feed = WatchFeed(prefix: keyPrefix, after: afterRevision) { after, upTo, prefix in
            try await cache.readLog(after: after, upTo: upTo, prefix: prefix)
        }
        cache.hub.subscribe(feed, afterRevision: afterRevision)
        let hub = cache.hub
        return StoreWatch(next: { try await feed.next() }, progress: { feed.progress(hubRevision: hub.revision) })
    }

    private func directWatch(prefix keyPrefix: String, afterRevision: Int64) async throws -> StoreWatch {
        let start = etcdKey(keyPrefix)
        let watch = try await EtcdWatch.open(client: client, key: start, rangeEnd: Self.rangeEnd(start), after: afterRevision,
                                             previousVersions: true)
        let pending = DirectWatchState(delivered: afterRevision)
        let codec = self.codec
        return StoreWatch(next: {
            while true {
                if let event = pending.take() { return event }
                let batch = try await watch.nextBatch()
                pending.add(batch.events.compactMap(codec.event), upTo: batch.revision)
            }
        }, progress: { pending.progress })
    }

    // MARK: - Compaction

    /// Compacts etcd's history to `target`, once per interval across all servers: as
    /// kube-apiserver does, a server compacts only if it wins the transaction that bumps
    /// the shared marker's version from the one it last saw.
    public func compact(to target: Int64) async throws {
        guard target > 0 else { return }
        let k = EtcdBase64.encode(compactionKey)
        let seen = compaction.version
        let answer = try await transaction([
            "compare": [["target": "VERSION", "key": k, "version": .int(seen)]],
            "success": [["request_put": ["key": k, "value": EtcdBase64.encode(String(target))]]],
            "failure": [["request_range": ["key": k]]],
        ])
        guard answer["succeeded"]?.boolValue == true else {
            let current = Self.failureRead(answer)
            compaction.version = EtcdInt64.read(current?["version"])
            return
        }
        compaction.version = seen + 1
        do {
            _ = try await client.call("kv/compaction", ["revision": .int(target)])
        } catch let error as EtcdError where error.isCompacted {
            // Someone (etcd's own --auto-compaction) got further already.
        } catch let error as EtcdError {
            throw StoreError.unavailable(error.description)
        }
    }

    /// The last revision a server compacted to, for 410 messages.
    func compactedRevision() async -> Int64? {
        guard let answer = try? await client.call("kv/range", ["key": EtcdBase64.encode(compactionKey)]),
              let kv = EtcdKeyValue(answer["kvs"]?.arrayValue?.first) else { return nil }
        return Int64(String(decoding: kv.value, as: UTF8.self))
    }

    // MARK: - Skiff's own keys

    /// The value at `key` (outside the API's prefix), or the one `make` gives when there is
    /// none yet; of several servers starting at once, the first to write wins and the
    /// others get its value.
    func loadOrPublish(_ key: String, make: () throws -> [UInt8]) async throws -> [UInt8] {
        let k = EtcdBase64.encode(key)
        if let existing = EtcdKeyValue((try await call("kv/range", ["key": k]))["kvs"]?.arrayValue?.first) {
            return existing.value
        }
        let value = try make()
        let answer = try await transaction([
            "compare": [["target": "CREATE", "key": k, "create_revision": 0]],
            "success": [["request_put": ["key": k, "value": EtcdBase64.encode(value)]]],
            "failure": [["request_range": ["key": k]]],
        ])
        if answer["succeeded"]?.boolValue == true { return value }
        let winner = EtcdKeyValue(Self.failureRead(answer))
        guard let winner else { throw StoreError.unavailable("etcd: \(key) vanished while it was being published") }
        return winner.value
    }

    /// Sets `key` (outside the API's prefix) whatever it held.
    func replaceValue(_ key: String, with value: [UInt8]) async throws {
        _ = try await call("kv/put", ["key": EtcdBase64.encode(key), "value": EtcdBase64.encode(value)])
    }

    /// Whether anything is stored under the API's prefix (an import goes only into an empty one).
    func isEmpty() async throws -> Bool {
        let start = Array((prefix + "/").utf8)
        let answer = try await call("kv/range", ["key": EtcdBase64.encode(start), "range_end": EtcdBase64.encode(Self.rangeEnd(start)),
                                                        "count_only": true])
        return EtcdInt64.read(answer["count"]) == 0
    }

    /// Writes an object as it is (an import), only if its key is absent.
    func importObject(_ object: StoredObject) async throws {
        let k = EtcdBase64.encode(etcdKey(object.key))
        let answer = try await transaction([
            "compare": [["target": "CREATE", "key": k, "create_revision": 0]],
            "success": [["request_put": ["key": k, "value": EtcdBase64.encode(RevisionStamp.restore(object.value))]]],
        ])
        guard answer["succeeded"]?.boolValue == true else { throw StoreError.alreadyExists(key: object.key) }
    }

    /// Deletes every key under the API's prefix (a failed import's undoing).
    func removeEverything() async throws {
        let start = Array((prefix + "/").utf8)
        _ = try await call("kv/deleterange", ["key": EtcdBase64.encode(start), "range_end": EtcdBase64.encode(Self.rangeEnd(start))])
    }
}

/// A direct watch's events not yet handed out, and what it may claim.
private final class DirectWatchState: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [StoreEvent] = []
    private var delivered: Int64
    private var caughtUpTo: Int64?

    init(delivered: Int64) { self.delivered = delivered }

    func take() -> StoreEvent? {
        lock.withLock {
            guard !events.isEmpty else { return nil }
            let event = events.removeFirst()
            delivered = event.object.revision
            if events.isEmpty { caughtUpTo = delivered }
            return event
        }
    }

    func add(_ batch: [StoreEvent], upTo: Int64) {
        lock.withLock {
            events += batch
            caughtUpTo = events.isEmpty ? max(upTo, delivered) : nil
        }
    }

    var progress: WatchProgress { lock.withLock { WatchProgress(delivered: delivered, caughtUpTo: caughtUpTo) } }
}

/// The version of the compaction marker this server last saw.
private final class CompactionMarker: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Int64 = 0
    var version: Int64 {
        get { lock.withLock { seen } }
        set { lock.withLock { seen = newValue } }
    }
}
