import KubeAPI
import Netlink

/// The proxy's Kubernetes-facing state: Services and EndpointSlices in, per service port rules
/// and endpoints out, with both change trackers and the maps they maintain. Informer events go
/// in as they arrive; `apply` (once per sync) folds them into the maps and says what a
/// partial sync must reprogram and which UDP conntrack entries must go.
///
/// A value type with one owner, the proxy's sync actor. Read `services` and `endpoints`
/// during a sync; do not keep copies across `apply` (that would copy the maps).
public struct ProxyModel: Sendable {
    public let config: ProxyModelConfig
    public private(set) var services = ServicePortMap()
    public private(set) var endpoints = EndpointsMap()
    public private(set) var serviceChanges: ServiceChangeTracker
    public private(set) var endpointSliceChanges: EndpointSliceChangeTracker

    public init(config: ProxyModelConfig) {
        self.config = config
        serviceChanges = ServiceChangeTracker(config: config)
        endpointSliceChanges = EndpointSliceChangeTracker(config: config)
    }

    public var hasPendingChanges: Bool { serviceChanges.hasPendingChanges || endpointSliceChanges.hasPendingChanges }

    // MARK: events (each returns whether a sync is wanted)

    @discardableResult public mutating func serviceAdded(_ s: ProxyService) -> Bool {
        serviceChanges.add(s); return hasPendingChanges
    }
    @discardableResult public mutating func serviceUpdated(old: ProxyService, new: ProxyService) -> Bool {
        serviceChanges.update(old: old, new: new); return hasPendingChanges
    }
    @discardableResult public mutating func serviceDeleted(_ s: ProxyService) -> Bool {
        serviceChanges.delete(s); return hasPendingChanges
    }
    @discardableResult public mutating func endpointSliceAdded(_ s: ProxyEndpointSlice) -> Bool {
        endpointSliceChanges.add(s); return hasPendingChanges
    }
    @discardableResult public mutating func endpointSliceUpdated(old: ProxyEndpointSlice, new: ProxyEndpointSlice) -> Bool {
        endpointSliceChanges.update(old: old, new: new); return hasPendingChanges
    }
    @discardableResult public mutating func endpointSliceDeleted(_ s: ProxyEndpointSlice) -> Bool {
        endpointSliceChanges.delete(s); return hasPendingChanges
    }

    /// An informer change of a Service, as delivered by KubeAPI's Informer.
    @discardableResult public mutating func record(_ change: ObjectChange<ProxyService>) -> Bool {
        switch change {
        case .added(let s): return serviceAdded(s)
        case .updated(let old, let new): return serviceUpdated(old: old, new: new)
        case .deleted(let s): return serviceDeleted(s)
        }
    }

    /// An informer change of an EndpointSlice.
    @discardableResult public mutating func record(_ change: ObjectChange<ProxyEndpointSlice>) -> Bool {
        switch change {
        case .added(let s): return endpointSliceAdded(s)
        case .updated(let old, let new): return endpointSliceUpdated(old: old, new: new)
        case .deleted(let s): return endpointSliceDeleted(s)
        }
    }

    // MARK: sync

    /// Folds all pending changes into `services` and `endpoints`. Cost: O(ports and endpoints
    /// of the services that changed).
    public mutating func apply() -> ProxyModelUpdate {
        let serviceUpdate = serviceChanges.apply(to: &services)
        let endpointsUpdate = endpointSliceChanges.apply(to: &endpoints)

        var changed = serviceUpdate.changedPorts
        for name in endpointsUpdate.previous.keys where services[name] != nil {
            changed.insert(name)
        }
        // Ports removed in this apply whose endpoints also changed are already in `changed`
        // through the service update.
        let conntrack = StaleUDPDetection.detect(
            changedPorts: changed, services: services, endpoints: endpoints,
            serviceUpdate: serviceUpdate, endpointsUpdate: endpointsUpdate, families: config.orderedFamilies)
        return ProxyModelUpdate(
            services: serviceUpdate, endpoints: endpointsUpdate, changedServicePorts: changed,
            changedServices: Set(changed.map(\.service)),
            udpConntrackCleanups: conntrack.cleanups, removedUDPFrontends: conntrack.removedFrontends)
    }

    /// Categorised endpoints of one service port in one family (see CategorizedEndpoints).
    public func categorizedEndpoints(for name: ServicePortName, family: IPFamily,
                                     nodeZone: String? = nil) -> CategorizedEndpoints? {
        guard let info = services[name] else { return nil }
        return CategorizedEndpoints(endpoints: endpoints[name], service: info, family: family, nodeZone: nodeZone)
    }
}
