import Foundation
import KubeAPI
import Logging

/// Binds Pods that have no node to one (kube-scheduler's default profile, `default-scheduler`):
/// filters, scores, an assumption in the cache while the binding is in flight so the next
/// decision already counts it, and for a Pod that fits nowhere the PodScheduled=False
/// condition and a FailedScheduling event with upstream's per-node reasons, then a retry when
/// the cluster changes.
public actor Scheduler: Controller {
    public static let name = "scheduler"
    public static let schedulerName = "default-scheduler"

    private let client: KubeClient
    private let informers: ClusterInformers
    private let logger: Logger
    private let maxBindingsInFlight: Int
    private let events: EventRecorder
    private var algorithm = SchedulingAlgorithm()
    private var queue = SchedulingQueue()
    /// Unschedulable Pods the cluster changed for since they failed: retried once their
    /// backoff has passed.
    private var movable: [String: ContinuousClock.Instant] = [:]
    private var failedAt: [String: ContinuousClock.Instant] = [:]
    private var waiter: CheckedContinuation<String?, Never>?
    private var stopped = false

    /// Upstream's podMaxInUnschedulablePodsDuration: a Pod is retried at least this often.
    static let maxWaitUnschedulable: Duration = .seconds(60)

    public init(client: KubeClient, informers: ClusterInformers, maxBindingsInFlight: Int = 64,
                logger: Logger = Logger(label: "skiff.scheduler")) {
        self.client = client
        self.informers = informers
        self.logger = logger
        self.maxBindingsInFlight = maxBindingsInFlight
        events = EventRecorder(client: client, component: Self.schedulerName)
    }

    public func run() async {
        let pods = informers.pods.addEventHandler(
            onAdd: { [self] p in await podChanged(old: nil, new: p) },
            onUpdate: { [self] old, new in await podChanged(old: old, new: new) },
            onDelete: { [self] p in await podDeleted(p) })
        let nodes = informers.nodes.addEventHandler(
            onAdd: { [self] n in await nodeChanged(n) },
            onUpdate: { [self] _, n in await nodeChanged(n) },
            onDelete: { [self] n in await nodeDeleted(n) })
        informers.pods.start()
        informers.nodes.start()
        do {
            try await informers.nodes.waitForSync()
            try await informers.pods.waitForSync()
            // Nodes first, so the first Pods see every node.
            await informers.nodes.waitUntilHandled(nodes)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [self] in await retryLoop() }
                await scheduleLoop()
                group.cancelAll()
            }
        } catch {
            // Cancelled while the caches filled.
        }
        informers.pods.removeEventHandler(pods)
        informers.nodes.removeEventHandler(nodes)
    }

    // MARK: the loop

    private func scheduleLoop() async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { bindings in
                var inFlight = 0
                while let key = await nextPending() {
                    guard let decision = decide(key) else { continue }
                    if inFlight >= maxBindingsInFlight {
                        await bindings.next()
                        inFlight -= 1
                    }
                    inFlight += 1
                    bindings.addTask { [self] in
                        switch decision {
                        case .bind(let pod, let node): await bind(pod, key: key, to: node)
                        case .unschedulable(let pod, let error): await reportUnschedulable(pod, error)
                        }
                    }
                }
            }
        } onCancel: {
            Task { await self.stop() }
        }
    }

    private func stop() {
        stopped = true
        waiter?.resume(returning: nil)
        waiter = nil
    }

    private func nextPending() async -> String? {
        if stopped { return nil }
        if let key = queue.pop() { return key }
        return await withCheckedContinuation { waiter = $0 }
    }

    private func enqueue(_ key: String, priority: Int32) {
        guard queue.add(key, priority: priority) else { return }
        if let w = waiter, let next = queue.pop() {
            waiter = nil
            w.resume(returning: next)
        }
    }

    private enum Decision: Sendable {
        case bind(Pod, node: String)
        case unschedulable(Pod, FitError)
    }

    private func decide(_ key: String) -> Decision? {
        guard let (namespace, name) = ServicePodTriggers.split(key),
              let pod = informers.pods.get(namespace: namespace, name: name), Self.isPending(pod) else {
            queue.remove(key)
            return nil
        }
        guard algorithm.node(ofPlaced: key) == nil else { return nil }   // a binding is in flight
        let requirements = PodRequirements(pod)
        switch algorithm.schedule(requirements) {
        case .success(let node):
            algorithm.place(key, on: node, requirements, assumed: true)
            return .bind(pod, node: node)
        case .failure(let error):
            queue.markUnschedulable(key)
            failedAt[key] = .now
            movable[key] = nil
            return .unschedulable(pod, error)
        }
    }

    // MARK: writes

    private nonisolated func bind(_ pod: Pod, key: String, to node: String) async {
        let namespace = pod.metadata?.namespace ?? "default", name = pod.metadata?.name ?? ""
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string(pod.metadata?.uid ?? "")],
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)],
        ]
        do {
            _ = try await client.create(path: "/api/v1/namespaces/\(namespace)/pods/\(name)/binding", object: binding)
            await recordEvent(for: pod, type: "Normal", reason: "Scheduled",
                              message: "Successfully assigned \(namespace)/\(name) to \(node)")
        } catch {
            logger.warning("binding \(key) to \(node) failed: \(error)")
            await bindingFailed(key)
        }
    }

    private func bindingFailed(_ key: String) {
        guard algorithm.assumed.contains(key) else { return }   // the informer already showed it bound
        algorithm.unplace(key)
        queue.markUnschedulable(key)
        failedAt[key] = .now
        movable[key] = .now
    }

    private nonisolated func reportUnschedulable(_ pod: Pod, _ error: FitError) async {
        let namespace = pod.metadata?.namespace ?? "default", name = pod.metadata?.name ?? ""
        let message = error.description
        let alreadySaid = pod.status?.conditions?.contains {
            $0.type == "PodScheduled" && $0.status == "False" && $0.reason == "Unschedulable" && $0.message == message
        } ?? false
        if !alreadySaid {
            let condition: JSONValue = [
                "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
                "lastTransitionTime": .string(ObjectMetaRules.timestamp()), "lastProbeTime": .null,
            ]
            // Pinned to the version the decision was made on: a Pod bound meanwhile (by us after
            // a retry, or by anyone through pods/binding) must not be marked unschedulable.
            let patch: JSONValue = ["metadata": ["resourceVersion": .string(pod.metadata?.resourceVersion ?? "")],
                                    "status": ["conditions": [condition]]]
            do {
                // The answer is thrown away: decoding its managedFields was an eighth of an
                // API server's CPU with the scheduler inside it (bench/README.md).
                _ = try await ObjectMeta.$decodesManagedFields.withValue(false) {
                    try await client.patch(Pod.self, name: name, namespace: namespace, type: .strategic,
                                           patch: patch, subresource: "status")
                }
            } catch let error as KubeAPIError where error.code == 409 {
                return   // the Pod changed since: it is decided again if it still needs a node
            } catch {
                logger.debug("cannot mark \(namespace)/\(name) unschedulable: \(error)")
            }
        }
        await recordEvent(for: pod, type: "Warning", reason: "FailedScheduling", message: message)
    }

    private nonisolated func recordEvent(for pod: Pod, type: String, reason: String, message: String) async {
        await events.record(ObjectReference(to: pod), type: type, reason: reason, message: message)
    }

    // MARK: informer events

    static func key(_ pod: Pod) -> String { (pod.metadata?.namespace ?? "") + "/" + (pod.metadata?.name ?? "") }

    /// Ours to place: no node yet, not finishing, and for this scheduler.
    static func isPending(_ pod: Pod) -> Bool {
        (pod.spec?.nodeName ?? "").isEmpty && pod.metadata?.deletionTimestamp == nil
            && !isTerminal(pod) && (pod.spec?.schedulerName ?? schedulerName) == schedulerName
    }

    static func isTerminal(_ pod: Pod) -> Bool {
        pod.status?.phase == "Succeeded" || pod.status?.phase == "Failed"
    }

    private func podChanged(old: Pod?, new pod: Pod) {
        let key = Self.key(pod)
        if let node = pod.spec?.nodeName, !node.isEmpty {
            queue.remove(key)
            failedAt[key] = nil
            movable[key] = nil
            if Self.isTerminal(pod) {
                // A finished Pod frees its node.
                if algorithm.node(ofPlaced: key) != nil { algorithm.unplace(key); clusterChanged() }
            } else {
                algorithm.place(key, on: node, PodRequirements(pod))
            }
            return
        }
        guard Self.isPending(pod) else { queue.remove(key); return }
        if queue.unschedulable[key] != nil {
            // An edit of the Pod itself (new tolerations, smaller requests…) is worth a try now.
            if let old, old.spec != pod.spec || old.metadata?.labels != pod.metadata?.labels { movable[key] = failedAt[key] ?? .now }
            return
        }
        if algorithm.node(ofPlaced: key) == nil { enqueue(key, priority: pod.spec?.priority ?? 0) }
    }

    private func podDeleted(_ pod: Pod) {
        let key = Self.key(pod)
        queue.remove(key)
        failedAt[key] = nil
        movable[key] = nil
        if algorithm.node(ofPlaced: key) != nil {
            algorithm.unplace(key)
            clusterChanged()
        }
    }

    private func nodeChanged(_ node: Node) {
        algorithm.upsert(node)
        clusterChanged()
    }

    private func nodeDeleted(_ node: Node) {
        algorithm.removeNode(named: node.metadata?.name ?? "")
    }

    /// Something that may let a waiting Pod fit happened: every unschedulable Pod may retry
    /// once its backoff has passed.
    private func clusterChanged() {
        for key in queue.unschedulable.keys where movable[key] == nil { movable[key] = failedAt[key] ?? .now }
    }

    /// Moves unschedulable Pods back to the active queue: those the cluster changed for once
    /// their backoff passed, and every one that waited `maxWaitUnschedulable`.
    private func retryLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(200))
            retryDue(now: .now)
        }
    }

    private func retryDue(now: ContinuousClock.Instant) {
        for (key, _) in queue.unschedulable {
            let failed = failedAt[key] ?? now
            let due = movable[key] != nil ? failed + queue.backoff(for: key) : failed + Self.maxWaitUnschedulable
            guard now >= due, let (namespace, name) = ServicePodTriggers.split(key),
                  let pod = informers.pods.get(namespace: namespace, name: name), Self.isPending(pod) else { continue }
            movable[key] = nil
            enqueue(key, priority: pod.spec?.priority ?? 0)
        }
    }
}
