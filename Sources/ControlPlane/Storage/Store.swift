/// An object as the store holds it: JSON bytes that already carry their
/// `metadata.resourceVersion`, which is the store revision of the write that made them.
public struct StoredObject: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
    public var revision: Int64

    public init(key: String, value: [UInt8], revision: Int64) {
        self.key = key
        self.value = value
        self.revision = revision
    }
}

public struct StoreEvent: Sendable, Equatable {
    public enum Kind: Int64, Sendable {
        case added = 0, modified = 1, deleted = 2
    }
    public var kind: Kind
    /// For a deletion: the object's last state, re-stamped with the deletion's revision.
    public var object: StoredObject
    /// The version this event replaced (nil for a creation): a filtered watch needs it to
    /// tell "started matching" (ADDED) and "stopped matching" (DELETED) from MODIFIED.
    public var previous: StoredObject?

    public init(kind: Kind, object: StoredObject, previous: StoredObject? = nil) {
        self.kind = kind
        self.object = object
        self.previous = previous
    }
}

public enum StoreError: Error, Equatable, Sendable {
    case alreadyExists(key: String)
    case notFound(key: String)
    /// The compare-and-swap failed: the object changed since `expected`.
    case conflict(key: String, expected: Int64, actual: Int64)
    /// The revision asked for has been compacted away (HTTP 410 Expired upstream).
    case expired(requested: Int64, compacted: Int64)
    case unavailable(String)
    /// The datastore refuses a value this large (etcd's --max-request-bytes, 1.5 MiB by default).
    case tooLarge(limit: Int)
}

/// Writes hand the store a function from the revision the write will get to the bytes to
/// store, so the object can carry its own resourceVersion without a second pass.
public typealias ValueForRevision = @Sendable (Int64) throws -> [UInt8]

public struct ListPage: Sendable {
    public var items: [StoredObject]
    /// The revision the list is consistent at.
    public var revision: Int64
    /// The last key returned when more remain after it (for `continue`).
    public var nextKey: String?
    public var remaining: Int
}

/// The storage interface the API server is written against: a key-value store with a
/// single increasing revision, compare-and-swap writes and ordered watches. Every write is
/// its own revision, so a revision names exactly one event (watch feeds rely on it). SQLite
/// (one server) and etcd (several) implement it; etcd's revision is the revision.
public protocol Store: Sendable {
    func currentRevision() async throws -> Int64
    func get(_ key: String) async throws -> StoredObject?

    /// Objects whose keys start with `prefix`, in key order, after `startAfter` if given,
    /// at most `limit` (0 = all), consistent at `revision` (nil = latest).
    func list(prefix: String, startAfter: String?, limit: Int, revision: Int64?) async throws -> ListPage

    func create(_ key: String, value: @escaping ValueForRevision) async throws -> StoredObject
    /// Replaces the object if its revision is still `expectedRevision`.
    func update(_ key: String, expectedRevision: Int64, value: @escaping ValueForRevision) async throws -> StoredObject
    /// Deletes the object if its revision is still `expectedRevision`; `value` gives the
    /// final state returned (SQLite also delivers it to watchers; etcd delivers the last
    /// stored state, as a deletion in etcd carries).
    func delete(_ key: String, expectedRevision: Int64, value: @escaping ValueForRevision) async throws -> StoredObject

    /// Events for keys under `prefix` with revision > `afterRevision`, in revision order,
    /// then live ones until the stream is cancelled. Throws `expired` if history before
    /// `afterRevision` has been compacted.
    func watch(prefix: String, afterRevision: Int64) async throws -> StoreWatch

    /// Drops history at or below `revision`; older resourceVersions then get 410 Expired.
    func compact(to revision: Int64) async throws
}

/// A watch's events, and how far it has got: what a bookmark may claim.
public struct StoreWatch: AsyncSequence, Sendable {
    public typealias Element = StoreEvent

    let nextEvent: @Sendable () async throws -> StoreEvent?
    let progressReport: @Sendable () -> WatchProgress

    public init(next: @escaping @Sendable () async throws -> StoreEvent?, progress: @escaping @Sendable () -> WatchProgress) {
        nextEvent = next
        progressReport = progress
    }

    public func progress() -> WatchProgress { progressReport() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let nextEvent: @Sendable () async throws -> StoreEvent?
        public mutating func next() async throws -> StoreEvent? { try await nextEvent() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(nextEvent: nextEvent) }
}

public struct WatchProgress: Sendable, Equatable {
    /// The revision of the last event handed out.
    public var delivered: Int64
    /// When nothing is waiting: the store revision up to which every event under the
    /// prefix has been handed out (later than `delivered` when other keys changed).
    public var caughtUpTo: Int64?
}
