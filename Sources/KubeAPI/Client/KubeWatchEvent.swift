/// One event of a watch. An ERROR event is not an element: the stream throws it as a
/// `KubeAPIError` and ends, because nothing that follows it can be trusted.
public enum KubeWatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// The server has sent everything up to this resourceVersion; resume from here.
    case bookmark(resourceVersion: String)

    /// The object of ADDED/MODIFIED/DELETED; `nil` for a bookmark.
    public var object: Object? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): o
        case .bookmark: nil
        }
    }

    /// The wire name: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`.
    public var type: String {
        switch self {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .bookmark: "BOOKMARK"
        }
    }

    public func map<Other: Sendable>(_ transform: (Object) throws -> Other) rethrows -> KubeWatchEvent<Other> {
        switch self {
        case .added(let o): .added(try transform(o))
        case .modified(let o): .modified(try transform(o))
        case .deleted(let o): .deleted(try transform(o))
        case .bookmark(let rv): .bookmark(resourceVersion: rv)
        }
    }
}

extension KubeWatchEvent: Equatable where Object: Equatable {}
