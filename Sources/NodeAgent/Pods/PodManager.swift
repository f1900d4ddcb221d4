import Foundation
import KubeAPI
import Logging

/// Watches the Pods bound to this node and keeps one `PodWorker` per Pod: started when the
/// Pod appears, told of every change, and left to finish its tear-down when the Pod is being
/// deleted (a Pod removed outright, force-deleted, is torn down without confirmation).
public final class PodManager: Sendable {
    private let env: PodEnvironment
    private let informer: Informer<Pod>
    private let workers = ProtectedState([String: PodWorker]())

    public init(env: PodEnvironment) {
        self.env = env
        informer = Informer(client: env.client, fieldSelector: "spec.nodeName=\(env.nodeName)", decodesManagedFields: false,
                            logger: env.logger)
    }

    public func run() async {
        let registration = informer.addEventHandler(
            onAdd: { [self] pod in await self.observe(pod) },
            onUpdate: { [self] _, pod in await self.observe(pod) },
            onDelete: { [self] pod in await self.gone(pod) })
        await informer.run()
        informer.removeEventHandler(registration)
        // Stopping the agent leaves Pods running (a restarted agent adopts them).
    }

    private func observe(_ pod: Pod) async {
        guard let uid = pod.metadata?.uid else { return }
        let phase = pod.status?.phase
        let (worker, isNew) = workers.withLock { workers -> (PodWorker?, Bool) in
            if let existing = workers[uid] { return (existing, false) }
            // Finished Pods are not started again.
            guard phase != "Succeeded" && phase != "Failed" || pod.metadata?.deletionTimestamp != nil else { return (nil, false) }
            let worker = PodWorker(pod: pod, env: env)
            workers[uid] = worker
            return (worker, true)
        }
        guard let worker else { return }
        await worker.update(pod)
        if isNew {
            let workers = self.workers
            Task {
                await worker.run()
                workers.withLock { $0[uid] = nil }
            }
        }
    }

    private func gone(_ pod: Pod) async {
        guard let uid = pod.metadata?.uid, let worker = workers.withLock({ $0[uid] }) else { return }
        var deleted = pod
        if deleted.metadata?.deletionTimestamp == nil { deleted.metadata?.deletionTimestamp = KubeTime.format() }
        deleted.metadata?.deletionGracePeriodSeconds = 0
        await worker.update(deleted)
    }
}
