import Foundation
import KubeAPI
import Logging

/// Rolls Deployments out through ReplicaSets (kube-controller-manager's `deployment`
/// controller): one ReplicaSet per pod template, named by its `pod-template-hash`; a
/// RollingUpdate that keeps within maxSurge / maxUnavailable, or a Recreate; revisions for
/// `kubectl rollout history` / `undo`; pause; a progress deadline; status that `kubectl
/// rollout status` reads as upstream. The steps are in `DeploymentSync`.
public final class DeploymentController: Controller {
    public static let name = "deployment"

    private let client: KubeClient
    private let informers: ClusterInformers
    private let logger: Logger
    private let queue = WorkQueue<String>()
    private let workers: Int
    private let events: EventRecorder

    public init(client: KubeClient, informers: ClusterInformers, workers: Int = 5,
                logger: Logger = Logger(label: "skiff.deployment-controller")) {
        self.client = client
        self.informers = informers
        self.logger = logger
        self.workers = workers
        events = EventRecorder(client: client, component: "deployment-controller")
    }

    public func run() async {
        let (queue, informers) = (self.queue, self.informers)
        let deployments = informers.deployments.addEventHandler(
            onAdd: { d in await queue.add(Self.key(d)) },
            onUpdate: { _, d in await queue.add(Self.key(d)) },
            onDelete: { d in await queue.add(Self.key(d)) })
        let sets = informers.replicaSets.addEventHandler(
            onAdd: { rs in for key in Self.deployments(for: rs, informers) { await queue.add(key) } },
            onUpdate: { old, new in
                for key in Set(Self.deployments(for: old, informers) + Self.deployments(for: new, informers)) { await queue.add(key) }
            },
            onDelete: { rs in if let key = Self.owner(of: rs) { await queue.add(key) } })
        // Recreate waits for the old Pods to be gone: their deletion is its cue.
        let pods = informers.pods.addEventHandler(
            onAdd: { _ in }, onUpdate: { _, _ in },
            onDelete: { pod in
                guard let rsKey = ReplicaSetController.owner(of: pod), let (ns, name) = ServicePodTriggers.split(rsKey),
                      let rs = informers.replicaSets.get(namespace: ns, name: name), let key = Self.owner(of: rs),
                      let (dns, dname) = ServicePodTriggers.split(key),
                      informers.deployments.get(namespace: dns, name: dname).map(DeploymentStrategyType.init) == .recreate
                else { return }
                await queue.add(key)
            })
        informers.deployments.start()
        informers.replicaSets.start()
        informers.pods.start()
        do {
            try await informers.deployments.waitForSync()
            try await informers.replicaSets.waitForSync()
            try await informers.pods.waitForSync()
            await queue.runWorkers(workers, logger: logger) { [self] key in try await reconcile(key) }
        } catch {
            // Cancelled while the caches filled.
        }
        informers.deployments.removeEventHandler(deployments)
        informers.replicaSets.removeEventHandler(sets)
        informers.pods.removeEventHandler(pods)
    }

    static func key(_ d: Deployment) -> String { (d.metadata?.namespace ?? "") + "/" + (d.metadata?.name ?? "") }

    /// `namespace/name` of the Deployment that controls `rs`.
    static func owner(of rs: ReplicaSet) -> String? {
        guard let ref = rs.metadata?.ownerReferences?.first(where: { $0.controller == true }),
              ref.kind == "Deployment", let name = ref.name else { return nil }
        return (rs.metadata?.namespace ?? "") + "/" + name
    }

    /// The owner of `rs`, or for an orphan every Deployment that could adopt it.
    private static func deployments(for rs: ReplicaSet, _ informers: ClusterInformers) -> [String] {
        if let owner = owner(of: rs) { return [owner] }
        guard rs.metadata?.ownerReferences?.contains(where: { $0.controller == true }) != true else { return [] }
        let labels = rs.metadata?.labels ?? [:]
        return informers.deployments.list {
            $0.metadata?.namespace == rs.metadata?.namespace && Self.selects($0, labels)
        }.map(key)
    }

    /// An empty selector would select everything; upstream refuses to act on one.
    private static func selects(_ d: Deployment, _ labels: [String: String]) -> Bool {
        !isEmpty(d.spec?.selector) && (d.spec?.selector).matches(labels)
    }

    private static func isEmpty(_ selector: LabelSelector?) -> Bool {
        (selector?.matchLabels ?? [:]).isEmpty && (selector?.matchExpressions ?? []).isEmpty
    }

    static func controllerRef(_ d: Deployment) -> OwnerReference {
        OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: d.metadata?.name ?? "", uid: d.metadata?.uid ?? "",
                       controller: true, blockOwnerDeletion: true)
    }

    func reconcile(_ key: String) async throws {
        guard let (namespace, name) = ServicePodTriggers.split(key),
              let deployment = informers.deployments.get(namespace: namespace, name: name) else { return }
        if Self.isEmpty(deployment.spec?.selector) {
            await events.record(ObjectReference(to: deployment), type: "Warning", reason: "SelectingAll",
                                message: "This deployment is selecting all pods. A non-empty selector is required.")
            if (deployment.status?.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0) {
                var copy = deployment
                copy.status = copy.status ?? DeploymentStatus()
                copy.status?.observedGeneration = deployment.metadata?.generation
                _ = try await client.updateStatus(copy)
            }
            return
        }
        var sync = DeploymentSync(client: client, events: events, deployment: deployment,
                                  sets: try await claimReplicaSets(deployment), now: Date())
        if deployment.metadata?.deletionTimestamp != nil { return try await sync.statusOnly() }
        try await sync.notePausedOrResumed()
        if sync.deployment.spec?.paused == true { return try await sync.scaleOnly() }
        if try await sync.isScalingEvent() { return try await sync.scaleOnly() }
        switch DeploymentStrategyType(sync.deployment) {
        case .recreate:
            sync.podsByReplicaSet = podsByReplicaSet(namespace: namespace, sets: sync.sets)
            try await sync.recreate()
        case .rollingUpdate:
            try await sync.rollOut()
        }
        // A rollout that stops moving must be seen to pass its deadline without any event.
        if let deadline = DeploymentProgress.deadline(sync.deployment, sync.deployment.status ?? DeploymentStatus()) {
            let wait = max(deadline.timeIntervalSinceNow, 0) + 1
            queue.add(key, after: .milliseconds(Int64(wait * 1000)))
        }
    }

    /// Adopts orphan ReplicaSets the selector matches and releases owned ones it no longer
    /// does; returns the ReplicaSets this Deployment now owns.
    private func claimReplicaSets(_ d: Deployment) async throws -> [ReplicaSet] {
        let uid = d.metadata?.uid ?? ""
        let deleting = d.metadata?.deletionTimestamp != nil
        var owned: [ReplicaSet] = []
        for rs in informers.replicaSets.list(where: { $0.metadata?.namespace == d.metadata?.namespace }) {
            let controller = rs.metadata?.ownerReferences?.first { $0.controller == true }
            let matches = Self.selects(d, rs.metadata?.labels ?? [:])
            if controller?.uid == uid {
                if matches || deleting {
                    owned.append(rs)
                } else {
                    try await setOwners(of: rs, (rs.metadata?.ownerReferences ?? []).filter { $0.uid != uid })
                }
            } else if controller == nil, matches, !deleting, rs.metadata?.deletionTimestamp == nil {
                var refs = rs.metadata?.ownerReferences ?? []
                refs.append(Self.controllerRef(d))
                owned.append(try await setOwners(of: rs, refs))
            }
        }
        return owned
    }

    @discardableResult
    private func setOwners(of rs: ReplicaSet, _ refs: [OwnerReference]) async throws -> ReplicaSet {
        try await client.patch(ReplicaSet.self, name: rs.name, namespace: rs.metadata?.namespace,
                               patch: ["metadata": ["ownerReferences": try JSONValue(encoding: refs),
                                                    "resourceVersion": .string(rs.metadata?.resourceVersion ?? "")]])
    }

    private func podsByReplicaSet(namespace: String, sets: [ReplicaSet]) -> [String: [Pod]] {
        let uids = Set(sets.compactMap { $0.metadata?.uid })
        var pods: [String: [Pod]] = [:]
        for pod in informers.pods.list(where: { $0.metadata?.namespace == namespace }) {
            guard let uid = pod.metadata?.ownerReferences?.first(where: { $0.controller == true })?.uid, uids.contains(uid) else { continue }
            pods[uid, default: []].append(pod)
        }
        return pods
    }
}
