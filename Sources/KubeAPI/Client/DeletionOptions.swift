/// What a delete asks for (meta/v1 DeleteOptions), sent as the request body. Named
/// apart from the API type `DeleteOptions` so that the client does not depend on it.
public struct DeletionOptions: Sendable, Hashable {
    public enum Propagation: String, Sendable, Hashable {
        case orphan = "Orphan"
        case background = "Background"
        case foreground = "Foreground"
    }

    public var gracePeriodSeconds: Int64?
    public var propagationPolicy: Propagation?
    /// Delete only if the object still has this UID / resourceVersion.
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var dryRun: Bool

    public init(gracePeriodSeconds: Int64? = nil, propagationPolicy: Propagation? = nil,
                preconditionUID: String? = nil, preconditionResourceVersion: String? = nil,
                dryRun: Bool = false) {
        self.gracePeriodSeconds = gracePeriodSeconds
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }

    var body: JSONValue {
        var o: [String: JSONValue] = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let gracePeriodSeconds { o["gracePeriodSeconds"] = .int(gracePeriodSeconds) }
        if let propagationPolicy { o["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        var pre: [String: JSONValue] = [:]
        if let preconditionUID { pre["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { pre["resourceVersion"] = .string(preconditionResourceVersion) }
        if !pre.isEmpty { o["preconditions"] = .object(pre) }
        if dryRun { o["dryRun"] = ["All"] }
        return .object(o)
    }
}
