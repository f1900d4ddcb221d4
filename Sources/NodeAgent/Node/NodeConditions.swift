import Foundation
import KubeAPI

/// What the agent measures about the node's health at one moment.
public struct NodeReadings: Sendable, Equatable {
    public var memoryAvailableBytes: Int64?
    public var diskAvailableFraction: Double?
    public var pidsAvailable: Int64?
    /// Why the node cannot run Pods, if it cannot (no runtime, no network yet); nil when it can.
    public var notReadyReason: String?

    public init(memoryAvailableBytes: Int64? = nil, diskAvailableFraction: Double? = nil, pidsAvailable: Int64? = nil,
                notReadyReason: String? = nil) {
        self.memoryAvailableBytes = memoryAvailableBytes
        self.diskAvailableFraction = diskAvailableFraction
        self.pidsAvailable = pidsAvailable
        self.notReadyReason = notReadyReason
    }
}

/// The node conditions the kubelet reports, with its reasons and messages, judged against
/// the kubelet's default hard eviction thresholds (memory.available < 100Mi,
/// nodefs.available < 10%, and PIDs nearly used up).
public enum NodeConditions {
    public static let memoryThresholdBytes: Int64 = 100 * 1024 * 1024
    public static let diskThresholdFraction = 0.10
    public static let pidThreshold: Int64 = 1000

    /// The conditions for `readings`, keeping each condition's lastTransitionTime from
    /// `previous` when its status has not changed; every heartbeat time is `now`.
    public static func update(_ previous: [NodeCondition], readings: NodeReadings, now: String) -> [NodeCondition] {
        func condition(_ type: String, _ bad: Bool, _ badReason: String, _ badMessage: String,
                       _ goodReason: String, _ goodMessage: String, badStatus: String = "True") -> NodeCondition {
            let status = bad ? badStatus : (badStatus == "True" ? "False" : "True")
            let old = previous.first { $0.type == type }
            return NodeCondition(type: type, status: status, lastHeartbeatTime: now,
                                 lastTransitionTime: old?.status == status ? (old?.lastTransitionTime ?? now) : now,
                                 reason: bad ? badReason : goodReason, message: bad ? badMessage : goodMessage)
        }
        let memory = readings.memoryAvailableBytes.map { $0 < memoryThresholdBytes } ?? false
        let disk = readings.diskAvailableFraction.map { $0 < diskThresholdFraction } ?? false
        let pids = readings.pidsAvailable.map { $0 < pidThreshold } ?? false
        return [
            condition("MemoryPressure", memory, "KubeletHasInsufficientMemory", "kubelet has insufficient memory available",
                      "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            condition("DiskPressure", disk, "KubeletHasDiskPressure", "kubelet has disk pressure",
                      "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", pids, "KubeletHasInsufficientPID", "kubelet has insufficient PID available",
                      "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", readings.notReadyReason != nil, "KubeletNotReady", readings.notReadyReason ?? "",
                      "KubeletReady", "kubelet is posting ready status", badStatus: "False"),
        ]
    }
}
