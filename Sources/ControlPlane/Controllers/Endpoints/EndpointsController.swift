import KubeAPI
import Logging

/// Writes the legacy Endpoints object of every Service with a selector (kube-controller-
/// manager's `endpoints` controller), for clients that predate EndpointSlices. Services
/// without a selector keep whatever Endpoints their owner writes.
public final class EndpointsController: Controller {
    public static let name = "endpoints"

    private let client: KubeClient
    private let informers: ClusterInformers
    private let logger: Logger
    private let queue = WorkQueue<String>()
    private let workers: Int
    private let triggers: ServicePodTriggers

    public init(client: KubeClient, informers: ClusterInformers, workers: Int = 5,
                logger: Logger = Logger(label: "skiff.endpoints-controller")) {
        self.client = client
        self.informers = informers
        self.logger = logger
        self.workers = workers
        triggers = ServicePodTriggers(informers: informers)
    }

    public func run() async {
        let queue = self.queue
        triggers.register(into: queue)
        // Someone else changing or deleting an Endpoints object we own: put it back.
        let endpoints = informers.endpoints.addEventHandler(
            onUpdate: { _, e in await queue.add(Self.key(e)) },
            onDelete: { e in await queue.add(Self.key(e)) })
        informers.services.start()
        informers.pods.start()
        informers.endpoints.start()
        do {
            try await informers.services.waitForSync()
            try await informers.pods.waitForSync()
            try await informers.endpoints.waitForSync()
            await queue.runWorkers(workers, logger: logger) { [self] key in try await reconcile(key) }
        } catch {
            // Cancelled while the caches filled.
        }
        triggers.unregister()
        informers.endpoints.removeEventHandler(endpoints)
    }

    private static func key(_ e: Endpoints) -> String { (e.metadata?.namespace ?? "") + "/" + (e.metadata?.name ?? "") }

    func reconcile(_ key: String) async throws {
        guard let (namespace, name) = ServicePodTriggers.split(key) else { return }
        let current = informers.endpoints.get(namespace: namespace, name: name)
        guard let service = ServicePodTriggers.selectingService(informers, namespace: namespace, name: name) else {
            // Upstream deletes the Endpoints of a deleted Service; a selectorless one's belong to its owner.
            if informers.services.get(namespace: namespace, name: name) == nil, current != nil {
                do {
                    try await client.delete(Endpoints.self, name: name, namespace: namespace)
                } catch let error as KubeAPIError where error.code == 404 {}
            }
            return
        }
        let pods = triggers.pods(of: service)
        let (subsets, truncated) = EndpointsSubsets.subsets(service: service, pods: pods)
        var labels = service.metadata?.labels ?? [:]
        if service.spec?.clusterIP == "None" { labels[EndpointSliceReconciler.headlessLabel] = "" }
        var annotations = current?.metadata?.annotations ?? [:]
        annotations[EndpointsSubsets.overCapacityAnnotation] = truncated ? "truncated" : nil

        if let current, (current.subsets ?? []) == subsets, (current.metadata?.labels ?? [:]) == labels,
           (current.metadata?.annotations ?? [:])[EndpointsSubsets.overCapacityAnnotation] == annotations[EndpointsSubsets.overCapacityAnnotation] {
            return
        }
        if let time = EndpointSliceController.triggerTime(service: service, pods: pods) {
            annotations[EndpointSliceReconciler.triggerTimeAnnotation] = time
        }
        let options = WriteOptions(fieldManager: "endpoint-controller")
        if var object = current {
            object.metadata?.labels = labels
            object.metadata?.annotations = annotations.isEmpty ? nil : annotations
            object.subsets = subsets
            _ = try await client.update(object, options: options)
        } else {
            let meta = ObjectMeta(name: name, namespace: namespace, labels: labels, annotations: annotations.isEmpty ? nil : annotations)
            // A conflict (created meanwhile, our cache behind) is retried like any failure.
            _ = try await client.create(Endpoints(metadata: meta, subsets: subsets), namespace: namespace, options: options)
        }
    }
}
