import KubeAPI

/// When this controller last saw each node show signs of life: its Lease renewed or its Ready
/// condition's heartbeat moved. Times are this process's own monotonic clock at the moment
/// of observation, never the timestamps the node wrote, so a node with a skewed clock is
/// judged fairly (as upstream's `probeTimestamp`). A node first seen gets a full grace
/// period from then, so a restarted controller does not condemn every node at once.
struct NodeHeartbeats {
    private struct Record {
        var readyHeartbeat: String?
        var leaseRenewTime: String?
        var observedAt: ContinuousClock.Instant
    }

    private var records: [String: Record] = [:]

    /// Records what `node` and its Lease say now; returns when the node last showed life.
    mutating func observe(_ name: String, node: Node?, lease: Lease?, at now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let heartbeat = node?.status?.conditions?.first { $0.type == "Ready" }?.lastHeartbeatTime
        let renewed = lease?.spec?.renewTime
        guard var record = records[name] else {
            records[name] = Record(readyHeartbeat: heartbeat, leaseRenewTime: renewed, observedAt: now)
            return now
        }
        if (heartbeat != nil && heartbeat != record.readyHeartbeat) || (renewed != nil && renewed != record.leaseRenewTime) {
            record.observedAt = now
        }
        record.readyHeartbeat = heartbeat
        record.leaseRenewTime = renewed
        records[name] = record
        return record.observedAt
    }

    mutating func forget(_ name: String) {
        records[name] = nil
    }
}
