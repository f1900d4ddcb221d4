import Netlink

/// Which endpoints a service port's traffic may go to from this node, as upstream's
/// CategorizeEndpoints decides:
/// - Cluster-policy endpoints: the ready ones (narrowed by zone hints when they apply); when
///   none is ready anywhere, the serving-and-terminating ones, so connections drain instead of
///   failing during a rollout.
/// - Local-policy endpoints: this node's ready ones, else this node's serving-terminating ones.
/// - Whether the service has any usable endpoint anywhere: with none, new connections are
///   rejected at once; with some elsewhere but none here, Local traffic is dropped instead.
///
/// Computed per family, because each family is its own table and its own fallback decision.
public struct CategorizedEndpoints: Sendable, Equatable {
    /// Endpoints for Cluster-policy traffic; empty when the port never uses that policy.
    public var cluster: [EndpointInfo] = []
    /// Endpoints for Local-policy traffic; empty when the port never uses that policy.
    public var local: [EndpointInfo] = []
    /// The union of the two, sorted: every endpoint this node may send to (one chain each).
    public var allReachable: [EndpointInfo] = []
    /// Whether any usable endpoint exists anywhere in the cluster (may be true while
    /// `allReachable` is empty, e.g. Local policy with no endpoint on this node).
    public var hasAnyEndpoints = false
    /// Whether zone hints narrowed the cluster endpoints.
    public var usedZoneHints = false

    public init() {}

    /// Endpoints for traffic to the cluster IP: Local ones under `internalTrafficPolicy: Local`.
    public func internalTrafficEndpoints(for service: ServicePortInfo) -> [EndpointInfo] {
        service.internalPolicyLocal ? local : cluster
    }

    /// Endpoints for traffic from outside (node ports, external IPs, LB VIPs): Local ones under
    /// `externalTrafficPolicy: Local`.
    public func externalTrafficEndpoints(for service: ServicePortInfo) -> [EndpointInfo] {
        service.externalPolicyLocal ? local : cluster
    }

    /// Categorises `endpoints` (those of one family) for `service`. `nodeZone` is this node's
    /// `topology.kubernetes.io/zone` label, for zone hints.
    public init(endpoints: [EndpointInfo], service: ServicePortInfo, nodeZone: String? = nil) {
        guard !endpoints.isEmpty else { return }

        if service.usesClusterEndpoints {
            usedZoneHints = Self.zoneHintsApply(endpoints, zone: nodeZone)
            cluster = endpoints.filter { e in
                e.ready && (!usedZoneHints || e.zoneHints.contains(nodeZone ?? ""))
            }
            // Zone hints are only used when some ready endpoint is hinted here, so an empty
            // list at this point means no endpoint is ready anywhere.
            if cluster.isEmpty { cluster = endpoints.filter(\.isServingTerminating) }
            hasAnyEndpoints = !cluster.isEmpty
        }

        guard service.usesLocalEndpoints else {
            allReachable = cluster
            return
        }

        var hasLocalReady = false, hasLocalServingTerminating = false
        for e in endpoints {
            if e.ready {
                hasAnyEndpoints = true
                if e.isLocal { hasLocalReady = true }
            } else if e.isServingTerminating {
                hasAnyEndpoints = true
                if e.isLocal { hasLocalServingTerminating = true }
            }
        }
        var localUsesTerminating = false
        if hasLocalReady {
            local = endpoints.filter { $0.isLocal && $0.ready }
        } else if hasLocalServingTerminating {
            localUsesTerminating = true
            local = endpoints.filter { $0.isLocal && $0.isServingTerminating }
        }

        if !service.usesClusterEndpoints {
            allReachable = local
        } else if !usedZoneHints && !localUsesTerminating {
            // cluster holds every ready endpoint and local only ready ones: a superset.
            allReachable = cluster
        } else {
            allReachable = Array(Set(cluster).union(local)).sorted(by: EndpointInfo.precedes)
        }
    }

    /// Convenience: categorise the endpoints of `family` only.
    public init(endpoints: [EndpointInfo], service: ServicePortInfo, family: IPFamily, nodeZone: String? = nil) {
        self.init(endpoints: endpoints.filter { $0.family == family }, service: service, nodeZone: nodeZone)
    }

    /// Upstream's topologyModeFromHints, zone part: hints apply when every ready endpoint has
    /// a zone hint and at least one is hinted for this node's zone. (Node hints, for
    /// PreferSameNode, are not in Skiff's API types yet.)
    private static func zoneHintsApply(_ endpoints: [EndpointInfo], zone: String?) -> Bool {
        var hasReady = false, allHinted = true, hintedHere = false
        for e in endpoints where e.ready {
            hasReady = true
            if e.zoneHints.isEmpty {
                allHinted = false
            } else if let zone, !zone.isEmpty, e.zoneHints.contains(zone) {
                hintedHere = true
            }
        }
        return hasReady && allHinted && hintedHere
    }
}
