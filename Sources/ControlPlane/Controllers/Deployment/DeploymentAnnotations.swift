import KubeAPI

/// The annotations through which a Deployment and its ReplicaSets record rollout state, as
/// upstream names them: `kubectl rollout history` and `rollout undo` read the revisions, and
/// the replica annotations let a scale in the middle of a rollout be shared out in proportion.
enum DeploymentAnnotations {
    static let revision = "deployment.kubernetes.io/revision"
    static let revisionHistory = "deployment.kubernetes.io/revision-history"
    /// The Deployment's replicas when the ReplicaSet was last scaled by it.
    static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    /// Desired replicas plus maxSurge at that time.
    static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"
    static let rollbackTo = "deprecated.deployment.rollback.to"

    /// Annotations that belong to the rollout machinery and are not copied from a Deployment
    /// to its ReplicaSets.
    static let notCopied: Set<String> = [lastApplied, revision, revisionHistory, desiredReplicas, maxReplicas, rollbackTo]

    /// The revision a ReplicaSet records; 0 when it has none or it does not parse.
    static func revision(of rs: ReplicaSet) -> Int64 {
        rs.metadata?.annotations?[revision].flatMap { Int64($0) } ?? 0
    }

    static func desiredReplicas(of rs: ReplicaSet) -> Int32? {
        rs.metadata?.annotations?[desiredReplicas].flatMap { Int32($0) }
    }

    static func maxReplicas(of rs: ReplicaSet) -> Int32? {
        rs.metadata?.annotations?[maxReplicas].flatMap { Int32($0) }
    }

    /// Copies the Deployment's own annotations to the ReplicaSet (so `kubectl rollout history`
    /// shows each revision's change-cause) and raises its revision to `newRevision` when it is
    /// lower; a new ReplicaSet also gets its replica annotations. Returns whether anything changed.
    static func updateNewReplicaSet(_ rs: inout ReplicaSet, for deployment: Deployment, newRevision: Int64, exists: Bool) -> Bool {
        var annotations = rs.metadata?.annotations ?? [:]
        var changed = false
        for (key, value) in deployment.metadata?.annotations ?? [:] where !notCopied.contains(key) && annotations[key] != value {
            annotations[key] = value
            changed = true
        }
        let old = annotations[revision]
        if (old.flatMap { Int64($0) } ?? 0) < newRevision {
            annotations[revision] = String(newRevision)
            if let old, !old.isEmpty {
                let history = annotations[revisionHistory].map { $0 + "," + old } ?? old
                annotations[revisionHistory] = history
            }
            changed = true
        }
        if rs.metadata == nil { rs.metadata = ObjectMeta() }
        rs.metadata?.annotations = annotations
        if !exists, setReplicas(&rs, for: deployment) { changed = true }
        return changed
    }

    /// Records the Deployment's desired replicas and its surge ceiling on the ReplicaSet it
    /// scales; returns whether they changed.
    static func setReplicas(_ rs: inout ReplicaSet, for deployment: Deployment) -> Bool {
        let desired = deployment.spec?.replicas ?? 1
        let ceiling = desired + RolloutBounds(deployment).maxSurge
        var annotations = rs.metadata?.annotations ?? [:]
        guard annotations[desiredReplicas] != String(desired) || annotations[maxReplicas] != String(ceiling) else { return false }
        annotations[desiredReplicas] = String(desired)
        annotations[maxReplicas] = String(ceiling)
        if rs.metadata == nil { rs.metadata = ObjectMeta() }
        rs.metadata?.annotations = annotations
        return true
    }
}
