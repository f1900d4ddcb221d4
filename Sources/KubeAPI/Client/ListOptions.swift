/// Query parameters of list, watch and deletecollection (meta/v1 ListOptions).
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    public var resourceVersion: String?
    /// `Exact` or `NotOlderThan`; only meaningful with `resourceVersion`.
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool?

    public init(labelSelector: String? = nil,
                fieldSelector: String? = nil,
                limit: Int? = nil,
                continueToken: String? = nil,
                resourceVersion: String? = nil,
                resourceVersionMatch: String? = nil,
                timeoutSeconds: Int? = nil,
                allowWatchBookmarks: Bool? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }

    /// Parameters in a fixed order so that URLs are reproducible in tests and logs.
    public var queryItems: [(name: String, value: String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit, limit > 0 { items.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch, !resourceVersionMatch.isEmpty {
            items.append(("resourceVersionMatch", resourceVersionMatch))
        }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        if let allowWatchBookmarks { items.append(("allowWatchBookmarks", String(allowWatchBookmarks))) }
        return items
    }
}
