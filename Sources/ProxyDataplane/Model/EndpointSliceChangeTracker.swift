import KubeAPI
import Netlink

/// Accumulates EndpointSlice events between syncs, as kube-proxy's EndpointSliceCache: per
/// service it keeps the slices as last applied and the pending new versions (or deletions).
/// An event costs O(size of that slice); `apply` costs O(endpoints of the services whose
/// slices changed), never O(cluster): services with pending work are indexed, not searched.
///
/// A value type: its owner (the proxy's sync actor) serialises events and applies.
public struct EndpointSliceChangeTracker: Sendable {
    /// The label that names a slice's service.
    public static let serviceNameLabel = CompactObjectMeta.serviceNameLabel

    public let config: ProxyModelConfig

    private enum Pending: Sendable {
        case upsert(CachedEndpointSlice)
        case remove
    }

    private struct ServiceSlices: Sendable {
        var applied: [String: CachedEndpointSlice] = [:]
        var pending: [String: Pending] = [:]
        var isEmpty: Bool { applied.isEmpty && pending.isEmpty }
    }

    private var services: [ServiceName: ServiceSlices] = [:]
    private var pendingServices: Set<ServiceName> = []
    /// Which service each known slice belongs to now: a slice whose label changes (or is
    /// removed) must leave its old service, and its delete event may carry a stale label.
    private var serviceOfSlice: [EndpointSliceKey: ServiceName] = [:]
    /// Current problems of applied slices, for a gauge and for logs.
    public private(set) var problems: [EndpointSliceKey: [EndpointSliceProblem]] = [:]

    public init(config: ProxyModelConfig) {
        self.config = config
    }

    /// Services with slice changes waiting for `apply` (upstream's endpoint_changes_pending).
    public var pendingCount: Int { pendingServices.count }
    public var hasPendingChanges: Bool { !pendingServices.isEmpty }

    /// Records the current version of a slice (an add or an update). Returns whether any
    /// change is pending. A slice not for the proxy (FQDN, no service label, a family the node
    /// does not run) counts as absent: if it was known before, its endpoints go.
    @discardableResult
    public mutating func update(_ slice: ProxyEndpointSlice) -> Bool {
        guard let key = EndpointSliceKey(validatingNamespace: slice.meta.namespace, name: slice.meta.name)
        else { return hasPendingChanges }
        guard let family = IPFamily(apiValue: slice.addressType), config.ipFamilies.contains(family),
              let serviceLabel = slice.meta.serviceName, !serviceLabel.isEmpty
        else { return forget(key) }
        let service = ServiceName(namespace: key.namespace, name: serviceLabel)
        if let old = serviceOfSlice[key], old != service {
            setPending(.remove, slice: key.name, service: old)
        }
        serviceOfSlice[key] = service
        setPending(.upsert(CachedEndpointSlice(slice, family: family)), slice: key.name, service: service)
        return hasPendingChanges
    }

    /// Records a slice's deletion. Returns whether any change is pending.
    @discardableResult
    public mutating func delete(_ slice: ProxyEndpointSlice) -> Bool {
        guard let key = EndpointSliceKey(validatingNamespace: slice.meta.namespace, name: slice.meta.name)
        else { return hasPendingChanges }
        return forget(key)
    }

    // Informer-style entry points.
    @discardableResult public mutating func add(_ slice: ProxyEndpointSlice) -> Bool { update(slice) }
    @discardableResult public mutating func update(old: ProxyEndpointSlice, new: ProxyEndpointSlice) -> Bool { update(new) }

    private mutating func forget(_ key: EndpointSliceKey) -> Bool {
        if let service = serviceOfSlice.removeValue(forKey: key) {
            setPending(.remove, slice: key.name, service: service)
        }
        return hasPendingChanges
    }

    private mutating func setPending(_ change: Pending, slice name: String, service: ServiceName) {
        var entry = services.removeValue(forKey: service) ?? ServiceSlices()
        let applied = entry.applied[name]
        // A change that lands back on the applied state cancels the pending one, so a flap
        // between syncs costs nothing.
        switch change {
        case .upsert(let cached) where cached == applied: entry.pending[name] = nil
        case .remove where applied == nil: entry.pending[name] = nil
        default: entry.pending[name] = change
        }
        if entry.pending.isEmpty { pendingServices.remove(service) } else { pendingServices.insert(service) }
        if !entry.isEmpty { services[service] = entry }
    }

    /// Applies every pending slice change to `map` and reports which service ports' endpoints
    /// changed, with their previous endpoints. Diffs are taken against `map` itself.
    public mutating func apply(to map: inout EndpointsMap) -> EndpointsMapUpdate {
        var update = EndpointsMapUpdate()
        let work = pendingServices
        pendingServices = []
        for service in work {
            guard var entry = services.removeValue(forKey: service) else { continue }
            for (name, change) in entry.pending {
                let key = EndpointSliceKey(namespace: service.namespace, name: name)
                switch change {
                case .upsert(let cached):
                    entry.applied[name] = cached
                    problems[key] = cached.problems.isEmpty ? nil : cached.problems
                case .remove:
                    entry.applied[name] = nil
                    // A slice that moved to another service keeps its problems (set there).
                    if serviceOfSlice[key] == nil { problems[key] = nil }
                }
            }
            entry.pending = [:]
            let new = EndpointSliceMerge.merge(service: service, slices: entry.applied, config: config)
            let old = map.replaceEndpoints(of: service, with: new)
            for (port, endpoints) in old where new[port] != endpoints { update.previous[port] = endpoints }
            for port in new.keys where old[port] == nil { update.previous[port] = [] }
            if old != new { update.changedServices.insert(service) }
            if !entry.isEmpty { services[service] = entry }
        }
        return update
    }
}
