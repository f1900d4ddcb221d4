import KubeAPI
import Logging

/// Deletes objects whose owners are gone (kube-controller-manager's `garbagecollector`, for
/// background propagation, the default of `kubectl delete`): a ReplicaSet's Pods once the
/// ReplicaSet is deleted, a Deployment's ReplicaSets, a Service's EndpointSlices. An object
/// is deleted when none of its owners exists any more (an owner recreated under the same name
/// is a different uid, so it does not count); an object with some owners left loses only the
/// references to the missing ones.
///
/// Dependents watched: Pods, ReplicaSets, EndpointSlices; owners recognised: those kinds plus
/// Deployments, Services and Nodes. Orphan and Foreground deletion of those owners are in
/// `GarbageCollector+Propagation.swift`.
public final class GarbageCollector: Controller {
    public static let name = "garbagecollector"

    let client: KubeClient
    let informers: ClusterInformers
    let logger: Logger
    private let queue = WorkQueue<DependentKey>()
    /// Owners being deleted with the Orphan or Foreground policy.
    let finalizingOwners = WorkQueue<DependentKey>()
    /// Owner uid → its dependents, so an owner's deletion finds them without a scan.
    let dependents = ProtectedState([String: Set<DependentKey>]())

    struct DependentKey: Hashable, Sendable, CustomStringConvertible {
        var kind: String
        var namespace: String
        var name: String
        var description: String { "\(kind) \(namespace)/\(name)" }
    }

    public init(client: KubeClient, informers: ClusterInformers, logger: Logger = Logger(label: "skiff.garbagecollector")) {
        self.client = client
        self.informers = informers
        self.logger = logger
    }

    public func run() async {
        var removals: [() -> Void] = []
        removals.append(watchDependents(informers.pods))
        removals.append(watchDependents(informers.replicaSets))
        removals.append(watchDependents(informers.endpointSlices))
        removals.append(watchOwners(informers.deployments))
        removals.append(watchOwners(informers.services))
        removals.append(watchOwners(informers.nodes))
        removals.append(watchFinalizingOwners(informers.pods))
        removals.append(watchFinalizingOwners(informers.replicaSets))
        removals.append(watchFinalizingOwners(informers.deployments))
        removals.append(watchFinalizingOwners(informers.services))
        removals.append(watchFinalizingOwners(informers.nodes))
        do {
            for sync in [informers.pods.waitForSync, informers.replicaSets.waitForSync, informers.endpointSlices.waitForSync,
                         informers.deployments.waitForSync, informers.services.waitForSync, informers.nodes.waitForSync] {
                try await sync()
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [self] in await queue.runWorkers(2, logger: logger) { [self] key in try await collect(key) } }
                group.addTask { [self] in
                    await finalizingOwners.runWorkers(1, logger: logger) { [self] key in try await finalize(key) }
                }
            }
        } catch {
            // Cancelled while the caches filled.
        }
        for remove in removals { remove() }
    }

    /// Tracks the owners of every object of `informer`'s kind, and for Pods and ReplicaSets
    /// (owners themselves) queues their dependents when they go.
    private func watchDependents<T: KubeObject>(_ informer: Informer<T>) -> () -> Void {
        let (queue, dependents) = (self.queue, self.dependents)
        let registration = informer.addEventHandler(
            onAdd: { o in if Self.index(o, into: dependents) { await queue.add(Self.key(o)) } },
            onUpdate: { old, new in
                Self.unindex(old, from: dependents)
                if Self.index(new, into: dependents) { await queue.add(Self.key(new)) }
            },
            onDelete: { [finalizingOwners] o in
                Self.unindex(o, from: dependents)
                for d in Self.dependents(of: o, dependents) { await queue.add(d) }
                // An owner deleted in the foreground may have been waiting for this one.
                for ref in o.metadata?.ownerReferences ?? [] {
                    await finalizingOwners.add(Self.ownerKey(ref, namespace: o.metadata?.namespace ?? ""))
                }
            })
        informer.start()
        return { informer.removeEventHandler(registration) }
    }

    private func watchOwners<T: KubeObject>(_ informer: Informer<T>) -> () -> Void {
        let (queue, dependents) = (self.queue, self.dependents)
        let registration = informer.addEventHandler(onDelete: { o in
            for d in Self.dependents(of: o, dependents) { await queue.add(d) }
        })
        informer.start()
        return { informer.removeEventHandler(registration) }
    }

    static func key<T: KubeObject>(_ o: T) -> DependentKey {
        DependentKey(kind: T.gvk.kind, namespace: o.metadata?.namespace ?? "", name: o.metadata?.name ?? "")
    }

    /// Records `o` under each of its owners; true when it has any (worth a check).
    private static func index<T: KubeObject>(_ o: T, into dependents: ProtectedState<[String: Set<DependentKey>]>) -> Bool {
        let owners = o.metadata?.ownerReferences ?? []
        guard !owners.isEmpty else { return false }
        let key = key(o)
        dependents.withLock { d in for ref in owners { d[ref.uid ?? "", default: []].insert(key) } }
        return true
    }

    private static func unindex<T: KubeObject>(_ o: T, from dependents: ProtectedState<[String: Set<DependentKey>]>) {
        let key = key(o)
        dependents.withLock { d in
            for ref in o.metadata?.ownerReferences ?? [] {
                d[ref.uid ?? ""]?.remove(key)
                if d[ref.uid ?? ""]?.isEmpty == true { d[ref.uid ?? ""] = nil }
            }
        }
    }

    static func dependents<T: KubeObject>(of o: T, _ dependents: ProtectedState<[String: Set<DependentKey>]>) -> Set<DependentKey> {
        guard let uid = o.metadata?.uid else { return [] }
        return dependents.withLock { $0[uid] ?? [] }
    }

    /// Whether the owner `ref` of an object in `namespace` exists with its uid; nil when
    /// its kind is not one this collector watches (then it is assumed to exist).
    private func ownerExists(_ ref: OwnerReference, namespace: String) -> Bool? {
        let name = ref.name ?? ""
        func same<T: KubeObject>(_ o: T?) -> Bool { o?.metadata?.uid == ref.uid }
        switch ref.kind {
        case "Pod": return same(informers.pods.get(namespace: namespace, name: name))
        case "ReplicaSet": return same(informers.replicaSets.get(namespace: namespace, name: name))
        case "Deployment": return same(informers.deployments.get(namespace: namespace, name: name))
        case "Service": return same(informers.services.get(namespace: namespace, name: name))
        case "Node": return same(informers.nodes.get(name: name))
        default: return nil
        }
    }

    private func ownerExistsLive(_ ref: OwnerReference, namespace: String) async throws -> Bool {
        func check<T: KubeObject>(_ type: T.Type) async throws -> Bool {
            do {
                let o = try await client.get(T.self, name: ref.name ?? "", namespace: T.namespaced ? namespace : nil)
                return o.metadata?.uid == ref.uid
            } catch let error as KubeAPIError where error.code == 404 {
                return false
            }
        }
        switch ref.kind {
        case "Pod": return try await check(Pod.self)
        case "ReplicaSet": return try await check(ReplicaSet.self)
        case "Deployment": return try await check(Deployment.self)
        case "Service": return try await check(Service.self)
        case "Node": return try await check(Node.self)
        default: return true
        }
    }

    typealias Dependent = (meta: ObjectMeta?, delete: (DeletionOptions.Propagation) async throws -> Void,
                           setOwners: ([OwnerReference]) async throws -> Void)

    func current(_ key: DependentKey) -> Dependent? {
        func entry<T: KubeObject>(_ informer: Informer<T>, _ type: T.Type) -> Dependent? {
            guard let o = informer.get(namespace: key.namespace, name: key.name) else { return nil }
            let uid = o.metadata?.uid ?? "", rv = o.metadata?.resourceVersion ?? ""
            return (o.metadata,
                    { [client] propagation in
                        try await client.delete(T.self, name: key.name, namespace: key.namespace,
                                                options: DeletionOptions(propagationPolicy: propagation, preconditionUID: uid))
                    },
                    { [client] refs in
                        _ = try await client.patch(T.self, name: key.name, namespace: key.namespace,
                                                   patch: ["metadata": ["ownerReferences": try JSONValue(encoding: refs), "resourceVersion": .string(rv)]])
                    })
        }
        switch key.kind {
        case Pod.gvk.kind: return entry(informers.pods, Pod.self)
        case ReplicaSet.gvk.kind: return entry(informers.replicaSets, ReplicaSet.self)
        case EndpointSlice.gvk.kind: return entry(informers.endpointSlices, EndpointSlice.self)
        default: return nil
        }
    }

    func collect(_ key: DependentKey) async throws {
        guard let (meta, delete, setOwners) = current(key), meta?.deletionTimestamp == nil else { return }
        let owners = meta?.ownerReferences ?? []
        guard !owners.isEmpty else { return }
        var missing: [OwnerReference] = []
        for ref in owners where ownerExists(ref, namespace: key.namespace) == false {
            // The cache may simply not have the owner yet (created by someone else just before
            // its dependent): only the API itself can say it is gone, as upstream checks.
            if try await !ownerExistsLive(ref, namespace: key.namespace) { missing.append(ref) }
        }
        guard !missing.isEmpty else { return }
        do {
            if missing.count == owners.count {
                logger.info("deleting \(key): its owners are gone")
                try await delete(.background)
            } else {
                try await setOwners(owners.filter { ref in !missing.contains { $0.uid == ref.uid } })
            }
        } catch let error as KubeAPIError where error.code == 404 {}
    }
}
