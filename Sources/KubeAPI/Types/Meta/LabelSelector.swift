/// meta/v1 LabelSelector. The requirements are ANDed; an empty selector matches everything, a nil one nothing.
public struct LabelSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

/// meta/v1 LabelSelectorRequirement: `key` `operator` (In, NotIn, Exists, DoesNotExist) `values`.
public struct LabelSelectorRequirement: Codable, Sendable, Hashable {
    public var key: String?
    public var `operator`: String?
    public var values: [String]?

    public init(key: String? = nil, `operator`: String? = nil, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}
