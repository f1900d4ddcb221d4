import Foundation
import KubeAPI

/// A Deployment's status and its Available / Progressing conditions, computed from its
/// ReplicaSets with upstream's reasons and messages: `kubectl rollout status` reads exactly
/// these fields, and scripts match on the reasons.
enum DeploymentProgress {
    static let available = "Available"
    static let progressing = "Progressing"

    enum Reason {
        static let minimumReplicasAvailable = "MinimumReplicasAvailable"
        static let minimumReplicasUnavailable = "MinimumReplicasUnavailable"
        static let newReplicaSetCreated = "NewReplicaSetCreated"
        static let foundNewReplicaSet = "FoundNewReplicaSet"
        static let replicaSetUpdated = "ReplicaSetUpdated"
        static let newReplicaSetAvailable = "NewReplicaSetAvailable"
        static let progressDeadlineExceeded = "ProgressDeadlineExceeded"
        static let failedReplicaSetCreate = "ReplicaSetCreateError"
        static let paused = "DeploymentPaused"
        static let resumed = "DeploymentResumed"
    }

    /// Counts summed over the ReplicaSets (zero counts left out, as upstream's omitempty
    /// does) and the Available condition.
    static func status(of deployment: Deployment, all: [ReplicaSet], new: ReplicaSet?, now: String) -> DeploymentStatus {
        let desired = deployment.spec?.replicas ?? 1
        let availableCount = all.reduce(0) { $0 + ($1.status?.availableReplicas ?? 0) }
        func omitZero(_ n: Int32) -> Int32? { n == 0 ? nil : n }
        var status = DeploymentStatus(
            observedGeneration: deployment.metadata?.generation,
            replicas: omitZero(all.reduce(0) { $0 + ($1.status?.replicas ?? 0) }),
            updatedReplicas: omitZero(new?.status?.replicas ?? 0),
            readyReplicas: omitZero(all.reduce(0) { $0 + ($1.status?.readyReplicas ?? 0) }),
            availableReplicas: omitZero(availableCount),
            unavailableReplicas: omitZero(max(desired - availableCount, 0)),
            conditions: deployment.status?.conditions,
            collisionCount: deployment.status?.collisionCount)
        if availableCount >= desired - RolloutBounds(deployment).maxUnavailable {
            set(&status, condition(available, "True", Reason.minimumReplicasAvailable, "Deployment has minimum availability.", now))
        } else {
            set(&status, condition(available, "False", Reason.minimumReplicasUnavailable,
                                   "Deployment does not have minimum availability.", now))
        }
        return status
    }

    /// Sets the Progressing condition for a rollout step: complete, still moving, or stuck
    /// past `progressDeadlineSeconds`. Upstream's `syncRolloutStatus`.
    static func updateProgressing(_ status: inout DeploymentStatus, _ deployment: Deployment, new: ReplicaSet?, now: Date) {
        guard deployment.spec?.progressDeadlineSeconds != nil else {
            remove(&status, progressing)
            return
        }
        let current = condition(in: status, progressing)
        // Once complete and unchanged there is nothing to say.
        if (status.replicas ?? 0) == (status.updatedReplicas ?? 0), current?.reason == Reason.newReplicaSetAvailable { return }
        let subject = new.map { "ReplicaSet \"\($0.name)\"" } ?? "Deployment \"\(deployment.metadata?.name ?? "")\""
        let stamp = ObjectMetaRules.timestamp(now)
        if isComplete(deployment, status) {
            set(&status, condition(progressing, "True", Reason.newReplicaSetAvailable, "\(subject) has successfully progressed.", stamp))
        } else if isProgressing(deployment, status) {
            var moving = condition(progressing, "True", Reason.replicaSetUpdated, "\(subject) is progressing.", stamp)
            // Progress refreshes lastUpdateTime, which the deadline runs from.
            if current?.status == "True" { moving.lastTransitionTime = current?.lastTransitionTime }
            remove(&status, progressing)
            set(&status, moving)
        } else if hasTimedOut(deployment, status, now: now) {
            set(&status, condition(progressing, "False", Reason.progressDeadlineExceeded, "\(subject) has timed out progressing.", stamp))
        }
    }

    /// Every desired replica is updated and available, none is left over, and the latest
    /// spec has been seen.
    static func isComplete(_ deployment: Deployment, _ status: DeploymentStatus) -> Bool {
        let desired = deployment.spec?.replicas ?? 1
        return (status.updatedReplicas ?? 0) == desired && (status.replicas ?? 0) == desired
            && (status.availableReplicas ?? 0) == desired
            && (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0)
    }

    /// The new status moved the rollout forward from the stored one.
    static func isProgressing(_ deployment: Deployment, _ status: DeploymentStatus) -> Bool {
        let old = deployment.status ?? DeploymentStatus()
        let oldLeftovers = (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
        let newLeftovers = (status.replicas ?? 0) - (status.updatedReplicas ?? 0)
        return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newLeftovers < oldLeftovers
            || (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0)
            || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    }

    /// No progress for `progressDeadlineSeconds` since the Progressing condition last moved.
    static func hasTimedOut(_ deployment: Deployment, _ status: DeploymentStatus, now: Date) -> Bool {
        guard let deadline = deployment.spec?.progressDeadlineSeconds,
              let current = condition(in: status, progressing) else { return false }
        if current.reason == Reason.newReplicaSetAvailable { return false }
        if current.reason == Reason.progressDeadlineExceeded { return true }
        guard let since = current.lastUpdateTime.flatMap(ObjectMetaRules.parseTimestamp) else { return false }
        return since.addingTimeInterval(TimeInterval(deadline)) < now
    }

    /// When a rollout that is still moving would pass its deadline, so it can be looked at
    /// again then; nil when there is nothing to wait for.
    static func deadline(_ deployment: Deployment, _ status: DeploymentStatus) -> Date? {
        guard let seconds = deployment.spec?.progressDeadlineSeconds, !isComplete(deployment, status),
              let current = condition(in: status, progressing), current.reason != Reason.progressDeadlineExceeded,
              current.status == "True",
              let since = current.lastUpdateTime.flatMap(ObjectMetaRules.parseTimestamp) else { return nil }
        return since.addingTimeInterval(TimeInterval(seconds))
    }

    static func condition(_ type: String, _ status: String, _ reason: String, _ message: String, _ now: String) -> DeploymentCondition {
        DeploymentCondition(type: type, status: status, lastUpdateTime: now, lastTransitionTime: now, reason: reason, message: message)
    }

    static func condition(in status: DeploymentStatus, _ type: String) -> DeploymentCondition? {
        status.conditions?.first { $0.type == type }
    }

    /// Upstream's `SetDeploymentCondition`: the same status and reason is left as it is (its
    /// times included); the same status with a new reason keeps its transition time.
    static func set(_ status: inout DeploymentStatus, _ new: DeploymentCondition) {
        var new = new
        if let current = condition(in: status, new.type ?? "") {
            if current.status == new.status && current.reason == new.reason { return }
            if current.status == new.status { new.lastTransitionTime = current.lastTransitionTime }
        }
        status.conditions = (status.conditions ?? []).filter { $0.type != new.type } + [new]
    }

    static func remove(_ status: inout DeploymentStatus, _ type: String) {
        guard status.conditions?.contains(where: { $0.type == type }) == true else { return }
        status.conditions = status.conditions?.filter { $0.type != type }
    }
}
