import KubeAPI

/// What scheduling needs to know of a Pod, worked out once per Pod: its resource requests,
/// host ports, tolerations, node selection rules and owner.
struct PodRequirements: Sendable, Hashable {
    /// Requests as the Pod states them (the fit filter).
    var milliCPU: Int64 = 0
    var memory: Int64 = 0
    /// Requests with upstream's defaults for a container that states none (100m, 200Mi), so
    /// that scoring spreads request-less Pods instead of piling them on one node.
    var nonZeroMilliCPU: Int64 = 0
    var nonZeroMemory: Int64 = 0
    var hostPorts: [HostPort] = []
    var tolerations: [Toleration] = []
    var nodeSelector: [String: String] = [:]
    var requiredAffinity: NodeSelector?
    var preferredAffinity: [PreferredSchedulingTerm] = []
    /// The uid of the controller that owns the Pod (ReplicaSet, …), for spreading its Pods.
    var ownerUID: String?

    static let defaultMilliCPU: Int64 = 100
    static let defaultMemory: Int64 = 200 * 1024 * 1024

    struct HostPort: Sendable, Hashable {
        var ip: String
        var `protocol`: String
        var port: Int32

        /// Upstream: the same port and protocol clash when either side listens on every address.
        func conflicts(with other: HostPort) -> Bool {
            port == other.port && `protocol` == other.protocol
                && (ip == other.ip || ip == "0.0.0.0" || other.ip == "0.0.0.0")
        }
    }

    init(_ pod: Pod) {
        let spec = pod.spec
        let requests = PodResourceRequests(pod)
        milliCPU = requests.milliCPU
        memory = requests.memory
        for c in spec?.containers ?? [] {
            nonZeroMilliCPU += PodResourceRequests.milliCPU(c) ?? Self.defaultMilliCPU
            nonZeroMemory += PodResourceRequests.memory(c) ?? Self.defaultMemory
            for p in c.ports ?? [] where (p.hostPort ?? 0) > 0 {
                hostPorts.append(HostPort(ip: p.hostIP.flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0",
                                          protocol: p.protocol ?? "TCP", port: p.hostPort!))
            }
        }
        tolerations = spec?.tolerations ?? []
        nodeSelector = spec?.nodeSelector ?? [:]
        requiredAffinity = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        preferredAffinity = spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
        ownerUID = pod.metadata?.ownerReferences?.first { $0.controller == true }?.uid
    }

    /// Whether some toleration of the Pod tolerates `taint` (upstream's ToleratesTaint).
    func tolerates(_ taint: Taint) -> Bool {
        tolerations.contains { $0.tolerates(taint) }
    }
}
