import KubeAPI

/// The scheduler's view of the cluster and its placement decision: nodes with the Pods on
/// them (bound, or assumed while their binding is in flight), and for a Pod the feasible node
/// with the best score. As upstream, on a large cluster it stops looking once it has found
/// `feasibleNodesToFind` feasible nodes, starting each search where the last one stopped, so
/// the cost of a decision does not grow with the cluster.
struct SchedulingAlgorithm: Sendable {
    private(set) var nodes: [SchedulerNode] = []
    private var nodeIndex: [String: Int] = [:]
    /// Pods counted on a node: key → (node, requirements).
    private var placed: [String: (node: String, pod: PodRequirements)] = [:]
    /// Pods placed by this scheduler whose binding the informer has not shown yet.
    private(set) var assumed: Set<String> = []
    private var nextStartIndex = 0

    var nodeCount: Int { nodes.count }

    // MARK: nodes

    mutating func upsert(_ node: Node) {
        guard let name = node.metadata?.name else { return }
        if let i = nodeIndex[name] {
            nodes[i].refresh(from: node)
        } else {
            var info = SchedulerNode(node)
            for (_, entry) in placed where entry.node == name { info.add(entry.pod) }
            nodeIndex[name] = nodes.count
            nodes.append(info)
        }
    }

    mutating func removeNode(named name: String) {
        guard let i = nodeIndex.removeValue(forKey: name) else { return }
        let last = nodes.count - 1
        if i != last {
            nodes.swapAt(i, last)
            nodeIndex[nodes[i].name] = i
        }
        nodes.removeLast()
    }

    // MARK: pods on nodes

    /// Counts `pod` on `node` (replacing an earlier count of the same Pod).
    mutating func place(_ key: String, on node: String, _ pod: PodRequirements, assumed isAssumed: Bool = false) {
        unplace(key)
        placed[key] = (node, pod)
        if let i = nodeIndex[node] { nodes[i].add(pod) }
        if isAssumed { assumed.insert(key) } else { assumed.remove(key) }
    }

    mutating func unplace(_ key: String) {
        assumed.remove(key)
        guard let entry = placed.removeValue(forKey: key) else { return }
        if let i = nodeIndex[entry.node] { nodes[i].remove(entry.pod) }
    }

    func node(ofPlaced key: String) -> String? { placed[key]?.node }

    // MARK: deciding

    /// Upstream's adaptive percentageOfNodesToScore: every node up to 100, then a share that
    /// shrinks with the cluster (50% − nodes/125, at least 5%), never fewer than 100.
    static func feasibleNodesToFind(_ total: Int) -> Int {
        if total < 100 { return total }
        let percentage = max(5, 50 - total / 125)
        return max(100, total * percentage / 100)
    }

    /// The node for `pod`, or why there is none.
    mutating func schedule(_ pod: PodRequirements) -> Result<String, FitError> {
        let total = nodes.count
        guard total > 0 else { return .failure(FitError(nodeCount: 0, reasons: [:])) }
        let wanted = Self.feasibleNodesToFind(total)
        // Indices, not copies: a node carries several reference-counted collections.
        var feasible: [Int] = []
        feasible.reserveCapacity(min(wanted, total))
        var reasons: [String: Int] = [:]
        var examined = 0
        while examined < total && feasible.count < wanted {
            let i = (nextStartIndex + examined) % total
            examined += 1
            let why = SchedulingFilters.reasons(pod, on: nodes[i])
            if why.isEmpty { feasible.append(i) } else { for r in why { reasons[r, default: 0] += 1 } }
        }
        nextStartIndex = (nextStartIndex + examined) % total
        guard !feasible.isEmpty else { return .failure(FitError(nodeCount: total, reasons: reasons)) }
        if feasible.count == 1 { return .success(nodes[feasible[0]].name) }
        let scores = SchedulingScores.scores(pod, nodes: nodes, feasible: feasible)
        // Ties broken at random (upstream: reservoir sampling), so equal nodes share the load.
        var best = 0
        var ties = 1
        for i in 1..<feasible.count {
            if scores[i] > scores[best] {
                best = i
                ties = 1
            } else if scores[i] == scores[best] {
                ties += 1
                if Int.random(in: 0..<ties) == 0 { best = i }
            }
        }
        return .success(nodes[feasible[best]].name)
    }
}
