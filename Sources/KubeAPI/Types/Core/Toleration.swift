/// core/v1 Toleration: lets the pod schedule onto (or stay on) nodes with a matching Taint.
public struct Toleration: Codable, Sendable, Hashable {
    public var key: String?
    /// Exists or Equal (default).
    public var `operator`: String?
    public var value: String?
    /// NoSchedule, PreferNoSchedule or NoExecute; empty matches all.
    public var effect: String?
    /// For NoExecute: how long the pod stays bound after the taint appears.
    public var tolerationSeconds: Int64?

    public init(
        key: String? = nil,
        `operator`: String? = nil,
        value: String? = nil,
        effect: String? = nil,
        tolerationSeconds: Int64? = nil
    ) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}

extension Toleration {
    /// Whether this toleration tolerates `taint` (upstream's `Toleration.ToleratesTaint`): an
    /// empty effect matches every effect, an empty key with Exists matches every key.
    public func tolerates(_ taint: Taint) -> Bool {
        if let effect, !effect.isEmpty, effect != taint.effect { return false }
        if let key, !key.isEmpty, key != taint.key { return false }
        switch self.operator ?? "Equal" {
        case "Exists": return true
        case "", "Equal": return (value ?? "") == (taint.value ?? "") && !(key ?? "").isEmpty
        default: return false
        }
    }
}
