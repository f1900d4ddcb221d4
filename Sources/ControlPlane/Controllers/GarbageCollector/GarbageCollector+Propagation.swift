import KubeAPI

/// Orphan and Foreground deletion. The API server marks such an owner deleted and gives it
/// the `orphan` or `foregroundDeletion` finalizer; the collector then either takes the
/// owner's reference out of every dependent (they live on) or deletes the dependents (in
/// the foreground too, so whole chains go bottom-up) and waits for those that block their
/// owner's deletion. Removing the finalizer lets the server delete the owner.
extension GarbageCollector {
    static let orphanFinalizer = Admission.orphanFinalizer
    static let foregroundFinalizer = Admission.foregroundFinalizer

    /// Queues owners of `informer`'s kind that are being deleted with a propagation finalizer.
    func watchFinalizingOwners<T: KubeObject>(_ informer: Informer<T>) -> () -> Void {
        let queue = finalizingOwners
        let check: @Sendable (T) async -> Void = { o in
            guard o.metadata?.deletionTimestamp != nil,
                  let finalizers = o.metadata?.finalizers,
                  finalizers.contains(Self.orphanFinalizer) || finalizers.contains(Self.foregroundFinalizer) else { return }
            await queue.add(Self.key(o))
        }
        let registration = informer.addEventHandler(onAdd: check, onUpdate: { _, o in await check(o) })
        informer.start()
        return { informer.removeEventHandler(registration) }
    }

    static func ownerKey(_ ref: OwnerReference, namespace: String) -> DependentKey {
        DependentKey(kind: ref.kind ?? "", namespace: ref.kind == Node.gvk.kind ? "" : namespace, name: ref.name ?? "")
    }

    private typealias Owner = (meta: ObjectMeta?, setFinalizers: ([String]) async throws -> Void)

    private func owner(_ key: DependentKey) -> Owner? {
        func entry<T: KubeObject>(_ informer: Informer<T>, _ type: T.Type) -> Owner? {
            guard let o = informer.get(namespace: T.namespaced ? key.namespace : nil, name: key.name) else { return nil }
            let rv = o.metadata?.resourceVersion ?? ""
            return (o.metadata, { [client] finalizers in
                _ = try await client.patch(T.self, name: key.name, namespace: T.namespaced ? key.namespace : nil,
                                           patch: ["metadata": ["finalizers": .array(finalizers.map { .string($0) }),
                                                                "resourceVersion": .string(rv)]])
            })
        }
        switch key.kind {
        case Pod.gvk.kind: return entry(informers.pods, Pod.self)
        case ReplicaSet.gvk.kind: return entry(informers.replicaSets, ReplicaSet.self)
        case Deployment.gvk.kind: return entry(informers.deployments, Deployment.self)
        case Service.gvk.kind: return entry(informers.services, Service.self)
        case Node.gvk.kind: return entry(informers.nodes, Node.self)
        default: return nil
        }
    }

    func finalize(_ key: DependentKey) async throws {
        guard let (meta, setFinalizers) = owner(key), meta?.deletionTimestamp != nil, let uid = meta?.uid else { return }
        let finalizers = meta?.finalizers ?? []
        let dependents = self.dependents.withLock { $0[uid] ?? [] }
        if finalizers.contains(Self.orphanFinalizer) {
            for d in dependents {
                guard let (dependentMeta, _, setOwners) = current(d) else { continue }
                let refs = dependentMeta?.ownerReferences ?? []
                guard refs.contains(where: { $0.uid == uid }) else { continue }
                do {
                    try await setOwners(refs.filter { $0.uid != uid })
                } catch let error as KubeAPIError where error.code == 404 {}
            }
            logger.info("orphaned the dependents of \(key)")
            try await setFinalizers(finalizers.filter { $0 != Self.orphanFinalizer })
        } else if finalizers.contains(Self.foregroundFinalizer) {
            var blocking = 0
            for d in dependents {
                guard let (dependentMeta, delete, _) = current(d),
                      let ref = dependentMeta?.ownerReferences?.first(where: { $0.uid == uid }) else { continue }
                if dependentMeta?.deletionTimestamp == nil {
                    do {
                        try await delete(.foreground)
                    } catch let error as KubeAPIError where error.code == 404 || error.code == 409 {}
                }
                if ref.blockOwnerDeletion == true { blocking += 1 }
            }
            // Dependents' deletions queue this owner again; it goes when none blocks it.
            guard blocking == 0 else { return }
            logger.info("deleted the dependents of \(key) in the foreground")
            try await setFinalizers(finalizers.filter { $0 != Self.foregroundFinalizer })
        }
    }
}
