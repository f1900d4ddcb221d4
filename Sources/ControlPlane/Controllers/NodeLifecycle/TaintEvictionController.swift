import Foundation
import KubeAPI
import Logging

/// Deletes Pods from nodes whose NoExecute taints they do not tolerate, or tolerate only for
/// a while (kube-controller-manager's `taint-eviction-controller`): so the Pods of a node
/// that went unreachable are deleted after their `tolerationSeconds` (300 s added at
/// admission, as upstream) and their controllers replace them elsewhere.
public final class TaintEvictionController: Controller {
    public static let name = "taint-eviction-controller"

    private let client: KubeClient
    private let informers: ClusterInformers
    private let logger: Logger
    private let queue = WorkQueue<String>()
    private let events: EventRecorder

    public init(client: KubeClient, informers: ClusterInformers, logger: Logger = Logger(label: "skiff.taint-eviction-controller")) {
        self.client = client
        self.informers = informers
        self.logger = logger
        events = EventRecorder(client: client, component: "taint-eviction-controller")
    }

    public func run() async {
        let (queue, informers) = (self.queue, self.informers)
        let pods = informers.pods.addEventHandler(
            onAdd: { pod in if Self.onTaintedNode(pod, informers) { await queue.add(Self.key(pod)) } },
            onUpdate: { _, pod in if Self.onTaintedNode(pod, informers) { await queue.add(Self.key(pod)) } })
        let nodes = informers.nodes.addEventHandler(
            onAdd: { node in await Self.enqueuePods(of: node, informers, queue) },
            onUpdate: { old, new in
                if Self.noExecute(old) != Self.noExecute(new) { await Self.enqueuePods(of: new, informers, queue) }
            })
        informers.pods.start()
        informers.nodes.start()
        do {
            try await informers.pods.waitForSync()
            try await informers.nodes.waitForSync()
            await queue.runWorkers(2, logger: logger) { [self] key in try await reconcile(key) }
        } catch {
            // Cancelled while the caches filled.
        }
        informers.pods.removeEventHandler(pods)
        informers.nodes.removeEventHandler(nodes)
    }

    static func key(_ pod: Pod) -> String { (pod.metadata?.namespace ?? "") + "/" + (pod.metadata?.name ?? "") }

    static func noExecute(_ node: Node?) -> [Taint] {
        (node?.spec?.taints ?? []).filter { $0.effect == "NoExecute" }
    }

    private static func onTaintedNode(_ pod: Pod, _ informers: ClusterInformers) -> Bool {
        guard let nodeName = pod.spec?.nodeName, !nodeName.isEmpty, pod.metadata?.deletionTimestamp == nil else { return false }
        return !noExecute(informers.nodes.get(name: nodeName)).isEmpty
    }

    private static func enqueuePods(of node: Node, _ informers: ClusterInformers, _ queue: WorkQueue<String>) async {
        guard !noExecute(node).isEmpty, let name = node.metadata?.name else { return }
        for pod in informers.pods.list(where: { $0.spec?.nodeName == name && $0.metadata?.deletionTimestamp == nil }) {
            await queue.add(key(pod))
        }
    }

    func reconcile(_ key: String) async throws {
        guard let (namespace, name) = ServicePodTriggers.split(key),
              let pod = informers.pods.get(namespace: namespace, name: name),
              pod.metadata?.deletionTimestamp == nil,
              let nodeName = pod.spec?.nodeName, let node = informers.nodes.get(name: nodeName) else { return }
        switch TaintEviction(tolerations: pod.spec?.tolerations ?? [], taints: Self.noExecute(node), now: Date()) {
        case .stay:
            return
        case .at(let deadline):
            queue.add(key, after: .milliseconds(Int64(max(deadline.timeIntervalSinceNow, 0) * 1000) + 50))
        case .now:
            try await evict(pod)
        }
    }

    /// Marks the Pod as disrupted by the taint (the DisruptionTarget condition upstream sets,
    /// which tells a Job its Pod did not fail by itself), then deletes it gracefully.
    private func evict(_ pod: Pod) async throws {
        let namespace = pod.metadata?.namespace ?? ""
        let name = pod.metadata?.name ?? ""
        await events.record(ObjectReference(to: pod), type: "Normal", reason: "TaintManagerEviction",
                            message: "Marking for deletion Pod \(namespace)/\(name)")
        var marked = pod
        let condition = PodCondition(type: "DisruptionTarget", status: "True", lastTransitionTime: ObjectMetaRules.timestamp(),
                                     reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint")
        marked.status?.conditions = (pod.status?.conditions ?? []).filter { $0.type != "DisruptionTarget" } + [condition]
        _ = try? await client.updateStatus(marked)
        do {
            try await client.delete(Pod.self, name: name, namespace: namespace)
            logger.info("evicted pod \(namespace)/\(name) from node \(pod.spec?.nodeName ?? "") (NoExecute taint)")
        } catch let error as KubeAPIError where error.code == 404 {}
    }
}
