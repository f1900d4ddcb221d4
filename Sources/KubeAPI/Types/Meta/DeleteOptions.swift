/// meta/v1 DeleteOptions: the optional body of a DELETE.
public struct DeleteOptions: Codable, Sendable, Hashable {
    public var kind: String?
    public var apiVersion: String?
    public var gracePeriodSeconds: Int64?
    public var preconditions: Preconditions?
    /// Deprecated upstream in favour of `propagationPolicy`, still honoured.
    public var orphanDependents: Bool?
    /// Orphan, Background or Foreground.
    public var propagationPolicy: String?
    public var dryRun: [String]?
    public var ignoreStoreReadErrorWithClusterBreakingPotential: Bool?

    public init(
        kind: String? = nil,
        apiVersion: String? = nil,
        gracePeriodSeconds: Int64? = nil,
        preconditions: Preconditions? = nil,
        orphanDependents: Bool? = nil,
        propagationPolicy: String? = nil,
        dryRun: [String]? = nil,
        ignoreStoreReadErrorWithClusterBreakingPotential: Bool? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditions = preconditions
        self.orphanDependents = orphanDependents
        self.propagationPolicy = propagationPolicy
        self.dryRun = dryRun
        self.ignoreStoreReadErrorWithClusterBreakingPotential = ignoreStoreReadErrorWithClusterBreakingPotential
    }
}

/// meta/v1 Preconditions: the delete happens only if the stored object still has this uid / resourceVersion.
public struct Preconditions: Codable, Sendable, Hashable {
    public var uid: String?
    public var resourceVersion: String?

    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}
