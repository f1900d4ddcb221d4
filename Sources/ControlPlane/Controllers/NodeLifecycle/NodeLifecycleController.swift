import Foundation
import KubeAPI
import Logging

/// Notices nodes that stop heartbeating (kube-controller-manager's `node-lifecycle`
/// controller): a node whose Lease in `kube-node-lease` and Ready heartbeat have both been
/// still for `--node-monitor-grace-period` gets its conditions set to Unknown, its Pods
/// marked not Ready (so Services stop sending them traffic) and the `unreachable` taints;
/// condition taints follow the node's conditions both ways. Evicting the Pods the NoExecute
/// taints no longer tolerate is `TaintEvictionController`'s job.
public final class NodeLifecycleController: Controller {
    public static let name = "node-lifecycle"
    static let leaseNamespace = "kube-node-lease"

    public struct Config: Sendable {
        public var monitorGracePeriod: Duration = .seconds(50)
        public var monitorPeriod: Duration = .seconds(5)
        public var startupGracePeriod: Duration = .seconds(60)
        public init() {}
    }

    private let client: KubeClient
    private let informers: ClusterInformers
    private let config: Config
    private let logger: Logger
    private let queue = WorkQueue<String>()
    private let heartbeats = ProtectedState(NodeHeartbeats())
    private let events: EventRecorder

    public init(client: KubeClient, informers: ClusterInformers, config: Config = Config(),
                logger: Logger = Logger(label: "skiff.node-lifecycle-controller")) {
        self.client = client
        self.informers = informers
        self.config = config
        self.logger = logger
        events = EventRecorder(client: client, component: "node-controller")
    }

    public func run() async {
        let (queue, informers, heartbeats) = (self.queue, self.informers, self.heartbeats)
        let nodes = informers.nodes.addEventHandler(
            onAdd: { node in await queue.add(node.metadata?.name ?? "") },
            onUpdate: { _, node in await queue.add(node.metadata?.name ?? "") },
            onDelete: { node in
                heartbeats.withLock { $0.forget(node.metadata?.name ?? "") }
            })
        // A renewal is noted when it is seen, so the grace period runs from real observations.
        let leases = informers.nodeLeases.addEventHandler(
            onAdd: { lease in await queue.add(lease.metadata?.name ?? "") },
            onUpdate: { _, lease in await queue.add(lease.metadata?.name ?? "") })
        informers.nodes.start()
        informers.nodeLeases.start()
        informers.pods.start()
        do {
            try await informers.nodes.waitForSync()
            try await informers.nodeLeases.waitForSync()
            try await informers.pods.waitForSync()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: config.monitorPeriod)
                        for node in informers.nodes.list() { await queue.add(node.metadata?.name ?? "") }
                    }
                }
                group.addTask { [self] in
                    await queue.runWorkers(2, logger: logger) { [self] name in try await reconcile(name) }
                }
                await group.next()
                group.cancelAll()
            }
        } catch {
            // Cancelled while the caches filled.
        }
        informers.nodes.removeEventHandler(nodes)
        informers.nodeLeases.removeEventHandler(leases)
    }

    func reconcile(_ name: String) async throws {
        guard !name.isEmpty, var node = informers.nodes.get(name: name) else { return }
        let lease = informers.nodeLeases.get(namespace: Self.leaseNamespace, name: name)
        let now = ContinuousClock.now
        let lastSeen = heartbeats.withLock { $0.observe(name, node: node, lease: lease, at: now) }
        let ready = node.status?.conditions?.first { $0.type == "Ready" }
        let grace = ready == nil ? config.startupGracePeriod : config.monitorGracePeriod

        if now - lastSeen > grace, ready?.status != "Unknown" {
            node = try await markUnknown(node)
        }
        if node.status?.conditions?.first(where: { $0.type == "Ready" })?.status == "Unknown" {
            try await markPodsNotReady(on: name)
        }
        let taints = NodeConditionTaints.reconcile(node, now: ObjectMetaRules.timestamp())
        if taints != (node.spec?.taints ?? []) {
            _ = try await client.patch(Node.self, name: name, patch: [
                "metadata": ["resourceVersion": .string(node.metadata?.resourceVersion ?? "")],
                "spec": ["taints": try JSONValue(encoding: taints)]])
        }
    }

    /// Sets the conditions the node's agent reports to Unknown, as upstream: it is not known
    /// whether the node is healthy, only that it has gone quiet.
    private func markUnknown(_ node: Node) async throws -> Node {
        let now = ObjectMetaRules.timestamp()
        var updated = node
        var conditions = node.status?.conditions ?? []
        for type in ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] {
            if let i = conditions.firstIndex(where: { $0.type == type }) {
                guard conditions[i].status != "Unknown" else { continue }
                conditions[i].status = "Unknown"
                conditions[i].reason = "NodeStatusUnknown"
                conditions[i].message = "Kubelet stopped posting node status."
                conditions[i].lastTransitionTime = now
            } else {
                conditions.append(NodeCondition(type: type, status: "Unknown", lastHeartbeatTime: node.metadata?.creationTimestamp,
                                                lastTransitionTime: now, reason: "NodeStatusNeverUpdated",
                                                message: "Kubelet never posted node status."))
            }
        }
        if updated.status == nil { updated.status = NodeStatus() }
        updated.status?.conditions = conditions
        let written = try await client.updateStatus(updated)
        let name = node.metadata?.name ?? ""
        logger.info("node \(name) has not been heard from for the grace period: Ready=Unknown")
        await events.record(ObjectReference(to: node), type: "Normal", reason: "NodeNotReady",
                            message: "Node \(name) status is now: NodeNotReady")
        return written
    }

    /// Pods on a node nobody hears from may not be serving: mark them not Ready so endpoints
    /// drop them now rather than when they are evicted.
    private func markPodsNotReady(on node: String) async throws {
        let now = ObjectMetaRules.timestamp()
        for pod in informers.pods.list(where: { $0.spec?.nodeName == node && PodEndpoints.isReady($0) }) {
            var updated = pod
            updated.status?.conditions = pod.status?.conditions?.map { condition in
                guard condition.type == "Ready" else { return condition }
                var c = condition
                c.status = "False"
                c.lastTransitionTime = now
                return c
            }
            do {
                _ = try await client.updateStatus(updated)
            } catch let error as KubeAPIError where error.code == 404 {
                continue
            }
        }
    }
}
