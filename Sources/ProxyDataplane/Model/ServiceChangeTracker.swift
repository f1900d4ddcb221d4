import KubeAPI
import Netlink

/// Accumulates Service events between syncs, as kube-proxy's ServiceChangeTracker: each event
/// translates only the service it names, and per service only the state before the first
/// pending event and the latest state are kept, so a burst of updates collapses into one
/// change and an update that is undone before the sync disappears.
///
/// A value type: its owner (the proxy's sync actor) serialises events and applies.
public struct ServiceChangeTracker: Sendable {
    public let config: ProxyModelConfig

    private struct Change: Sendable {
        /// Translation of the object before the first pending event (nil: absent).
        var previous: ServiceTranslation?
        /// Translation of the latest object (nil: deleted).
        var current: ServiceTranslation?
    }

    private var pending: [ServiceName: Change] = [:]
    /// Current skips of programmed-or-attempted services, for a gauge of skipped services.
    public private(set) var skipped: [ServiceName: [ServiceSkip]] = [:]

    public init(config: ProxyModelConfig) {
        self.config = config
    }

    /// Services with a change waiting for `apply` (upstream's service_changes_pending).
    public var pendingCount: Int { pending.count }
    public var hasPendingChanges: Bool { !pending.isEmpty }

    /// Records a change from `previous` to `current` (nil on add / delete). Returns whether any
    /// change is pending, i.e. whether a sync is wanted. Objects without namespace/name are ignored.
    @discardableResult
    public mutating func update(previous: ProxyService?, current: ProxyService?) -> Bool {
        guard let object = current ?? previous,
              let key = ServiceName(validatingNamespace: object.meta.namespace, name: object.meta.name)
        else { return hasPendingChanges }
        let currentTranslation = current.flatMap { ServiceTranslation($0, families: config.ipFamilies) }
        if var change = pending[key] {
            change.current = currentTranslation
            if change.current == change.previous { pending[key] = nil } else { pending[key] = change }
        } else {
            let previousTranslation = previous.flatMap { ServiceTranslation($0, families: config.ipFamilies) }
            if previousTranslation != currentTranslation {
                pending[key] = Change(previous: previousTranslation, current: currentTranslation)
            }
        }
        return hasPendingChanges
    }

    // Informer-style entry points.
    @discardableResult public mutating func add(_ service: ProxyService) -> Bool { update(previous: nil, current: service) }
    @discardableResult public mutating func update(old: ProxyService, new: ProxyService) -> Bool { update(previous: old, current: new) }
    @discardableResult public mutating func delete(_ service: ProxyService) -> Bool { update(previous: service, current: nil) }

    /// Applies every pending change to `map` and reports what changed. The diff is taken
    /// against what `map` actually holds for each changed service, not against the events'
    /// old objects, so a missed or duplicated event cannot leave stale ports behind.
    /// Cost: O(ports of the changed services).
    public mutating func apply(to map: inout ServicePortMap) -> ServiceMapUpdate {
        var update = ServiceMapUpdate()
        let changes = pending
        pending = [:]
        for (service, change) in changes {
            let new = change.current?.ports ?? [:]
            let old = map.replacePorts(of: service, with: new)
            for (name, info) in old where new[name] != info {
                update.previous[name] = .some(info)
            }
            for name in new.keys where old[name] == nil {
                update.previous[name] = .some(nil)
            }
            let skips = change.current?.skips ?? []
            skipped[service] = skips.isEmpty ? nil : skips
            update.skips += skips
            if old != new { update.changedServices.insert(service) }
        }
        return update
    }
}
