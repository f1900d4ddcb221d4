import KubeAPI

/// The kubelet's admission of a Pod bound to this node: one that would take the node's
/// Pods over its allocatable cpu, memory or Pod count (bound by hand, past the scheduler)
/// is not run but failed, with upstream's reason (`OutOfcpu`, …) and message.
struct PodAdmission: Sendable {
    var allocatableMilliCPU: Int64
    var allocatableMemory: Int64
    var maxPods: Int

    struct Rejection: Equatable, Sendable {
        var reason: String
        var message: String
    }

    init(allocatable: [String: Quantity]) {
        allocatableMilliCPU = allocatable["cpu"]?.milliValue ?? .max
        allocatableMemory = allocatable["memory"]?.value ?? .max
        maxPods = (allocatable["pods"]?.value).map { Int($0) } ?? 110
    }

    /// nil when `pod` fits beside the Pods already admitted.
    func check(_ pod: Pod, admitted: [Pod]) -> Rejection? {
        if admitted.count + 1 > maxPods {
            return rejection("pods", requested: 1, used: Int64(admitted.count), capacity: Int64(maxPods))
        }
        let wanted = PodResourceRequests(pod)
        let used = admitted.map(PodResourceRequests.init).reduce(PodResourceRequests()) {
            PodResourceRequests(milliCPU: $0.milliCPU + $1.milliCPU, memory: $0.memory + $1.memory)
        }
        if wanted.milliCPU > 0, used.milliCPU + wanted.milliCPU > allocatableMilliCPU {
            return rejection("cpu", requested: wanted.milliCPU, used: used.milliCPU, capacity: allocatableMilliCPU)
        }
        if wanted.memory > 0, used.memory + wanted.memory > allocatableMemory {
            return rejection("memory", requested: wanted.memory, used: used.memory, capacity: allocatableMemory)
        }
        return nil
    }

    private func rejection(_ resource: String, requested: Int64, used: Int64, capacity: Int64) -> Rejection {
        Rejection(reason: "OutOf\(resource)",
                  message: "Node didn't have enough resource: \(resource), requested: \(requested), used: \(used), capacity: \(capacity)")
    }
}
