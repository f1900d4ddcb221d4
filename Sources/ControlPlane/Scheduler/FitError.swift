/// Why a Pod fits no node, worded as upstream's FitError: "0/3 nodes are available: 1
/// Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector." — each reason with
/// the number of nodes it ruled out, sorted as upstream sorts them.
struct FitError: Error, Sendable, Hashable, CustomStringConvertible {
    var nodeCount: Int
    /// Reason → nodes it applies to (a node can count under several reasons).
    var reasons: [String: Int]

    var description: String {
        if nodeCount == 0 { return "no nodes available to schedule pods" }
        let parts = reasons.map { "\($0.value) \($0.key)" }.sorted()
        return "0/\(nodeCount) nodes are available: \(parts.joined(separator: ", "))."
    }
}
