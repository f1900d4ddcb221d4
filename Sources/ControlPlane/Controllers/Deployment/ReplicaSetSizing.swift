import KubeAPI

/// How big each of a Deployment's ReplicaSets should be for the next step of a rollout or a
/// scale: pure arithmetic over the cached objects, after upstream's deployment utilities, so
/// every rule is unit-tested apart from the API. The controller turns the answers into writes.
///
/// Two counts are taken more cautiously than upstream: Pods that may exist are at least a
/// ReplicaSet's `status.replicas` (Pods it has been told to drop may still be there), and
/// Pods that may be available are at most its `spec.replicas` (ones it has been told to drop
/// may be counted as available until its status catches up). With them, a surge or
/// availability bound is never crossed while statuses lag behind, only approached more slowly.
enum ReplicaSetSizing {
    /// The new ReplicaSet's size for this step: Recreate jumps to the desired count; a rolling
    /// update grows it only into room under desired + maxSurge.
    static func newReplicaSetSize(_ deployment: Deployment, all: [ReplicaSet], new: ReplicaSet) -> Int32 {
        let desired = deployment.spec?.replicas ?? 1
        guard DeploymentStrategyType(deployment) == .rollingUpdate else { return desired }
        let current = all.reduce(0) { $0 + $1.podsThatMayExist }
        let ceiling = desired + RolloutBounds(deployment).maxSurge
        guard current < ceiling else { return new.specReplicas }
        return new.specReplicas + max(0, min(ceiling - current, desired - new.specReplicas))
    }

    /// The sizes old ReplicaSets shrink to in this rolling step (only those that change):
    /// first their unavailable Pods, which cost no availability, within the room left by the
    /// new ReplicaSet's own unavailable Pods; then available ones, down to desired −
    /// maxUnavailable available in total. Oldest ReplicaSets shrink first.
    static func oldReplicaSetSizes(_ deployment: Deployment, old: [ReplicaSet], new: ReplicaSet?) -> [(ReplicaSet, Int32)] {
        let active = old.filter { $0.specReplicas > 0 }.sorted(by: ReplicaSetOrder.byCreation)
        guard !active.isEmpty else { return [] }
        // Sized as the steps go; `active` keeps the cached objects the writes are based on.
        var old = active
        let desired = deployment.spec?.replicas ?? 1
        let minAvailable = desired - RolloutBounds(deployment).maxUnavailable
        let allPods = old.reduce(0) { $0 + $1.specReplicas } + (new?.specReplicas ?? 0)
        let newUnavailable = new.map { $0.specReplicas - $0.podsThatMayBeAvailable } ?? 0
        let maxScaledDown = allPods - minAvailable - newUnavailable
        guard maxScaledDown > 0 else { return [] }

        var sizes: [String: Int32] = [:]
        var cleaned: Int32 = 0
        for i in old.indices where cleaned < maxScaledDown {
            let unavailable = old[i].specReplicas - old[i].podsThatMayBeAvailable
            guard unavailable > 0 else { continue }
            let count = min(maxScaledDown - cleaned, unavailable)
            let size = old[i].specReplicas - count
            old[i].spec?.replicas = size
            sizes[old[i].name] = old[i].specReplicas
            cleaned += count
        }

        let available = old.reduce(0) { $0 + $1.podsThatMayBeAvailable } + (new?.podsThatMayBeAvailable ?? 0)
        if available > minAvailable {
            let total = available - minAvailable
            var done: Int32 = 0
            for i in old.indices where done < total && old[i].specReplicas > 0 {
                let count = min(old[i].specReplicas, total - done)
                let size = old[i].specReplicas - count
                old[i].spec?.replicas = size
                sizes[old[i].name] = old[i].specReplicas
                done += count
            }
        }
        return active.compactMap { rs in sizes[rs.name].map { (rs, $0) } }
    }

    /// Where the ReplicaSets go when the Deployment's replica count changes (or on any sync
    /// while paused): a lone active ReplicaSet takes the whole count; a saturated new one
    /// retires the old ones; mid-rollout, the change is shared out in proportion to each
    /// ReplicaSet's size, so the rollout's shape survives the scale. Only changes are returned.
    static func scaledSizes(_ deployment: Deployment, new: ReplicaSet?, old: [ReplicaSet]) -> [(ReplicaSet, Int32)] {
        let desired = deployment.spec?.replicas ?? 1
        if let only = activeOrLatest(new: new, old: old) {
            return only.specReplicas == desired ? [] : [(only, desired)]
        }
        if let new, isSaturated(deployment, new) {
            return old.filter { $0.specReplicas > 0 }.map { ($0, 0) }
        }
        guard DeploymentStrategyType(deployment) == .rollingUpdate else { return [] }

        var sets = (old + [new].compactMap { $0 }).filter { $0.specReplicas > 0 }
        let allowed = desired > 0 ? desired + RolloutBounds(deployment).maxSurge : 0
        let toAdd = allowed - sets.reduce(0) { $0 + $1.specReplicas }
        if toAdd > 0 {
            sets.sort(by: ReplicaSetOrder.bySizeNewerFirst)
        } else if toAdd < 0 {
            sets.sort(by: ReplicaSetOrder.bySizeOlderFirst)
        }
        var added: Int32 = 0
        var sizes = sets.map(\.specReplicas)
        if toAdd != 0 {
            for i in sets.indices {
                let share = proportion(of: sets[i], deployment, toAdd: toAdd, added: added)
                sizes[i] += share
                added += share
            }
            // Rounding leftovers go to the largest.
            if added != toAdd, !sizes.isEmpty { sizes[0] = max(0, sizes[0] + toAdd - added) }
        }
        return zip(sets, sizes).filter { $0.specReplicas != $1 }
    }

    /// The single ReplicaSet that should hold every replica, when there is one: the only
    /// active one, or with none active the new one, else the newest.
    static func activeOrLatest(new: ReplicaSet?, old: [ReplicaSet]) -> ReplicaSet? {
        guard new != nil || !old.isEmpty else { return nil }
        let newestFirst = old.sorted(by: ReplicaSetOrder.byCreation).reversed()
        let active = (Array(newestFirst) + [new].compactMap { $0 }).filter { $0.specReplicas > 0 }
        switch active.count {
        case 0: return new ?? newestFirst.first
        case 1: return active[0]
        default: return nil
        }
    }

    /// The new ReplicaSet has all the desired replicas and all of them are available.
    static func isSaturated(_ deployment: Deployment, _ rs: ReplicaSet) -> Bool {
        let desired = deployment.spec?.replicas ?? 1
        return rs.specReplicas == desired && DeploymentAnnotations.desiredReplicas(of: rs) == desired
            && (rs.status?.availableReplicas ?? 0) == desired
    }

    private static func proportion(of rs: ReplicaSet, _ deployment: Deployment, toAdd: Int32, added: Int32) -> Int32 {
        guard rs.specReplicas > 0, toAdd != 0, toAdd != added else { return 0 }
        let fraction = self.fraction(of: rs, deployment)
        let allowed = toAdd - added
        return toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
    }

    /// How many replicas `rs` gains (or loses) if it keeps its share of the Deployment's
    /// surge ceiling as that ceiling moves from the one recorded on it to the current one.
    private static func fraction(of rs: ReplicaSet, _ deployment: Deployment) -> Int32 {
        let desired = deployment.spec?.replicas ?? 1
        guard desired > 0 else { return -rs.specReplicas }
        let ceiling = desired + RolloutBounds(deployment).maxSurge
        let recorded = DeploymentAnnotations.maxReplicas(of: rs) ?? deployment.status?.replicas ?? 0
        guard recorded > 0 else { return 0 }
        let size = (Double(rs.specReplicas) * Double(ceiling) / Double(recorded)).rounded()
        return Int32(clamping: Int64(size)) - rs.specReplicas
    }

    /// Old ReplicaSets beyond `revisionHistoryLimit` that are empty and settled, lowest
    /// revision first: the ones to delete.
    static func surplusHistory(_ deployment: Deployment, old: [ReplicaSet]) -> [ReplicaSet] {
        guard let limit = deployment.spec?.revisionHistoryLimit else { return [] }
        let alive = old.filter { $0.metadata?.deletionTimestamp == nil }
        let surplus = alive.count - Int(max(limit, 0))
        guard surplus > 0 else { return [] }
        return alive.sorted(by: ReplicaSetOrder.byRevision).prefix(surplus).filter { rs in
            rs.specReplicas == 0 && (rs.status?.replicas ?? 0) == 0
                && (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0)
        }
    }
}

/// Orders of ReplicaSets used by the rollout rules.
enum ReplicaSetOrder {
    static func byCreation(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        let (ta, tb) = (a.metadata?.creationTimestamp ?? "", b.metadata?.creationTimestamp ?? "")
        return ta != tb ? ta < tb : a.name < b.name
    }

    static func bySizeNewerFirst(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        a.specReplicas != b.specReplicas ? a.specReplicas > b.specReplicas : byCreation(b, a)
    }

    static func bySizeOlderFirst(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        a.specReplicas != b.specReplicas ? a.specReplicas > b.specReplicas : byCreation(a, b)
    }

    static func byRevision(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        let (ra, rb) = (DeploymentAnnotations.revision(of: a), DeploymentAnnotations.revision(of: b))
        return ra != rb ? ra < rb : byCreation(a, b)
    }
}

extension ReplicaSet {
    var name: String { metadata?.name ?? "" }
    var specReplicas: Int32 { spec?.replicas ?? 0 }
    var podsThatMayExist: Int32 { Swift.max(specReplicas, status?.replicas ?? 0) }
    var podsThatMayBeAvailable: Int32 { Swift.min(status?.availableReplicas ?? 0, specReplicas) }
}
