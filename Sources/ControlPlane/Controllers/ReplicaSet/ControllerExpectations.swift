/// The creations and deletions a controller has asked for and not yet seen in its informer,
/// per owner (upstream's ControllerExpectations): until they show up, the cache would make the
/// controller count too few or too many Pods and act twice. Expectations older than
/// `timeout` are dropped, so a watch event that never comes cannot stall an owner for good.
struct ControllerExpectations: Sendable {
    private struct Pending: Sendable {
        var adds: Int
        var deletes: Int
        var since: ContinuousClock.Instant
    }

    private var pending: [String: Pending] = [:]
    let timeout: Duration

    init(timeout: Duration = .seconds(300)) { self.timeout = timeout }

    mutating func expect(_ key: String, adds: Int = 0, deletes: Int = 0) {
        pending[key] = Pending(adds: adds, deletes: deletes, since: .now)
    }

    mutating func observedAdd(_ key: String) { pending[key]?.adds -= 1 }
    mutating func observedDelete(_ key: String) { pending[key]?.deletes -= 1 }

    /// Whether the owner may be synced: everything expected was seen, or waited too long.
    func satisfied(_ key: String) -> Bool {
        guard let p = pending[key] else { return true }
        return (p.adds <= 0 && p.deletes <= 0) || ContinuousClock.now - p.since > timeout
    }

    mutating func forget(_ key: String) { pending[key] = nil }
}
