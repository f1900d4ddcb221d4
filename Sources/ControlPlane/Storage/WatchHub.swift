import Foundation

/// Fans committed store events out to watch feeds, and keeps the most recent events in a
/// ring so that a watcher starting slightly in the past (the common case: list, then watch
/// from the list's revision) is served from memory rather than from the log.
final class WatchHub: @unchecked Sendable {
    private struct Subscriber {
        weak var feed: WatchFeed?
    }

    private let lock = NSLock()
    private var ring: [StoreEvent?]
    private var head = 0  // index of the oldest event
    private var count = 0
    private var lastRevision: Int64
    /// The ring holds every event after this revision (it is the last one evicted, or where
    /// the hub started).
    private var completeAfter: Int64
    private var subscribers: [Int: Subscriber] = [:]
    private var nextID = 0

    init(capacity: Int, startRevision: Int64) {
        ring = Array(repeating: nil, count: max(1, capacity))
        lastRevision = startRevision
        completeAfter = startRevision
    }

    /// Starts afresh at `revision` with an empty ring (the etcd watch cache, after loading);
    /// feeds subscribed until now are failed with `failing` when given.
    func reset(to revision: Int64, failing: Error? = nil) {
        let feeds: [WatchFeed] = lock.withLock {
            ring = Array(repeating: nil, count: ring.count)
            head = 0
            count = 0
            lastRevision = revision
            completeAfter = revision
            guard failing != nil else { return [] }
            let all = subscribers.values.compactMap(\.feed)
            subscribers = [:]
            return all
        }
        if let failing { for feed in feeds { feed.fail(failing) } }
    }

    /// Revisions up to `revision` hold no event for anyone here (etcd's progress, or writes
    /// outside the watched keys): watchers may claim them in bookmarks.
    func advance(to revision: Int64) {
        lock.withLock { lastRevision = max(lastRevision, revision) }
    }

    var revision: Int64 { lock.withLock { lastRevision } }

    /// Called by the store's writer after each commit, in revision order.
    func publish(_ event: StoreEvent) {
        lock.lock()
        defer { lock.unlock() }
        if count == ring.count {
            completeAfter = ring[head]!.object.revision
            ring[head] = event
            head = (head + 1) % ring.count
        } else {
            ring[(head + count) % ring.count] = event
            count += 1
        }
        lastRevision = max(lastRevision, event.object.revision)
        var gone: [Int] = []
        for (id, subscriber) in subscribers {
            // Feeds are held weakly: a watcher that went away simply disappears.
            guard let feed = subscriber.feed, !feed.isFailed else {
                gone.append(id)
                continue
            }
            if event.object.key.hasPrefix(feed.prefix) { feed.push(event) }
        }
        for id in gone { subscribers[id] = nil }
    }

    /// Registers the feed for live events after this moment and hands it the history after
    /// `afterRevision`: from the ring when the ring still holds all of it, otherwise the
    /// revision up to which it must read the log.
    func subscribe(_ feed: WatchFeed, afterRevision: Int64) {
        lock.lock()
        defer { lock.unlock() }
        subscribers[nextID] = Subscriber(feed: feed)
        nextID += 1
        guard afterRevision < lastRevision else {
            feed.start(preloaded: [], replayFromLogUpTo: nil)
            return
        }
        guard afterRevision >= completeAfter else {
            feed.start(preloaded: [], replayFromLogUpTo: lastRevision)
            return
        }
        var preloaded: [StoreEvent] = []
        for i in 0..<count {
            let event = ring[(head + i) % ring.count]!
            if event.object.revision > afterRevision, event.object.key.hasPrefix(feed.prefix) { preloaded.append(event) }
        }
        feed.start(preloaded: preloaded, replayFromLogUpTo: nil)
    }
}
