import Foundation

/// Fans committed store events out to watchers, and keeps the most recent ones in a ring
/// so that a watcher starting slightly in the past (the common case: list, then watch from
/// the list's revision) is served from memory.
final class WatchHub: @unchecked Sendable {
    /// A watcher this far behind is cut off; its client resumes from its last revision.
    static let subscriberBufferLimit = 50_000

    struct SlowWatcher: Error {}

    private struct Subscriber {
        var prefix: String
        var continuation: AsyncThrowingStream<StoreEvent, Error>.Continuation
    }

    private let lock = NSLock()
    private var ring: [StoreEvent?]
    private var head = 0  // index of the oldest event
    private var count = 0
    private var lastRevision: Int64
    private var subscribers: [Int: Subscriber] = [:]
    private var nextID = 0

    init(capacity: Int, startRevision: Int64) {
        ring = Array(repeating: nil, count: max(1, capacity))
        lastRevision = startRevision
    }

    func publish(_ event: StoreEvent) {
        lock.lock()
        defer { lock.unlock() }
        if count == ring.count {
            ring[head] = event
            head = (head + 1) % ring.count
        } else {
            ring[(head + count) % ring.count] = event
            count += 1
        }
        lastRevision = event.object.revision
        for (id, subscriber) in subscribers where event.object.key.hasPrefix(subscriber.prefix) {
            deliver(event, to: id, subscriber)
        }
    }

    /// The oldest revision the ring can replay from (events after `oldest - 1`).
    func oldestReplayableRevision() -> Int64 {
        lock.withLock { count > 0 ? ring[head]!.object.revision : lastRevision + 1 }
    }

    /// Replays ring events after `afterRevision` and subscribes, atomically. Returns false,
    /// doing nothing, when the ring no longer holds all events after `afterRevision`.
    func subscribe(prefix: String, afterRevision: Int64,
                   continuation: AsyncThrowingStream<StoreEvent, Error>.Continuation) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let oldest = count > 0 ? ring[head]!.object.revision : lastRevision + 1
        guard afterRevision >= oldest - 1 else { return false }
        let id = nextID
        nextID += 1
        let subscriber = Subscriber(prefix: prefix, continuation: continuation)
        subscribers[id] = subscriber
        if afterRevision < lastRevision {
            for i in 0..<count {
                let event = ring[(head + i) % ring.count]!
                if event.object.revision > afterRevision, event.object.key.hasPrefix(prefix) {
                    deliver(event, to: id, subscriber)
                }
            }
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.withLock { _ = self.subscribers.removeValue(forKey: id) }
        }
        return true
    }

    /// Called with the lock held.
    private func deliver(_ event: StoreEvent, to id: Int, _ subscriber: Subscriber) {
        if case .dropped = subscriber.continuation.yield(event) {
            subscribers[id] = nil
            subscriber.continuation.finish(throwing: SlowWatcher())
        }
    }
}
