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
    /// The Pods running here, for admission: the latest version seen of each.
    private let admitted = ProtectedState([String: Pod]())
    /// Pods failed by admission, so that events before their Failed status lands do not
    /// admit them after all.
    private let rejected = ProtectedState(Set<String>())
    private let admission: PodAdmission

    /// Whether the informer is this manager's own (else the node's shared one, which its
    /// owner starts and stops).
    private let ownsInformer: Bool

    public init(env: PodEnvironment, allocatable: [String: Quantity], informer shared: Informer<Pod>? = nil) {
        self.env = env
        admission = PodAdmission(allocatable: allocatable)
        informer = shared ?? Informer(client: env.client, fieldSelector: "spec.nodeName=\(env.nodeName)", decodesManagedFields: false,
                                      logger: env.logger)
        ownsInformer = shared == nil
    }

    public func run() async {
        let registration = informer.addEventHandler(
            onAdd: { [self] pod in await self.observe(pod) },
            onUpdate: { [self] _, pod in await self.observe(pod) },
            onDelete: { [self] pod in await self.gone(pod) })
        informer.start()
        do {
            try await informer.waitForSync()
            await removeOrphans()
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        } catch {
            // Cancelled.
        }
        informer.removeEventHandler(registration)
        if ownsInformer { await informer.stop() }
        // Stopping the agent leaves Pods running (a restarted agent adopts them).
    }

    /// Pods this node still has sandboxes for but the API no longer lists (deleted while the
    /// agent was down) are torn down.
    private func removeOrphans() async {
        let known = Set(informer.list().compactMap { $0.metadata?.uid })
        let podsDir = env.stateDirectory + "/pods"
        for uid in (try? FileManager.default.contentsOfDirectory(atPath: podsDir)) ?? [] where !known.contains(uid) {
            guard workers.withLock({ $0[uid] }) == nil else { continue }
            let saved = FileManager.default.contents(atPath: "\(podsDir)/\(uid)/sandbox.json")
                .flatMap { try? JSONDecoder().decode(PodWorker.SavedSandbox.self, from: $0) }
            var meta = ObjectMeta(name: saved?.name ?? uid, namespace: saved?.namespace ?? "default")
            meta.uid = uid
            meta.deletionTimestamp = KubeTime.format()
            meta.deletionGracePeriodSeconds = 0
            env.logger.info("pod \(meta.namespace ?? "")/\(meta.name ?? "") was deleted while the agent was down: removing it")
            await observe(Pod(metadata: meta, spec: PodSpec(containers: [])))
        }
    }

    private func observe(_ pod: Pod) async {
        guard let uid = pod.metadata?.uid else { return }
        let phase = pod.status?.phase
        let admitted = self.admitted
        var rejection: PodAdmission.Rejection?
        let (worker, isNew) = workers.withLock { workers -> (PodWorker?, Bool) in
            if let existing = workers[uid] {
                admitted.withLock { $0[uid] = pod }
                return (existing, false)
            }
            // Finished Pods are not started again.
            guard phase != "Succeeded" && phase != "Failed" || pod.metadata?.deletionTimestamp != nil else { return (nil, false) }
            // A Pod with a sandbox here was admitted before the agent restarted.
            if pod.metadata?.deletionTimestamp == nil, access(env.podDirectory(uid), F_OK) != 0 {
                if rejected.withLock({ $0.contains(uid) }) { return (nil, false) }
                // Finished Pods hold nothing, as the scheduler counts.
                let running = admitted.withLock { Array($0.values) }.filter {
                    $0.status?.phase != "Succeeded" && $0.status?.phase != "Failed"
                }
                rejection = admission.check(pod, admitted: running)
                if rejection != nil {
                    rejected.withLock { _ = $0.insert(uid) }
                    return (nil, false)
                }
            }
            admitted.withLock { $0[uid] = pod }
            let worker = PodWorker(pod: pod, env: env)
            workers[uid] = worker
            return (worker, true)
        }
        if let rejection { return await reject(pod, rejection) }
        guard let worker else { return }
        await worker.update(pod)
        if isNew {
            let workers = self.workers
            Task {
                await worker.run()
                workers.withLock { $0[uid] = nil }
                admitted.withLock { $0[uid] = nil }
            }
        }
    }

    /// A Pod that does not fit is failed without running, as the kubelet fails it.
    private func reject(_ pod: Pod, _ rejection: PodAdmission.Rejection) async {
        let key = "\(pod.metadata?.namespace ?? "")/\(pod.metadata?.name ?? "")"
        env.logger.info("pod \(key) rejected: \(rejection.message)")
        await env.recordEvent(for: pod, "Warning", rejection.reason, rejection.message)
        let status: JSONValue = ["phase": "Failed", "reason": .string(rejection.reason),
                                 "message": .string("Pod was rejected: " + rejection.message)]
        do {
            _ = try await env.client.patch(Pod.self, name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace,
                                           patch: ["status": status], subresource: "status")
        } catch {
            env.logger.warning("pod \(key): cannot record its rejection: \(error)")
        }
    }

    private func gone(_ pod: Pod) async {
        if let uid = pod.metadata?.uid { rejected.withLock { _ = $0.remove(uid) } }
        guard let uid = pod.metadata?.uid, let worker = workers.withLock({ $0[uid] }) else { return }
        var deleted = pod
        if deleted.metadata?.deletionTimestamp == nil { deleted.metadata?.deletionTimestamp = KubeTime.format() }
        deleted.metadata?.deletionGracePeriodSeconds = 0
        await worker.update(deleted)
    }
}
