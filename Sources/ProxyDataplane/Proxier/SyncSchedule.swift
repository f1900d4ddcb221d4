/// When the proxy syncs, after kube-proxy's bounded-frequency runner: changes are coalesced
/// so that syncs start at most once per `minSyncPeriod` (a burst of a thousand endpoint
/// updates costs one or two syncs, not a thousand), a full resync runs at least once per
/// `syncPeriod` (repairing drift), and a failed sync is retried with backoff, full.
///
/// A value with no clock of its own: the caller passes `now`, so every rule is a plain
/// function of the times recorded, and tests drive it with made-up instants.
public struct SyncSchedule: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public enum Decision: Sendable, Equatable {
        /// Sync now; `full` for the first sync, the periodic resync and retries.
        case sync(full: Bool)
        /// Nothing to do before this instant (unless a change arrives).
        case wait(until: Instant)
    }

    public let minSyncPeriod: Duration
    public let syncPeriod: Duration
    /// Start of the last sync attempt, successful or not.
    public private(set) var lastSyncStart: Instant?
    /// When the oldest change not yet synced arrived.
    public private(set) var pendingSince: Instant?
    public private(set) var retryAt: Instant?
    public private(set) var consecutiveFailures = 0
    /// Start of the last successful full sync: a steady stream of changes (each a partial
    /// sync) must not postpone the periodic full resync forever.
    public private(set) var lastFullSyncStart: Instant?
    private var fullSyncDue = true

    public init(minSyncPeriod: Duration, syncPeriod: Duration) {
        self.minSyncPeriod = minSyncPeriod
        self.syncPeriod = max(syncPeriod, minSyncPeriod)
    }

    /// A change arrived that the rules must reflect.
    public mutating func changeQueued(at now: Instant) {
        if pendingSince == nil { pendingSince = now }
    }

    /// Asks for a full resync at the next opportunity (e.g. the tables drifted).
    public mutating func requestFullSync() { fullSyncDue = true }

    public func decide(now: Instant) -> Decision {
        guard let last = lastSyncStart else { return .sync(full: true) }
        let earliest = last + minSyncPeriod
        var target = last + syncPeriod
        if pendingSince != nil { target = min(target, earliest) }
        if let retryAt { target = min(target, max(retryAt, earliest)) }
        if target > now { return .wait(until: target) }
        let fullDue = lastFullSyncStart.map { now >= $0 + syncPeriod } ?? true
        return .sync(full: fullSyncDue || retryAt != nil || now >= last + syncPeriod || fullDue)
    }

    /// A sync starts now; it takes every change queued so far.
    public mutating func syncStarted(at now: Instant) {
        lastSyncStart = now
        pendingSince = nil
    }

    public mutating func syncSucceeded(full: Bool) {
        if full {
            fullSyncDue = false
            lastFullSyncStart = lastSyncStart
        }
        retryAt = nil
        consecutiveFailures = 0
    }

    /// The sync failed: retry, full, after a backoff from `minSyncPeriod` (at least a second)
    /// doubling up to `syncPeriod`, so a kernel that keeps refusing is not hammered.
    public mutating func syncFailed(at now: Instant) {
        consecutiveFailures += 1
        fullSyncDue = true
        var delay = max(minSyncPeriod, .seconds(1))
        for _ in 1..<min(consecutiveFailures, 16) where delay < syncPeriod { delay *= 2 }
        retryAt = now + min(delay, syncPeriod)
    }
}
