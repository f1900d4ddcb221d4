import Foundation
import KubeAPI

/// The store on an etcd cluster, through etcd's v3 API: what lets several API servers
/// serve one cluster. etcd's revision is the resourceVersion, writes are transactions
/// that compare `mod_revision` (or `create_revision` = 0 for a create), and a watch is
/// etcd's own watch from the revision asked for, with the previous version of each key.
///
/// Keys live under `prefix` (`/registry`, as kube-apiserver's), so `/pods/ns/name` is
/// `/registry/pods/ns/name` in etcd. Skiff's own cluster data (shared certificates and
/// tokens, the compaction marker) lives under `/skiff/`, outside what the API serves.
public final class EtcdStore: Store, Sendable {
    let client: EtcdClient
    let prefix: String
    private let compaction = CompactionMarker()

    /// etcd's default --max-request-bytes, for the 413's message (etcd does not say its own).
    static let defaultRequestLimit = 1_572_864

    /// The key kube-apiserver's compactor uses to agree, across servers, on who compacts.
    static let compactionKey = "/skiff/compact_rev_key"

    public init(endpoints: [String], tls: EtcdTLSFiles = EtcdTLSFiles(), prefix: String = "/registry") throws {
        client = try EtcdClient(endpoints: endpoints, tls: tls)
        var prefix = prefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.prefix = prefix
    }

    public func shutdown() async throws { try await client.shutdown() }

    func etcdKey(_ key: String) -> [UInt8] { Array((prefix + key).utf8) }

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

    private func object(_ kv: EtcdKeyValue) -> StoredObject {
        StoredObject(key: String(decoding: kv.key.dropFirst(prefix.utf8.count), as: UTF8.self),
                     value: RevisionStamp.stamp(kv.value, revision: kv.modRevision), revision: kv.modRevision)
    }

    // MARK: - Reads

    public func currentRevision() async throws -> Int64 {
        let answer = try await call("kv/range", ["key": EtcdBase64.encode(Self.compactionKey), "count_only": true])
        return EtcdInt64.header(answer)
    }

    public func get(_ key: String) async throws -> StoredObject? {
        let answer = try await call("kv/range", ["key": EtcdBase64.encode(etcdKey(key))])
        return EtcdKeyValue(answer["kvs"]?.arrayValue?.first).map(object)
    }

    public func list(prefix keyPrefix: String, startAfter: String?, limit: Int, revision: Int64?) async throws -> ListPage {
        let start = etcdKey(keyPrefix)
        var from = start
        if let startAfter { from = etcdKey(startAfter) + [0] }
        var request: JSONValue = ["key": EtcdBase64.encode(from), "range_end": EtcdBase64.encode(Self.rangeEnd(start))]
        if limit > 0 { request["limit"] = .int(Int64(limit)) }
        if let revision, revision > 0 { request["revision"] = .int(revision) }
        let answer: JSONValue
        do {
            answer = try await client.call("kv/range", request)
        } catch let error as EtcdError where error.isCompacted {
            throw StoreError.expired(requested: revision ?? 0, compacted: await compactedRevision() ?? (revision ?? 0) + 1)
        } catch let error as EtcdError where error.isFutureRevision {
            return try await list(prefix: keyPrefix, startAfter: startAfter, limit: limit, revision: nil)
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
        let current = EtcdKeyValue(answer[path: ["responses"]]?.arrayValue?.first?[path: ["response_range", "kvs"]]?.arrayValue?.first)
        guard let current else { throw StoreError.notFound(key: key) }
        throw StoreError.conflict(key: key, expected: expectedRevision, actual: current.modRevision)
    }

    private func transaction(_ body: JSONValue) async throws -> JSONValue {
        try await call("kv/txn", body)
    }

    /// A call whose etcd errors all mean the store cannot serve it now.
    private func call(_ method: String, _ body: JSONValue) async throws -> JSONValue {
        do {
            return try await client.call(method, body)
        } catch let error as EtcdError where error.isTooLarge {
            throw StoreError.tooLarge(limit: Self.defaultRequestLimit)
        } catch let error as EtcdError {
            throw StoreError.unavailable(error.description)
        }
    }

    // MARK: - Watch

    public func watch(prefix keyPrefix: String, afterRevision: Int64) async throws -> StoreWatch {
        let start = etcdKey(keyPrefix)
        let (response, endpoint) = try await client.openWatch(["create_request": [
            "key": EtcdBase64.encode(start), "range_end": EtcdBase64.encode(Self.rangeEnd(start)),
            "start_revision": .int(afterRevision + 1), "prev_kv": true, "progress_notify": true,
        ]])
        let watch = EtcdWatch(response: response, endpoint: endpoint, store: self, requested: afterRevision)
        try await watch.awaitCreated()
        let progress = watch.progress
        return StoreWatch(next: { try await watch.next() }, progress: { progress.report })
    }

    /// One event from etcd's watch: a put is ADDED when it created the key, else MODIFIED;
    /// a delete carries the key's last state stamped with the deletion's revision.
    func event(_ raw: JSONValue) -> StoreEvent? {
        guard let kv = EtcdKeyValue(raw["kv"]) else { return nil }
        let previous = EtcdKeyValue(raw["prev_kv"]).map(object)
        if raw["type"]?.stringValue == "DELETE" {
            guard let last = EtcdKeyValue(raw["prev_kv"]) else { return nil }
            var gone = object(last)
            gone.value = RevisionStamp.stamp(last.value, revision: kv.modRevision)
            gone.revision = kv.modRevision
            return StoreEvent(kind: .deleted, object: gone, previous: previous)
        }
        let kind: StoreEvent.Kind = kv.createRevision == kv.modRevision ? .added : .modified
        return StoreEvent(kind: kind, object: object(kv), previous: kind == .added ? nil : previous)
    }

    // MARK: - Compaction

    /// Compacts etcd's history to `target`, once per interval across all servers: as
    /// kube-apiserver does, a server compacts only if it wins the transaction that bumps
    /// the shared marker's version from the one it last saw.
    public func compact(to target: Int64) async throws {
        guard target > 0 else { return }
        let k = EtcdBase64.encode(Self.compactionKey)
        let seen = compaction.version
        let answer = try await transaction([
            "compare": [["target": "VERSION", "key": k, "version": .int(seen)]],
            "success": [["request_put": ["key": k, "value": EtcdBase64.encode(String(target))]]],
            "failure": [["request_range": ["key": k]]],
        ])
        guard answer["succeeded"]?.boolValue == true else {
            let current = answer[path: ["responses"]]?.arrayValue?.first?[path: ["response_range", "kvs"]]?.arrayValue?.first
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
        guard let answer = try? await client.call("kv/range", ["key": EtcdBase64.encode(Self.compactionKey)]),
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
        let winner = EtcdKeyValue(answer[path: ["responses"]]?.arrayValue?.first?[path: ["response_range", "kvs"]]?.arrayValue?.first)
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

    /// Writes objects as they are (an import): one transaction per batch, each key created
    /// only if absent.
    func importBatch(_ objects: [StoredObject]) async throws {
        guard !objects.isEmpty else { return }
        var compare: [JSONValue] = []
        var success: [JSONValue] = []
        for object in objects {
            let k = EtcdBase64.encode(etcdKey(object.key))
            compare.append(["target": "CREATE", "key": k, "create_revision": 0])
            success.append(["request_put": ["key": k, "value": EtcdBase64.encode(RevisionStamp.restore(object.value))]])
        }
        let answer = try await transaction(["compare": .array(compare), "success": .array(success)])
        guard answer["succeeded"]?.boolValue == true else {
            throw StoreError.alreadyExists(key: objects.map(\.key).joined(separator: ", "))
        }
    }
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
