import KubeAPI

/// The default filter plugins of upstream's scheduler that apply here, each saying why a node
/// cannot take the Pod in upstream's words (those words are what `kubectl describe pod`
/// shows after "0/N nodes are available:").
enum SchedulingFilters {
    /// Why `node` cannot take `pod`; empty when it can. As upstream's default profile, the
    /// filters run in its order and stop at the first that fails, so each node is counted
    /// under one plugin's reasons (only NodeResourcesFit can give several).
    static func reasons(_ pod: PodRequirements, on node: SchedulerNode) -> [String] {
        // NodeUnschedulable: tolerable with the unschedulable taint's key.
        if node.unschedulable && !pod.tolerates(Taint(key: SchedulerNode.unschedulableTaint, effect: "NoSchedule")) {
            return ["node(s) were unschedulable"]
        }
        // TaintToleration: the first NoSchedule/NoExecute taint not tolerated.
        if let taint = node.taints.first(where: { ($0.effect == "NoSchedule" || $0.effect == "NoExecute") && !pod.tolerates($0) }) {
            return ["node(s) had untolerated taint {\(taint.key ?? ""): \(taint.value ?? "")}"]
        }
        // NodeAffinity (nodeSelector and required node affinity).
        if !matchesNodeSelection(pod, node) {
            return ["node(s) didn't match Pod's node affinity/selector"]
        }
        // NodePorts.
        if pod.hostPorts.contains(where: { wanted in node.hostPorts.contains { $0.conflicts(with: wanted) } }) {
            return ["node(s) didn't have free ports for the requested pod ports"]
        }
        // NodeResourcesFit.
        var reasons: [String] = []
        if node.podCount + 1 > node.allocatablePods { reasons.append("Too many pods") }
        if pod.milliCPU > 0 && node.requestedMilliCPU + pod.milliCPU > node.allocatableMilliCPU {
            reasons.append("Insufficient cpu")
        }
        if pod.memory > 0 && node.requestedMemory + pod.memory > node.allocatableMemory {
            reasons.append("Insufficient memory")
        }
        return reasons
    }

    static func matchesNodeSelection(_ pod: PodRequirements, _ node: SchedulerNode) -> Bool {
        for (key, value) in pod.nodeSelector where node.labels[key] != value { return false }
        guard let required = pod.requiredAffinity else { return true }
        return (required.nodeSelectorTerms ?? []).contains { matches($0, node) }
    }

    /// A term matches when all its requirements do; an empty term matches no node (upstream).
    static func matches(_ term: NodeSelectorTerm, _ node: SchedulerNode) -> Bool {
        let expressions = term.matchExpressions ?? []
        let fields = term.matchFields ?? []
        guard !expressions.isEmpty || !fields.isEmpty else { return false }
        return expressions.allSatisfy { matches($0, value: node.labels[$0.key ?? ""]) }
            && fields.allSatisfy { $0.key == "metadata.name" && matches($0, value: node.name) }
    }

    static func matches(_ r: NodeSelectorRequirement, value: String?) -> Bool {
        let values = r.values ?? []
        switch r.operator {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard let v = value.flatMap({ Int64($0) }), values.count == 1, let bound = Int64(values[0]) else { return false }
            return r.operator == "Gt" ? v > bound : v < bound
        default: return false
        }
    }
}
