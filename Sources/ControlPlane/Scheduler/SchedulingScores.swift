import KubeAPI

/// The default score plugins of upstream's scheduler that apply here, with its weights: each
/// gives a feasible node 0–100 and the node with the highest weighted sum wins.
enum SchedulingScores {
    static let maxScore: Int64 = 100

    /// Weighted totals for `nodes[feasible]` (the nodes that can take `pod`), in `feasible`'s order.
    static func scores(_ pod: PodRequirements, nodes all: [SchedulerNode], feasible: [Int]) -> [Int64] {
        let nodes = feasible.lazy.map { all[$0] }
        // Per-node raw values for the plugins that normalise across nodes.
        let intolerable = nodes.map { node in
            Int64(node.taints.filter { $0.effect == "PreferNoSchedule" && !pod.tolerates($0) }.count)
        }
        let preferred = nodes.map { node in
            pod.preferredAffinity.reduce(Int64(0)) { sum, term in
                guard let preference = term.preference, SchedulingFilters.matches(preference, node) else { return sum }
                return sum + Int64(term.weight ?? 0)
            }
        }
        let siblings = nodes.map { node in Int64(pod.ownerUID.flatMap { node.podsByOwner[$0] } ?? 0) }
        let maxIntolerable = intolerable.max() ?? 0
        let maxPreferred = preferred.max() ?? 0
        let maxSiblings = siblings.max() ?? 0

        return feasible.indices.map { i in
            let node = all[feasible[i]]
            let taintToleration = maxIntolerable == 0 ? maxScore : maxScore - intolerable[i] * maxScore / maxIntolerable
            let nodeAffinity = maxPreferred == 0 ? 0 : preferred[i] * maxScore / maxPreferred
            let spread = maxSiblings == 0 ? maxScore : (maxSiblings - siblings[i]) * maxScore / maxSiblings
            return 3 * taintToleration + 2 * nodeAffinity + leastAllocated(pod, node) + balancedAllocation(pod, node) + 2 * spread
        }
    }

    /// NodeResourcesFit's LeastAllocated: the free share of CPU and memory after the Pod.
    static func leastAllocated(_ pod: PodRequirements, _ node: SchedulerNode) -> Int64 {
        func free(_ requested: Int64, _ allocatable: Int64) -> Int64 {
            guard allocatable > 0, requested <= allocatable else { return 0 }
            return (allocatable - requested) * maxScore / allocatable
        }
        return (free(node.nonZeroMilliCPU + pod.nonZeroMilliCPU, node.allocatableMilliCPU)
            + free(node.nonZeroMemory + pod.nonZeroMemory, node.allocatableMemory)) / 2
    }

    /// NodeResourcesBalancedAllocation: CPU and memory used in the same proportion score best.
    static func balancedAllocation(_ pod: PodRequirements, _ node: SchedulerNode) -> Int64 {
        func fraction(_ requested: Int64, _ allocatable: Int64) -> Double {
            allocatable > 0 ? min(1, Double(requested) / Double(allocatable)) : 1
        }
        let cpu = fraction(node.nonZeroMilliCPU + pod.nonZeroMilliCPU, node.allocatableMilliCPU)
        let memory = fraction(node.nonZeroMemory + pod.nonZeroMemory, node.allocatableMemory)
        let deviation = abs(cpu - memory) / 2
        return Int64((1 - deviation) * Double(maxScore))
    }
}
