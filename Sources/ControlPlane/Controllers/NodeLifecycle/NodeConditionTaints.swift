import KubeAPI

/// The taints a node's conditions call for, as upstream's node lifecycle controller keeps
/// them: NoExecute `not-ready` / `unreachable` for a Ready condition that is False / Unknown
/// (these evict Pods that do not tolerate them), and NoSchedule taints for the same and for
/// pressure conditions and cordoning (these only keep new Pods off).
enum NodeConditionTaints {
    static let notReady = "node.kubernetes.io/not-ready"
    static let unreachable = "node.kubernetes.io/unreachable"
    static let unschedulable = "node.kubernetes.io/unschedulable"

    /// NoSchedule taints for conditions that are True.
    static let pressure: [(condition: String, taint: String)] = [
        ("MemoryPressure", "node.kubernetes.io/memory-pressure"),
        ("DiskPressure", "node.kubernetes.io/disk-pressure"),
        ("PIDPressure", "node.kubernetes.io/pid-pressure"),
        ("NetworkUnavailable", "node.kubernetes.io/network-unavailable"),
    ]

    /// Every key this controller owns; other taints are the user's and are left alone.
    static let managedKeys: Set<String> = Set([notReady, unreachable, unschedulable] + pressure.map(\.taint))

    /// The node's taints with the managed ones brought in line with its conditions. Taints
    /// that stay keep their `timeAdded` (eviction deadlines run from it); new NoExecute
    /// taints are stamped `now`.
    static func reconcile(_ node: Node, now: String) -> [Taint] {
        let conditions = node.status?.conditions ?? []
        func status(_ type: String) -> String? { conditions.first { $0.type == type }?.status }
        var wanted: [(key: String, effect: String)] = []
        switch status("Ready") {
        case "False": wanted += [(notReady, "NoExecute"), (notReady, "NoSchedule")]
        case "Unknown": wanted += [(unreachable, "NoExecute"), (unreachable, "NoSchedule")]
        default: break
        }
        for (condition, taint) in pressure where status(condition) == "True" { wanted.append((taint, "NoSchedule")) }
        if node.spec?.unschedulable == true { wanted.append((unschedulable, "NoSchedule")) }

        let current = node.spec?.taints ?? []
        var result = current.filter { taint in
            guard let key = taint.key, managedKeys.contains(key) else { return true }
            return wanted.contains { $0.key == key && $0.effect == taint.effect }
        }
        for (key, effect) in wanted where !result.contains(where: { $0.key == key && $0.effect == effect }) {
            result.append(Taint(key: key, effect: effect, timeAdded: effect == "NoExecute" ? now : nil))
        }
        return result
    }
}
