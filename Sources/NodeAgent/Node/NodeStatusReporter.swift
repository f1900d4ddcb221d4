import Foundation
import KubeAPI
import Logging

/// Writes the Node's status (kubelet's `syncNodeStatus`): capacity and allocatable,
/// addresses, system info and conditions, checked every `updateInterval` and written when
/// anything but the heartbeat times changed, or at least every `reportInterval` (the Lease is
/// the frequent heartbeat, so status writes stay rare, as upstream since node leases).
public struct NodeStatusReporter: Sendable {
    public var updateInterval: Duration = .seconds(10)
    public var reportInterval: Duration = .seconds(300)
    let client: KubeClient
    let registration: NodeRegistration
    let probe: NodeHealthProbe
    let logger: Logger

    public init(client: KubeClient, registration: NodeRegistration, probe: NodeHealthProbe, logger: Logger) {
        self.client = client
        self.registration = registration
        self.probe = probe
        self.logger = logger
    }

    public func run() async {
        var lastWritten: NodeStatus?
        var lastWriteAt = ContinuousClock.now
        while !Task.isCancelled {
            do {
                let node = try await client.get(Node.self, name: registration.name)
                let status = self.status(previous: node.status)
                let due = lastWritten == nil || ContinuousClock.now - lastWriteAt >= reportInterval
                    || Self.withoutHeartbeats(status) != Self.withoutHeartbeats(node.status)
                if due {
                    try await write(status)
                    lastWritten = status
                    lastWriteAt = .now
                }
            } catch {
                logger.warning("updating the node status failed: \(error)")
            }
            try? await Task.sleep(for: updateInterval)
        }
    }

    /// The status the agent reports now, conditions carried on from `previous`.
    public func status(previous: NodeStatus?) -> NodeStatus {
        var status = previous ?? NodeStatus()
        status.capacity = registration.capacity
        status.allocatable = registration.capacity
        status.addresses = registration.addresses
        status.nodeInfo = registration.nodeInfo
        status.daemonEndpoints = NodeDaemonEndpoints(kubeletEndpoint: DaemonEndpoint(Port: Int32(registration.port)))
        status.conditions = NodeConditions.update(previous?.conditions ?? [], readings: probe.read(), now: KubeTime.format())
        return status
    }

    public func write(_ status: NodeStatus) async throws {
        _ = try await client.patch(Node.self, name: registration.name, patch: ["status": try JSONValue(encoding: status)],
                                   subresource: "status")
    }

    static func withoutHeartbeats(_ status: NodeStatus?) -> NodeStatus? {
        guard var status else { return nil }
        status.conditions = status.conditions?.map { var c = $0; c.lastHeartbeatTime = nil; return c }
        return status
    }
}
