import Foundation

/// One watcher's view of the store: history it asked for, then live events, in revision
/// order, each exactly once.
///
/// History is pulled page by page as the watcher consumes it (so resuming far back costs
/// no memory), live events queue up as they commit; the watermark `lastDelivered` drops
/// anything at or below what was already delivered, which also closes the window between
/// a list at revision N and a watch from N. A watcher that lets `limit` live events pile
/// up is failed (its client resumes from its last revision), never allowed to stall writers.
final class WatchFeed: @unchecked Sendable {
    typealias LogReader = @Sendable (_ after: Int64, _ upTo: Int64, _ prefix: String) async throws -> [StoreEvent]

    struct TooSlow: Error {}

    let prefix: String
    private let readLog: LogReader
    private let limit: Int
    private let lock = NSLock()
    private var live: [StoreEvent] = []
    private var liveHead = 0
    private var replay: [StoreEvent] = []
    private var replayHead = 0
    /// History still to read from the log: revisions in (lastDelivered, replayUpTo].
    private var replayUpTo: Int64?
    private var lastDelivered: Int64
    private var failure: Error?
    private var waiter: CheckedContinuation<Void, Never>?

    init(prefix: String, after: Int64, limit: Int = 100_000, readLog: @escaping LogReader) {
        self.prefix = prefix
        self.lastDelivered = after
        self.limit = limit
        self.readLog = readLog
    }

    var isFailed: Bool { lock.withLock { failure != nil } }

    /// `hubRevision` is read first and outside this feed's lock (the hub locks the other
    /// way round when it publishes); any event up to it has been pushed already.
    func progress(hubRevision: Int64) -> WatchProgress {
        lock.withLock {
            let idle = replayHead >= replay.count && replayUpTo == nil && liveHead >= live.count && failure == nil
            return WatchProgress(delivered: lastDelivered, caughtUpTo: idle ? max(hubRevision, lastDelivered) : nil)
        }
    }

    /// From the hub, when it subscribes this feed: recent history it still holds, or the
    /// revision up to which history must come from the log.
    func start(preloaded: [StoreEvent], replayFromLogUpTo: Int64?) {
        lock.withLock {
            replay = preloaded
            replayUpTo = replayFromLogUpTo
        }
    }

    /// From the hub, for every committed event under the prefix (hub lock held).
    func push(_ event: StoreEvent) {
        let resume: CheckedContinuation<Void, Never>? = lock.withLock {
            guard failure == nil else { return nil }
            if live.count - liveHead >= limit {
                failure = TooSlow()
                live = []
                liveHead = 0
            } else {
                live.append(event)
            }
            let w = waiter
            waiter = nil
            return w
        }
        resume?.resume()
    }

    func fail(_ error: Error) {
        let resume: CheckedContinuation<Void, Never>? = lock.withLock {
            if failure == nil { failure = error }
            let w = waiter
            waiter = nil
            return w
        }
        resume?.resume()
    }

    func next() async throws -> StoreEvent? {
        while true {
            try Task.checkCancellation()
            // 1. History already read.
            let (fromReplay, pendingLog): (StoreEvent?, (Int64, Int64)?) = lock.withLock {
                while replayHead < replay.count {
                    let event = replay[replayHead]
                    replayHead += 1
                    if event.object.revision > lastDelivered {
                        lastDelivered = event.object.revision
                        return (event, nil)
                    }
                }
                replay = []
                replayHead = 0
                if let upTo = replayUpTo, lastDelivered < upTo { return (nil, (lastDelivered, upTo)) }
                replayUpTo = nil
                return (nil, nil)
            }
            if let fromReplay { return fromReplay }
            // 2. More history from the log, a page at a time.
            if let (after, upTo) = pendingLog {
                let page = try await readLog(after, upTo, prefix)
                lock.withLock {
                    if page.isEmpty {
                        replayUpTo = nil  // nothing more under this prefix in the range
                    } else {
                        replay = page
                        replayHead = 0
                    }
                }
                continue
            }
            // 3. Live events, or wait for one.
            let live: StoreEvent?? = lock.withLock {
                while liveHead < self.live.count {
                    let event = self.live[liveHead]
                    liveHead += 1
                    if event.object.revision > lastDelivered {
                        lastDelivered = event.object.revision
                        compactLive()
                        return .some(event)
                    }
                }
                compactLive()
                return failure == nil ? nil : .some(nil)
            }
            if let live {
                if let live { return live }
                throw lock.withLock { failure! }
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = lock.withLock {
                        if liveHead < self.live.count || failure != nil || Task.isCancelled { return true }
                        waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                let w: CheckedContinuation<Void, Never>? = lock.withLock {
                    let w = waiter
                    waiter = nil
                    return w
                }
                w?.resume()
            }
        }
    }

    /// Drops delivered events from the front now and then (lock held).
    private func compactLive() {
        if liveHead > 1024, liveHead * 2 > live.count {
            live.removeFirst(liveHead)
            liveHead = 0
        } else if liveHead == live.count {
            live.removeAll(keepingCapacity: true)
            liveHead = 0
        }
    }
}
