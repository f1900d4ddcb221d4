import Foundation
import KubeAPI
import Logging

/// Keeps each ReplicaSet's Pods at its replica count (kube-controller-manager's `replicaset`
/// controller): Pods created from the template with the ReplicaSet as controlling owner, in
/// slow-start batches (1, 2, 4, …) so a failing template costs one error, not hundreds;
/// surplus Pods deleted least useful first (`PodDeletionRank`); orphans matching the selector
/// adopted and owned Pods that stopped matching released; status counts written back.
public final class ReplicaSetController: Controller {
    public static let name = "replicaset"
    /// Upstream's burstReplicas: at most this many creations or deletions per sync.
    static let burstReplicas = 500

    private let client: KubeClient
    private let informers: ClusterInformers
    private let logger: Logger
    private let queue = WorkQueue<String>()
    private let expectations = ProtectedState(ControllerExpectations())
    private let workers: Int
    private let events: EventRecorder

    public init(client: KubeClient, informers: ClusterInformers, workers: Int = 5,
                logger: Logger = Logger(label: "skiff.replicaset-controller")) {
        self.client = client
        self.informers = informers
        self.logger = logger
        self.workers = workers
        events = EventRecorder(client: client, component: "replicaset-controller")
    }

    public func run() async {
        let (queue, expectations, informers) = (self.queue, self.expectations, self.informers)
        let sets = informers.replicaSets.addEventHandler(
            onAdd: { rs in await queue.add(Self.key(rs)) },
            onUpdate: { _, rs in await queue.add(Self.key(rs)) },
            onDelete: { rs in expectations.withLock { $0.forget(Self.key(rs)) }; await queue.add(Self.key(rs)) })
        let pods = informers.pods.addEventHandler(
            onAdd: { pod in
                if let owner = Self.owner(of: pod) {
                    expectations.withLock { $0.observedAdd(owner) }
                    await queue.add(owner)
                } else {
                    for key in Self.matchingSets(pod, informers) { await queue.add(key) }
                }
            },
            onUpdate: { old, new in
                let owners = Set([Self.owner(of: old), Self.owner(of: new)].compactMap { $0 })
                for key in owners { await queue.add(key) }
                if Self.owner(of: new) == nil { for key in Self.matchingSets(new, informers) { await queue.add(key) } }
                // A Pod that became ready is available only after minReadySeconds: look again then.
                if let owner = Self.owner(of: new), !PodEndpoints.isReady(old), PodEndpoints.isReady(new),
                   let (ns, name) = ServicePodTriggers.split(owner),
                   let seconds = informers.replicaSets.get(namespace: ns, name: name)?.spec?.minReadySeconds, seconds > 0 {
                    queue.add(owner, after: .seconds(Int(seconds)) + .milliseconds(100))
                }
            },
            onDelete: { pod in
                if let owner = Self.owner(of: pod) {
                    expectations.withLock { $0.observedDelete(owner) }
                    await queue.add(owner)
                }
            })
        informers.replicaSets.start()
        informers.pods.start()
        do {
            try await informers.replicaSets.waitForSync()
            try await informers.pods.waitForSync()
            await queue.runWorkers(workers, logger: logger) { [self] key in try await reconcile(key) }
        } catch {
            // Cancelled while the caches filled.
        }
        informers.replicaSets.removeEventHandler(sets)
        informers.pods.removeEventHandler(pods)
    }

    static func key(_ rs: ReplicaSet) -> String { (rs.metadata?.namespace ?? "") + "/" + (rs.metadata?.name ?? "") }

    /// `namespace/name` of the ReplicaSet that controls `pod`.
    static func owner(of pod: Pod) -> String? {
        guard let ref = pod.metadata?.ownerReferences?.first(where: { $0.controller == true }),
              ref.kind == "ReplicaSet", let name = ref.name else { return nil }
        return (pod.metadata?.namespace ?? "") + "/" + name
    }

    private static func matchingSets(_ pod: Pod, _ informers: ClusterInformers) -> [String] {
        let labels = pod.metadata?.labels ?? [:]
        return informers.replicaSets.list {
            $0.metadata?.namespace == pod.metadata?.namespace && ($0.spec?.selector).matches(labels)
        }.map(key)
    }

    static func isActive(_ pod: Pod) -> Bool {
        pod.metadata?.deletionTimestamp == nil && !Scheduler.isTerminal(pod)
    }

    func reconcile(_ key: String) async throws {
        guard let (namespace, name) = ServicePodTriggers.split(key) else { return }
        guard let rs = informers.replicaSets.get(namespace: namespace, name: name) else {
            expectations.withLock { $0.forget(key) }
            return
        }
        let uid = rs.metadata?.uid ?? ""
        let pods = try await claimPods(rs, namespace: namespace)
        let active = pods.filter(Self.isActive)

        if expectations.withLock({ $0.satisfied(key) }) && rs.metadata?.deletionTimestamp == nil {
            let diff = active.count - Int(rs.spec?.replicas ?? 1)
            if diff < 0 {
                try await create(min(-diff, Self.burstReplicas), of: rs, key: key, uid: uid)
            } else if diff > 0 {
                try await delete(Array(active.sorted(by: PodDeletionRank.deleteFirst).prefix(min(diff, Self.burstReplicas))),
                                 of: rs, key: key)
            }
        }
        try await updateStatus(rs, pods: active)
    }

    /// Adopts orphans that match the selector and releases owned Pods that no longer do;
    /// returns the Pods this ReplicaSet now owns.
    private func claimPods(_ rs: ReplicaSet, namespace: String) async throws -> [Pod] {
        let uid = rs.metadata?.uid ?? ""
        var owned: [Pod] = []
        // O(Pods in the cache) per sync; an index by owner is the next step at scale.
        for pod in informers.pods.list(where: { $0.metadata?.namespace == namespace }) {
            let labels = pod.metadata?.labels ?? [:]
            let controller = pod.metadata?.ownerReferences?.first { $0.controller == true }
            let matches = (rs.spec?.selector).matches(labels)
            if controller?.uid == uid {
                if matches || rs.metadata?.deletionTimestamp != nil {
                    owned.append(pod)
                } else {
                    try await setOwners(of: pod, (pod.metadata?.ownerReferences ?? []).filter { $0.uid != uid })
                }
            } else if controller == nil, matches, rs.metadata?.deletionTimestamp == nil, pod.metadata?.deletionTimestamp == nil {
                var refs = pod.metadata?.ownerReferences ?? []
                refs.append(Self.controllerRef(rs))
                try await setOwners(of: pod, refs)
                var adopted = pod
                adopted.metadata?.ownerReferences = refs
                owned.append(adopted)
            }
        }
        return owned
    }

    private func setOwners(of pod: Pod, _ refs: [OwnerReference]) async throws {
        let encoded = try JSONValue(encoding: refs)
        _ = try await client.patch(Pod.self, name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace,
                                   patch: ["metadata": ["ownerReferences": encoded,
                                                        "resourceVersion": .string(pod.metadata?.resourceVersion ?? "")]])
    }

    static func controllerRef(_ rs: ReplicaSet) -> OwnerReference {
        OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata?.name ?? "", uid: rs.metadata?.uid ?? "",
                       controller: true, blockOwnerDeletion: true)
    }

    /// Creates `count` Pods in batches of 1, 2, 4, …; a failed batch stops the rest.
    private func create(_ count: Int, of rs: ReplicaSet, key: String, uid: String) async throws {
        expectations.withLock { $0.expect(key, adds: count) }
        var remaining = count
        var batch = 1
        while remaining > 0 {
            let size = min(batch, remaining)
            let results = await withTaskGroup(of: Error?.self, returning: [Error?].self) { group in
                for _ in 0..<size {
                    group.addTask { [self] in
                        do {
                            let pod = try await client.create(Self.pod(from: rs), namespace: rs.metadata?.namespace)
                            await event(rs, "Normal", "SuccessfulCreate", "Created pod: \(pod.metadata?.name ?? "")")
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let failures = results.compactMap { $0 }
            remaining -= size
            if let failure = failures.first {
                // Neither the failed Pods nor the batches never tried will show up.
                expectations.withLock { e in for _ in 0..<(failures.count + remaining) { e.observedAdd(key) } }
                await event(rs, "Warning", "FailedCreate", "Error creating: \(failure)")
                throw failure
            }
            batch *= 2
        }
    }

    private func delete(_ pods: [Pod], of rs: ReplicaSet, key: String) async throws {
        expectations.withLock { $0.expect(key, deletes: pods.count) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for pod in pods {
                group.addTask { [self] in
                    do {
                        try await client.delete(Pod.self, name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace)
                        await event(rs, "Normal", "SuccessfulDelete", "Deleted pod: \(pod.metadata?.name ?? "")")
                    } catch let error as KubeAPIError where error.code == 404 {
                        expectations.withLock { $0.observedDelete(key) }
                    } catch {
                        expectations.withLock { $0.observedDelete(key) }
                        throw error
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func pod(from rs: ReplicaSet) -> Pod {
        let template = rs.spec?.template
        var meta = ObjectMeta(namespace: rs.metadata?.namespace, labels: template?.metadata?.labels,
                              annotations: template?.metadata?.annotations)
        meta.generateName = (rs.metadata?.name ?? "") + "-"
        meta.ownerReferences = [controllerRef(rs)]
        meta.finalizers = template?.metadata?.finalizers
        return Pod(metadata: meta, spec: template?.spec)
    }

    private func updateStatus(_ rs: ReplicaSet, pods: [Pod]) async throws {
        let templateLabels = rs.spec?.template?.metadata?.labels ?? [:]
        let minReady = TimeInterval(rs.spec?.minReadySeconds ?? 0)
        let now = Date()
        var status = rs.status ?? ReplicaSetStatus()
        status.replicas = Int32(pods.count)
        status.fullyLabeledReplicas = Int32(pods.filter { p in templateLabels.allSatisfy { p.metadata?.labels?[$0.key] == $0.value } }.count)
        let ready = pods.filter(PodEndpoints.isReady)
        status.readyReplicas = Int32(ready.count)
        status.availableReplicas = Int32(ready.filter { pod in
            guard minReady > 0 else { return true }
            guard let since = PodDeletionRank.readySince(pod).flatMap(Self.parseTime) else { return false }
            return now.timeIntervalSince(since) >= minReady
        }.count)
        status.observedGeneration = rs.metadata?.generation
        guard status != rs.status else { return }
        var updated = rs
        updated.status = status
        _ = try await client.updateStatus(updated)
    }

    private static func parseTime(_ text: String) -> Date? {
        ISO8601DateFormatter().date(from: text)
    }

    private func event(_ rs: ReplicaSet, _ type: String, _ reason: String, _ message: String) async {
        await events.record(ObjectReference(to: rs), type: type, reason: reason, message: message)
    }
}
