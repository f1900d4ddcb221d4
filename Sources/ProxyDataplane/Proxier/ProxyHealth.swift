import Foundation

/// The proxy's health as upstream's proxier health server judges it: unhealthy when a change
/// has waited longer than `healthTimeout` (twice the sync period) without being programmed;
/// `/healthz` also fails while the node is being deleted or drained by the cluster autoscaler,
/// so load balancers stop sending it traffic, while `/livez` ignores that.
public struct ProxyHealth: Sendable {
    public let healthTimeout: Duration
    /// Wall-clock time of the last successful sync (what the JSON reports).
    public private(set) var lastUpdated: Date?
    /// Monotonic time of the oldest change not yet programmed.
    private var oldestPendingQueued: ContinuousClock.Instant?
    /// False while the node has a deletionTimestamp or the ToBeDeletedByClusterAutoscaler taint.
    public var nodeEligible = true

    public init(healthTimeout: Duration) { self.healthTimeout = healthTimeout }

    /// A change (or the start itself, which must end in a first sync) awaits programming.
    public mutating func queued(at now: ContinuousClock.Instant) {
        if oldestPendingQueued == nil { oldestPendingQueued = now }
    }

    /// A sync succeeded; `stillPending` is when the oldest change that arrived during it
    /// (and so is not in it) was queued, if any.
    public mutating func updated(at wallClock: Date, stillPending: ContinuousClock.Instant?) {
        lastUpdated = wallClock
        oldestPendingQueued = stillPending
    }

    /// Whether the rules are keeping up (`/livez`).
    public func isLive(now: ContinuousClock.Instant) -> Bool {
        guard let queued = oldestPendingQueued else { return true }
        return now - queued <= healthTimeout
    }

    /// Whether the node should receive load-balanced traffic (`/healthz`).
    public func isHealthy(now: ContinuousClock.Instant) -> Bool { isLive(now: now) && nodeEligible }

    /// The body of `/healthz` (with `nodeEligible`) or `/livez`, as upstream writes it.
    public func json(now: ContinuousClock.Instant, wallClock: Date, includeNodeEligible: Bool) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let last = lastUpdated.map { formatter.string(from: $0) } ?? "0001-01-01T00:00:00Z"
        var body = "{\"lastUpdated\": \"\(last)\",\"currentTime\": \"\(formatter.string(from: wallClock))\""
        if includeNodeEligible { body += ", \"nodeEligible\": \(nodeEligible)" }
        return body + "}"
    }
}
