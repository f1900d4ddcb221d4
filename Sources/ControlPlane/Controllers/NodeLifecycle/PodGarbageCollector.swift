import Foundation
import KubeAPI
import Logging

/// Removes Pods bound to nodes that no longer exist (kube-controller-manager's
/// `pod-garbage-collector`): no agent will ever confirm their deletion, so they are deleted
/// with no grace period, and their controllers replace them. A node's absence is confirmed
/// with a live read first, so a cache that has not seen a new node yet costs nothing.
///
/// A node seen deleted is acted on at once. A node the sweep finds missing (never seen, or
/// gone while the controller was away) is acted on only after upstream's quarantine: a Pod can
/// be bound to a node whose registration is still on its way, and a scheduler or test may bind
/// to a name before the Node exists.
public final class PodGarbageCollector: Controller {
    public static let name = "pod-garbage-collector"
    /// Upstream's gcCheckPeriod.
    static let sweepPeriod: Duration = .seconds(20)
    /// Upstream's quarantineTime for nodes the sweep finds missing.
    static let quarantine: Duration = .seconds(40)

    private let client: KubeClient
    private let informers: ClusterInformers
    private let logger: Logger
    private let queue = WorkQueue<String>()

    public init(client: KubeClient, informers: ClusterInformers, logger: Logger = Logger(label: "skiff.pod-garbage-collector")) {
        self.client = client
        self.informers = informers
        self.logger = logger
    }

    public func run() async {
        let (queue, informers) = (self.queue, self.informers)
        let nodes = informers.nodes.addEventHandler(onDelete: { node in await queue.add(node.metadata?.name ?? "") })
        informers.nodes.start()
        informers.pods.start()
        do {
            try await informers.nodes.waitForSync()
            try await informers.pods.waitForSync()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    while !Task.isCancelled {
                        for node in orphanNodes() { queue.add(node, after: Self.quarantine) }
                        try? await Task.sleep(for: Self.sweepPeriod)
                    }
                }
                group.addTask { [self] in
                    await queue.runWorkers(1, logger: logger) { [self] node in try await collect(node) }
                }
                await group.next()
                group.cancelAll()
            }
        } catch {
            // Cancelled while the caches filled.
        }
        informers.nodes.removeEventHandler(nodes)
    }

    /// Node names Pods are bound to that the cache does not know.
    private func orphanNodes() -> Set<String> {
        var names = Set<String>()
        for pod in informers.pods.list(where: { !($0.spec?.nodeName ?? "").isEmpty }) {
            let node = pod.spec?.nodeName ?? ""
            if informers.nodes.get(name: node) == nil { names.insert(node) }
        }
        return names
    }

    func collect(_ node: String) async throws {
        guard !node.isEmpty, informers.nodes.get(name: node) == nil else { return }
        do {
            _ = try await client.get(Node.self, name: node)
            return
        } catch let error as KubeAPIError where error.code == 404 {}
        for pod in informers.pods.list(where: { $0.spec?.nodeName == node }) {
            let (namespace, name) = (pod.metadata?.namespace ?? "", pod.metadata?.name ?? "")
            do {
                try await client.delete(Pod.self, name: name, namespace: namespace,
                                        options: DeletionOptions(gracePeriodSeconds: 0, preconditionUID: pod.metadata?.uid))
                logger.info("deleted pod \(namespace)/\(name): its node \(node) is gone")
            } catch let error as KubeAPIError where error.code == 404 || error.code == 409 {}
        }
    }
}
