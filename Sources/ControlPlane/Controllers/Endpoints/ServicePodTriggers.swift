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
        let index = self.index
        let services = informers.services.addEventHandler(
            onAdd: { s in index.withLock { $0.update(s) }; await queue.add(Self.key(s)) },
            onUpdate: { _, s in index.withLock { $0.update(s) }; await queue.add(Self.key(s)) },
            onDelete: { s in
                index.withLock { $0.remove(namespace: s.metadata?.namespace ?? "", name: s.metadata?.name ?? "") }
                await queue.add(Self.key(s))
            })
        let pods = informers.pods.addEventHandler(
            onAdd: { p in for key in Self.services(of: p, index) { await queue.add(key) } },
            onUpdate: { old, new in
                for key in Set(Self.services(of: old, index) + Self.services(of: new, index)) { await queue.add(key) }
            },
            onDelete: { p in for key in Self.services(of: p, index) { await queue.add(key) } })
        registrations.withLock { $0 = (services, pods) }
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

    private static func services(of pod: Pod, _ index: ProtectedState<ServiceSelectorIndex>) -> [String] {
        guard let namespace = pod.metadata?.namespace else { return [] }
        return index.withLock { $0.services(selecting: pod.metadata?.labels ?? [:], in: namespace) }
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
