import Foundation
import KubeAPI
import Logging

/// kube-apiserver's watch cache, for the etcd store: the current state of every key in
/// memory and the recent events in a ring, kept by ONE etcd watch, so that lists and
/// watches cost memory reads instead of etcd round trips, and a hundred watchers cost one
/// etcd watch rather than a hundred (each decoding every event).
///
/// The watch covers etcd's whole key space, not just the API's prefix: every revision then
/// arrives as an event, so the cache's revision is exactly etcd's, and a consistent list
/// (upstream's consistent read from cache) is: ask etcd for its revision, wait until the
/// cache has reached it, answer from memory. History older than the ring is read from etcd
/// with a watch of its own (`readLog`).
final class EtcdWatchCache: @unchecked Sendable {
    private let client: EtcdClient
    private let codec: EtcdKeyCodec
    private let logger: Logger
    let hub: WatchHub

    private let lock = NSLock()
    private var live = LiveIndex()
    /// etcd's revision up to which `live` and the hub are complete; 0 until loaded.
    private var revision: Int64 = 0
    private var waiters: [(revision: Int64, id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWaiter = 0
    private var follower: Task<Void, Never>?
    private var loading: Task<Void, Error>?
    private var stopped = false

    init(client: EtcdClient, codec: EtcdKeyCodec, historyCapacity: Int = 8192, logger: Logger) {
        self.client = client
        self.codec = codec
        self.logger = logger
        hub = WatchHub(capacity: historyCapacity, startRevision: 0)
    }

    func stop() {
        lock.withLock {
            stopped = true
            return follower
        }?.cancel()
    }

    /// Loads the state once (later callers wait for the first) and starts following.
    func ready() async throws {
        let task: Task<Void, Error> = lock.withLock {
            if let loading { return loading }
            let made = Task { try await self.load() }
            loading = made
            return made
        }
        do {
            try await task.value
        } catch {
            // A failed load (etcd down) is tried afresh by the next caller.
            lock.withLock { if loading == task { loading = nil } }
            throw error
        }
    }

    private func load() async throws {
        let at = try await replaceState()
        hub.reset(to: at)
        let follower = Task { await self.follow(from: at) }
        // Stopped while loading: the follower must not outlive the store's client.
        if lock.withLock({ stopped }) { follower.cancel() } else { lock.withLock { self.follower = follower } }
    }

    /// Every key under the prefix at one revision, a page at a time.
    private func listAll() async throws -> ([StoredObject], Int64) {
        var objects: [StoredObject] = []
        var at: Int64 = 0
        var from = codec.etcdKey("/")
        let end = EtcdStore.rangeEnd(codec.etcdKey("/"))
        while true {
            var request: JSONValue = ["key": EtcdBase64.encode(from), "range_end": EtcdBase64.encode(end), "limit": 10_000]
            if at > 0 { request["revision"] = .int(at) }
            let answer = try await EtcdStore.unavailableOnError { try await self.client.call("kv/range", request) }
            if at == 0 { at = EtcdInt64.header(answer) }
            let kvs = (answer["kvs"]?.arrayValue ?? []).compactMap { EtcdKeyValue($0) }
            objects += kvs.map(codec.object)
            guard answer["more"]?.boolValue == true, let last = kvs.last else { return (objects, at) }
            from = last.key + [0]
        }
    }

    /// Follows etcd from `start`, reconnecting (to whichever member answers) when the watch
    /// breaks; if etcd has compacted past where it got to, reloads and fails the watchers,
    /// who resume or relist as after any broken watch.
    private func follow(from start: Int64) async {
        var after = start
        var backoff: Duration = .milliseconds(100)
        var failures = 0
        while !Task.isCancelled {
            do {
                // No previous versions from etcd: the cache holds them.
                let watch = try await EtcdWatch.open(client: client, key: [0], rangeEnd: [0], after: after, previousVersions: false)
                backoff = .milliseconds(100)
                failures = 0
                while true {
                    let batch = try await watch.nextBatch()
                    apply(batch.events, upTo: batch.revision)
                    after = max(after, batch.revision)
                }
            } catch is CancellationError {
                return
            } catch StoreError.expired {
                logger.warning("etcd compacted past the watch cache's revision \(after); reloading")
                do {
                    try await reload()
                    after = lock.withLock { revision }
                } catch {
                    try? await Task.sleep(for: backoff)
                }
            } catch {
                failures += 1
                // Lists fall back to etcd meanwhile; watches wait for the cache.
                if failures >= 3 {
                    logger.warning("watch cache cannot follow etcd (\(failures) tries, at revision \(after)): \(error)")
                } else {
                    logger.debug("watch cache: \(error); reconnecting")
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            }
        }
    }

    private func reload() async throws {
        let at = try await replaceState()
        hub.reset(to: at, failing: StoreError.unavailable("the watch cache was reloaded"))
        wakeWaiters()
    }

    /// The state read afresh from etcd; returns its revision.
    private func replaceState() async throws -> Int64 {
        let (objects, at) = try await listAll()
        lock.withLock {
            var index = LiveIndex()
            for object in objects { index.put(object) }
            live = index
            revision = at
        }
        return at
    }

    /// One response's events (every key's, in revision order); `upTo` is the revision the
    /// response vouches for (its last event's, or a progress notification's). Each event's
    /// previous version is the one in memory.
    private func apply(_ events: [JSONValue], upTo: Int64) {
        for raw in events {
            guard let kv = EtcdKeyValue(raw["kv"]), let key = codec.storeKey(kv.key) else { continue }
            let event: StoreEvent? = lock.withLock {
                let previous = live[key]
                revision = max(revision, kv.modRevision)
                if raw["type"]?.stringValue == "DELETE" {
                    live.remove(key)
                    return previous.map { StoreEvent(kind: .deleted, object: Self.restamped($0, revision: kv.modRevision), previous: $0) }
                }
                let object = codec.object(kv)
                live.put(object)
                return kv.createRevision == kv.modRevision
                    ? StoreEvent(kind: .added, object: object)
                    : StoreEvent(kind: .modified, object: object, previous: previous)
            }
            if let event { hub.publish(event) }
        }
        lock.withLock { revision = max(revision, upTo) }
        hub.advance(to: upTo)
        wakeWaiters()
    }

    /// A deleted object's last state as of its deletion: the resourceVersion set anew (a
    /// parse, since the stored bytes in memory already carry their own).
    static func restamped(_ object: StoredObject, revision: Int64) -> StoredObject {
        StoredObject(key: object.key, value: RevisionStamp.withResourceVersion(object.value, revision) ?? object.value, revision: revision)
    }

    private func wakeWaiters() {
        let ready: [CheckedContinuation<Bool, Never>] = lock.withLock {
            let now = revision
            let (done, pending) = (waiters.filter { $0.revision <= now }, waiters.filter { $0.revision > now })
            waiters = pending
            return done.map(\.continuation)
        }
        for c in ready { c.resume(returning: true) }
    }

    /// Waits until the cache holds revision `target`; false after `timeout`.
    func wait(for target: Int64, timeout: Duration) async -> Bool {
        let id: Int = lock.withLock { nextWaiter += 1; return nextWaiter }
        return await withCheckedContinuation { continuation in
            let now: Bool = lock.withLock {
                if revision >= target { return true }
                waiters.append((target, id, continuation))
                return false
            }
            if now {
                continuation.resume(returning: true)
                return
            }
            // Started once the waiter is registered, so it always finds it (or its wake-up).
            Task {
                try? await Task.sleep(for: timeout)
                let expired: CheckedContinuation<Bool, Never>? = self.lock.withLock {
                    guard let i = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return self.waiters.remove(at: i).continuation
                }
                expired?.resume(returning: false)
            }
        }
    }

    var currentRevision: Int64 { lock.withLock { revision } }

    /// A page of the current state, if the cache is at `revision` (any when nil).
    func list(low: String, after: String, high: String, limit: Int, at wanted: Int64?) -> ListPage? {
        lock.withLock {
            if let wanted, wanted != revision { return nil }
            let (items, remaining) = live.range(low: low, after: after, high: high, limit: limit)
            guard limit > 0, items.count > limit else {
                return ListPage(items: items, revision: revision, nextKey: nil, remaining: 0)
            }
            let kept = Array(items.prefix(limit))
            return ListPage(items: kept, revision: revision, nextKey: kept.last?.key, remaining: remaining)
        }
    }

    /// History under `prefix` in (after, upTo], for a watcher further back than the ring:
    /// a watch of etcd's whole key space from `after`, read until it reaches `upTo` (every
    /// revision has an event, so it does).
    func readLog(after: Int64, upTo: Int64, prefix: String) async throws -> [StoreEvent] {
        let watch = try await EtcdWatch.open(client: client, key: [0], rangeEnd: [0], after: after, previousVersions: true)
        var page: [StoreEvent] = []
        while true {
            let batch = try await watch.nextBatch()
            for event in batch.events.compactMap(codec.event) where event.object.revision <= upTo && event.object.key.hasPrefix(prefix) {
                page.append(event)
            }
            if batch.revision >= upTo || page.count >= 10_000 { return page }
        }
    }
}
