/// meta/v1 WatchEvent: one line of a watch stream.
/// `object` stays untyped because a stream can carry a Status (type ERROR) or a BOOKMARK with only metadata.
public struct WatchEvent: Codable, Sendable, Hashable {
    /// ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
    public var type: String?
    public var object: JSONValue?

    public init(type: String? = nil, object: JSONValue? = nil) {
        self.type = type
        self.object = object
    }
}
