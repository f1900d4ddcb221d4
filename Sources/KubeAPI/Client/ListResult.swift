/// One page of a list: the items and the list's metadata (the resourceVersion to
/// watch from, the continue token of the next page). Kept apart from the API type
/// `KubeList` so that untyped lists (`ListResult<JSONValue>`) share the code.
public struct ListResult<Item: Sendable>: Sendable {
    public var metadata: ListMeta
    public var items: [Item]

    public init(metadata: ListMeta = ListMeta(), items: [Item] = []) {
        self.metadata = metadata
        self.items = items
    }

    public var resourceVersion: String? { metadata.resourceVersion }
    /// `nil` on the last page.
    public var continueToken: String? {
        guard let token = metadata.continue, !token.isEmpty else { return nil }
        return token
    }
}

extension ListResult: Decodable where Item: Decodable {
    private enum CodingKeys: String, CodingKey { case metadata, items }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // Go servers send `"items": null` for an empty list.
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}
