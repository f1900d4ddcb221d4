import KubeAPI

/// The Service and Pod events after which a Service's endpoints must be worked out again,
/// shared by the EndpointSlice and Endpoints controllers: a Service changing, or a Pod it
/// selects (before or after the change) being added, changed or removed.
struct ServicePodTriggers: Sendable {
    private let informers: ClusterInformers
    private let index = ProtectedState(ServiceSelectorIndex())
    private let registrations: ProtectedState<(services: Informer<Service>.Registration?, pods: Informer<Pod>.Registration?)>
        = ProtectedState((nil, nil))

    init(informers: ClusterInformers) { self.informers = informers }

    /// Starts queueing `namespace/name` keys of the Services concerned into `queue`.
    func register(into queue: WorkQueue<String>) {
        let (index, pods) = (self.index, informers.pods)
        let serviceChanged: @Sendable (Service) async -> Void = { s in
            if index.withLock({ $0.update(s) }) {
                // A new or changed selector: its Pods are found once, from the cache.
                let namespace = s.metadata?.namespace
                let selected = Set(pods.list { $0.metadata?.namespace == namespace && s.selects($0) }.map(Self.key))
                index.withLock { $0.setMembers(of: Self.key(s), to: selected) }
            }
            await queue.add(Self.key(s))
        }
        let services = informers.services.addEventHandler(
            onAdd: serviceChanged,
            onUpdate: { _, s in await serviceChanged(s) },
            onDelete: { s in
                index.withLock { $0.remove(namespace: s.metadata?.namespace ?? "", name: s.metadata?.name ?? "") }
                await queue.add(Self.key(s))
            })
        let podHandlers = informers.pods.addEventHandler(
            onAdd: { p in for key in Self.changed(p, deleted: false, index) { await queue.add(key) } },
            onUpdate: { _, p in for key in Self.changed(p, deleted: false, index) { await queue.add(key) } },
            onDelete: { p in for key in Self.changed(p, deleted: true, index) { await queue.add(key) } })
        registrations.withLock { $0 = (services, podHandlers) }
    }

    func unregister() {
        let (services, pods) = registrations.withLock { r in defer { r = (nil, nil) }; return r }
        if let services { informers.services.removeEventHandler(services) }
        if let pods { informers.pods.removeEventHandler(pods) }
    }

    /// Every Service with a selector (e.g. after a node's zone changed).
    var allServiceKeys: [String] { index.withLock { $0.allKeys } }

    static func key(_ service: Service) -> String {
        (service.metadata?.namespace ?? "") + "/" + (service.metadata?.name ?? "")
    }

    private static func changed(_ pod: Pod, deleted: Bool, _ index: ProtectedState<ServiceSelectorIndex>) -> Set<String> {
        guard let namespace = pod.metadata?.namespace else { return [] }
        return index.withLock { $0.podChanged(key(pod), namespace: namespace, labels: deleted ? nil : pod.metadata?.labels ?? [:]) }
    }

    static func key(_ pod: Pod) -> String { (pod.metadata?.namespace ?? "") + "/" + (pod.metadata?.name ?? "") }

    /// The Pods `service` selects, from the cache: O(its Pods), not O(the cluster's).
    func pods(of service: Service) -> [Pod] {
        let keys = index.withLock { $0.pods(of: Self.key(service)) }
        return keys.compactMap { key in
            ServicePodTriggers.split(key).flatMap { informers.pods.get(namespace: $0.namespace, name: $0.name) }
        }.filter { service.selects($0) }
    }

    /// The Service a reconcile is for, when it still wants endpoints from Pods: it exists, has
    /// a selector, is not ExternalName and is not being deleted.
    static func selectingService(_ informers: ClusterInformers, namespace: String, name: String) -> Service? {
        guard let service = informers.services.get(namespace: namespace, name: name),
              let selector = service.spec?.selector, !selector.isEmpty, service.spec?.type != "ExternalName",
              service.metadata?.deletionTimestamp == nil else { return nil }
        return service
    }

    /// Splits a `namespace/name` key.
    static func split(_ key: String) -> (namespace: String, name: String)? {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
}
