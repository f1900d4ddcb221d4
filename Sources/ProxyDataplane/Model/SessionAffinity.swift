/// A service's session affinity as the dataplane needs it: nothing, or stick a client IP to the
/// endpoint it first reached for `timeoutSeconds` after its last packet.
public enum SessionAffinity: Sendable, Hashable {
    case none
    case clientIP(timeoutSeconds: Int)

    /// The API default for `sessionAffinityConfig.clientIP.timeoutSeconds`: three hours.
    public static let defaultClientIPTimeoutSeconds = 10_800
    /// The API's upper bound for the timeout: one day.
    public static let maxClientIPTimeoutSeconds = 86_400

    /// The stickiness timeout; nil without affinity.
    public var timeoutSeconds: Int? {
        if case .clientIP(let t) = self { return t }
        return nil
    }
}
