import Foundation
import KubeAPI
import Logging

/// Keeps the EndpointSlices of every Service with a selector in step with the Pods it
/// selects (kube-controller-manager's `endpointslice` controller): addresses per IP family,
/// ready/serving/terminating conditions, node and zone, the Pod reference, ports resolved by
/// name per Pod, and `publishNotReadyAddresses`. Writes are minimal (see
/// `EndpointSliceReconciler`). Services without a selector are left to whoever writes their
/// slices, as upstream; this controller's own slices of such a Service are removed.
public final class EndpointSliceController: Controller {
    public static let name = "endpointslice"

    private let client: KubeClient
    private let informers: ClusterInformers
    private let logger: Logger
    private let queue = WorkQueue<String>()
    private let expectations = ProtectedState(SliceWriteExpectations())
    private let reconciler: EndpointSliceReconciler
    private let workers: Int
    private let triggers: ServicePodTriggers

    public init(client: KubeClient, informers: ClusterInformers, maxEndpointsPerSlice: Int = 100, workers: Int = 5,
                logger: Logger = Logger(label: "skiff.endpointslice-controller")) {
        self.client = client
        self.informers = informers
        self.logger = logger
        self.workers = workers
        triggers = ServicePodTriggers(informers: informers)
        reconciler = EndpointSliceReconciler(maxEndpointsPerSlice: maxEndpointsPerSlice)
    }

    public func run() async {
        let (queue, triggers) = (self.queue, self.triggers)
        triggers.register(into: queue)
        let slices = informers.endpointSlices.addEventHandler(
            onAdd: { s in if let key = Self.serviceKey(of: s) { await queue.add(key) } },
            onUpdate: { _, s in if let key = Self.serviceKey(of: s) { await queue.add(key) } },
            onDelete: { s in if let key = Self.serviceKey(of: s) { await queue.add(key) } })
        // A node's zone is copied into its endpoints.
        let nodes = informers.nodes.addEventHandler(
            onUpdate: { old, new in
                guard old.metadata?.labels?[Self.zoneLabel] != new.metadata?.labels?[Self.zoneLabel] else { return }
                for key in triggers.allServiceKeys { await queue.add(key) }
            })
        for informer in [informers.services.start, informers.pods.start, informers.endpointSlices.start, informers.nodes.start] {
            informer()
        }
        do {
            try await informers.services.waitForSync()
            try await informers.pods.waitForSync()
            try await informers.endpointSlices.waitForSync()
            try await informers.nodes.waitForSync()
            await queue.runWorkers(workers, logger: logger) { [self] key in try await reconcile(key) }
        } catch {
            // Cancelled while the caches filled.
        }
        triggers.unregister()
        informers.endpointSlices.removeEventHandler(slices)
        informers.nodes.removeEventHandler(nodes)
    }

    static let zoneLabel = "topology.kubernetes.io/zone"

    private static func serviceKey(of slice: EndpointSlice) -> String? {
        guard slice.metadata?.labels?[EndpointSliceReconciler.managedByLabel] == EndpointSliceReconciler.controllerName,
              let service = slice.metadata?.labels?[EndpointSliceReconciler.serviceNameLabel],
              let namespace = slice.metadata?.namespace else { return nil }
        return namespace + "/" + service
    }

    struct StaleCache: Error, CustomStringConvertible {
        var service: String
        var description: String { "the EndpointSlice cache has not yet seen the last writes for \(service)" }
    }

    /// Brings one Service's slices in line with its Pods.
    func reconcile(_ key: String) async throws {
        guard let (namespace, name) = ServicePodTriggers.split(key) else { return }
        // Unsorted (the reconciler orders them): no sort of every cached slice per reconcile.
        let existing = informers.endpointSlices.list {
            $0.metadata?.namespace == namespace && EndpointSliceReconciler.isManaged($0, serviceName: name)
        }
        guard expectations.withLock({ $0.isSatisfied(service: key, cached: existing) }) else { throw StaleCache(service: key) }

        let plan: EndpointSliceReconciler.Plan
        if let service = ServicePodTriggers.selectingService(informers, namespace: namespace, name: name) {
            let pods = triggers.pods(of: service)
            // Only the nodes these Pods run on: O(the Service's Pods), not O(the cluster's nodes).
            var zones: [String: String] = [:]
            for node in Set(pods.compactMap(\.spec?.nodeName)) {
                if let zone = informers.nodes.get(name: node)?.metadata?.labels?[Self.zoneLabel] { zones[node] = zone }
            }
            let desired = reconciler.desired(service: service, pods: pods, zones: zones)
            plan = reconciler.plan(service: service, desired: desired, existing: existing,
                                   triggerTime: Self.triggerTime(service: service, pods: pods))
        } else {
            // Gone, or no longer ours to fill: our slices go (the garbage collector would remove
            // them with their Service too; this does not wait for it).
            plan = EndpointSliceReconciler.Plan(deletes: existing)
        }
        guard !plan.isEmpty else { return }
        try await apply(plan, service: key)
    }

    private func apply(_ plan: EndpointSliceReconciler.Plan, service key: String) async throws {
        var written: [EndpointSlice] = []
        var deleted: [String] = []
        // Recorded even when a write fails midway, so the retry waits for what did land.
        defer { expectations.withLock { $0.record(service: key, written: written, deleted: deleted) } }
        let options = WriteOptions(fieldManager: EndpointSliceReconciler.controllerName)
        for slice in plan.deletes {
            guard let name = slice.metadata?.name else { continue }
            do {
                _ = try await client.delete(EndpointSlice.self, name: name, namespace: slice.metadata?.namespace)
            } catch let error as KubeAPIError where error.code == 404 {}
            deleted.append(name)
        }
        for slice in plan.updates {
            written.append(try await client.update(slice, options: options))
        }
        for slice in plan.creates {
            written.append(try await client.create(slice, namespace: slice.metadata?.namespace, options: options))
        }
        logger.debug("\(key): \(plan.creates.count) slices created, \(plan.updates.count) updated, \(plan.deletes.count) deleted")
    }

    /// When the latest change behind these endpoints happened (the annotation the proxy's
    /// network-programming latency counts from): the latest Ready transition or creation of
    /// the selected Pods, or the Service's creation.
    static func triggerTime(service: Service, pods: [Pod]) -> String? {
        var latest = service.metadata?.creationTimestamp
        for pod in pods {
            let ready = pod.status?.conditions?.first { $0.type == "Ready" }?.lastTransitionTime
            for time in [ready, pod.metadata?.creationTimestamp, pod.metadata?.deletionTimestamp].compactMap({ $0 })
            where latest.map({ time > $0 }) ?? true {
                latest = time
            }
        }
        return latest
    }
}
