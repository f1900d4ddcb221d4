/// What a Pod asks of its node, as the scheduler's fit filter and the kubelet's admission
/// both add it up: the containers' requests together, or the largest init container's if
/// more (they run one at a time before the others), plus the Pod's overhead.
public struct PodResourceRequests: Sendable, Hashable {
    public var milliCPU: Int64 = 0
    public var memory: Int64 = 0

    public init(milliCPU: Int64 = 0, memory: Int64 = 0) {
        self.milliCPU = milliCPU
        self.memory = memory
    }

    public init(_ pod: Pod) {
        let spec = pod.spec
        for c in spec?.containers ?? [] {
            milliCPU += Self.milliCPU(c) ?? 0
            memory += Self.memory(c) ?? 0
        }
        for c in spec?.initContainers ?? [] {
            milliCPU = max(milliCPU, Self.milliCPU(c) ?? 0)
            memory = max(memory, Self.memory(c) ?? 0)
        }
        if let overhead = spec?.overhead {
            milliCPU += overhead["cpu"]?.milliValue ?? 0
            memory += overhead["memory"]?.value ?? 0
        }
    }

    /// One container's stated requests; nil where it states none.
    public static func milliCPU(_ c: Container) -> Int64? { c.resources?.requests?["cpu"]?.milliValue }
    public static func memory(_ c: Container) -> Int64? { c.resources?.requests?["memory"]?.value }
}
