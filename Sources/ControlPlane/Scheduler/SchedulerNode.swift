import KubeAPI

/// One node as the scheduler counts it: what it offers and what the Pods bound to it (or
/// being bound to it) already take.
struct SchedulerNode: Sendable {
    let name: String
    var labels: [String: String]
    /// The node's taints, plus upstream's condition taints (not-ready / unreachable) for a
    /// node whose Ready condition is not True, as the node lifecycle controller would add.
    var taints: [Taint]
    var unschedulable: Bool
    var allocatableMilliCPU: Int64
    var allocatableMemory: Int64
    var allocatablePods: Int64

    var requestedMilliCPU: Int64 = 0
    var requestedMemory: Int64 = 0
    var nonZeroMilliCPU: Int64 = 0
    var nonZeroMemory: Int64 = 0
    var podCount: Int64 = 0
    var hostPorts: [PodRequirements.HostPort] = []
    /// Pods per controller uid, for spreading.
    var podsByOwner: [String: Int] = [:]

    static let notReadyTaint = "node.kubernetes.io/not-ready"
    static let unreachableTaint = "node.kubernetes.io/unreachable"
    static let unschedulableTaint = "node.kubernetes.io/unschedulable"

    init(_ node: Node) {
        name = node.metadata?.name ?? ""
        labels = node.metadata?.labels ?? [:]
        var taints = node.spec?.taints ?? []
        let ready = node.status?.conditions?.first { $0.type == "Ready" }?.status
        if ready != "True" {
            let key = ready == "Unknown" ? Self.unreachableTaint : Self.notReadyTaint
            if !taints.contains(where: { $0.key == key && $0.effect == "NoSchedule" }) {
                taints.append(Taint(key: key, effect: "NoSchedule"))
            }
        }
        self.taints = taints
        unschedulable = node.spec?.unschedulable == true
        let allocatable = node.status?.allocatable ?? node.status?.capacity ?? [:]
        allocatableMilliCPU = allocatable["cpu"]?.milliValue ?? 0
        allocatableMemory = allocatable["memory"]?.value ?? 0
        allocatablePods = allocatable["pods"]?.value ?? 0
    }

    /// Keeps the Pods' accounting when the Node object changes.
    mutating func refresh(from node: Node) {
        let counts = (requestedMilliCPU, requestedMemory, nonZeroMilliCPU, nonZeroMemory, podCount, hostPorts, podsByOwner)
        self = SchedulerNode(node)
        (requestedMilliCPU, requestedMemory, nonZeroMilliCPU, nonZeroMemory, podCount, hostPorts, podsByOwner) = counts
    }

    mutating func add(_ pod: PodRequirements) {
        requestedMilliCPU += pod.milliCPU
        requestedMemory += pod.memory
        nonZeroMilliCPU += pod.nonZeroMilliCPU
        nonZeroMemory += pod.nonZeroMemory
        podCount += 1
        hostPorts += pod.hostPorts
        if let owner = pod.ownerUID { podsByOwner[owner, default: 0] += 1 }
    }

    mutating func remove(_ pod: PodRequirements) {
        requestedMilliCPU -= pod.milliCPU
        requestedMemory -= pod.memory
        nonZeroMilliCPU -= pod.nonZeroMilliCPU
        nonZeroMemory -= pod.nonZeroMemory
        podCount -= 1
        for port in pod.hostPorts {
            if let i = hostPorts.firstIndex(of: port) { hostPorts.remove(at: i) }
        }
        if let owner = pod.ownerUID {
            podsByOwner[owner, default: 1] -= 1
            if podsByOwner[owner] == 0 { podsByOwner[owner] = nil }
        }
    }
}
