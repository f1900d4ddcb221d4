/// The Pods waiting to be scheduled, as upstream's scheduling queue: the active queue, highest
/// priority first and first come first served within a priority; Pods that fit nowhere wait
/// aside until the cluster changes, then come back after a backoff that doubles per attempt
/// (1 s up to 10 s, upstream's defaults).
struct SchedulingQueue: Sendable {
    private var active: [Int32: [String]] = [:]
    private var heads: [Int32: Int] = [:]
    private var priorities: [Int32] = []
    private(set) var queued: Set<String> = []
    /// Pods that fit nowhere, with their attempts so far.
    private(set) var unschedulable: [String: Int] = [:]

    static let initialBackoff: Duration = .seconds(1)
    static let maxBackoff: Duration = .seconds(10)

    var activeCount: Int { queued.count }

    /// Queues `key` (no-op when already queued). It leaves the unschedulable set but keeps its
    /// attempt count for the next backoff.
    mutating func add(_ key: String, priority: Int32) -> Bool {
        guard queued.insert(key).inserted else { return false }
        if active[priority] == nil {
            active[priority] = []
            heads[priority] = 0
            priorities.append(priority)
            priorities.sort(by: >)
        }
        active[priority]!.append(key)
        return true
    }

    mutating func pop() -> String? {
        for priority in priorities {
            var head = heads[priority]!
            while head < active[priority]!.count {
                let key = active[priority]![head]
                head += 1
                if queued.remove(key) != nil {
                    heads[priority] = head
                    compact(priority)
                    return key
                }
            }
            heads[priority] = head
            compact(priority)
        }
        return nil
    }

    private mutating func compact(_ priority: Int32) {
        let head = heads[priority]!
        if head == active[priority]!.count {
            active[priority] = nil
            heads[priority] = nil
            priorities.removeAll { $0 == priority }
        } else if head > 1024 && head * 2 > active[priority]!.count {
            active[priority]!.removeFirst(head)
            heads[priority] = 0
        }
    }

    /// Drops `key` everywhere (bound, deleted, or no longer ours).
    mutating func remove(_ key: String) {
        queued.remove(key)          // its stale entry in `active` is skipped by `pop`
        unschedulable[key] = nil
    }

    mutating func markUnschedulable(_ key: String) {
        unschedulable[key, default: 0] += 1
    }

    func backoff(for key: String) -> Duration {
        let attempts = max(1, unschedulable[key] ?? 1)
        let delay = Self.initialBackoff * Double(1 << min(attempts - 1, 10))
        return min(delay, Self.maxBackoff)
    }
}
