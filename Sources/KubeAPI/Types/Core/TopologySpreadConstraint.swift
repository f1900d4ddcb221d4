/// core/v1 TopologySpreadConstraint: spread matching pods evenly across `topologyKey` domains.
public struct TopologySpreadConstraint: Codable, Sendable, Hashable {
    public var maxSkew: Int32?
    public var topologyKey: String?
    /// DoNotSchedule or ScheduleAnyway.
    public var whenUnsatisfiable: String?
    public var labelSelector: LabelSelector?
    public var minDomains: Int32?
    /// Honor or Ignore.
    public var nodeAffinityPolicy: String?
    /// Honor or Ignore.
    public var nodeTaintsPolicy: String?
    public var matchLabelKeys: [String]?

    public init(
        maxSkew: Int32? = nil,
        topologyKey: String? = nil,
        whenUnsatisfiable: String? = nil,
        labelSelector: LabelSelector? = nil,
        minDomains: Int32? = nil,
        nodeAffinityPolicy: String? = nil,
        nodeTaintsPolicy: String? = nil,
        matchLabelKeys: [String]? = nil
    ) {
        self.maxSkew = maxSkew
        self.topologyKey = topologyKey
        self.whenUnsatisfiable = whenUnsatisfiable
        self.labelSelector = labelSelector
        self.minDomains = minDomains
        self.nodeAffinityPolicy = nodeAffinityPolicy
        self.nodeTaintsPolicy = nodeTaintsPolicy
        self.matchLabelKeys = matchLabelKeys
    }
}
