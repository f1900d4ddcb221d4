import KubeAPI

/// A Deployment's rolling-update limits in Pods: how far above the desired count the
/// rollout may go (maxSurge) and how far below it availability may fall (maxUnavailable).
/// Percentages are of the desired replicas, surge rounded up and unavailability down, and the
/// two are never both zero, or no rollout could make progress (upstream's `ResolveFenceposts`).
struct RolloutBounds: Equatable {
    var maxSurge: Int32
    var maxUnavailable: Int32

    init(maxSurge: Int32, maxUnavailable: Int32) {
        self.maxSurge = maxSurge
        self.maxUnavailable = maxUnavailable
    }

    /// The bounds of `deployment`: zero for Recreate, which never surges and is allowed to be
    /// wholly unavailable by design (the count it checks is "old Pods gone", not availability).
    init(_ deployment: Deployment) {
        let desired = deployment.spec?.replicas ?? 1
        guard DeploymentStrategyType(deployment) == .rollingUpdate else {
            self.init(maxSurge: 0, maxUnavailable: 0)
            return
        }
        let rolling = deployment.spec?.strategy?.rollingUpdate
        var surge = Self.scaled(rolling?.maxSurge ?? .string("25%"), of: desired, roundUp: true)
        var unavailable = Self.scaled(rolling?.maxUnavailable ?? .string("25%"), of: desired, roundUp: false)
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        surge = max(surge, 0)
        // More unavailable Pods than desired ones means nothing more.
        unavailable = desired == 0 ? 0 : min(max(unavailable, 0), desired)
        self.init(maxSurge: surge, maxUnavailable: unavailable)
    }

    /// An absolute count or a percentage of `total` (`intstr.GetScaledValueFromIntOrPercent`).
    /// A malformed percentage counts as zero; validation rejects it before it is stored.
    static func scaled(_ value: IntOrString, of total: Int32, roundUp: Bool) -> Int32 {
        switch value {
        case .int(let n):
            return n
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Int64(text.dropLast()) else { return 0 }
            let product = percent * Int64(total)
            let result = roundUp ? (product + 99) / 100 : product / 100
            return Int32(clamping: result)
        }
    }
}

/// `spec.strategy.type`; RollingUpdate when absent, as the API server defaults it.
enum DeploymentStrategyType: Equatable {
    case rollingUpdate
    case recreate

    init(_ deployment: Deployment) {
        self = deployment.spec?.strategy?.type == "Recreate" ? .recreate : .rollingUpdate
    }
}
