/// What happened to one object, as informer handlers see it.
/// Indirect: a Service or EndpointSlice is large inline, and whole lists of changes queue up
/// for handlers after a relist; boxed, they cost the object alone.
public indirect enum ObjectChange<Object: Sendable>: Sendable {
    case added(Object)
    case updated(old: Object, new: Object)
    case deleted(Object)
}

/// The informer's view of a collection: objects by `namespace/name` plus the
/// resourceVersion that view is current to. A value type that turns list results and
/// watch events into changes, so the bookkeeping is testable without a server.
public struct ObjectCache<Object: KubeObject>: Sendable {
    /// Each object boxed: a Service or EndpointSlice is hundreds of bytes inline, and a
    /// dictionary keeps a third of its slots empty, so at 10k objects inline storage cost
    /// megabytes of empty slots (and a second inline copy while a relist builds the new map).
    fileprivate final class Box: Sendable {
        let object: Object
        init(_ object: Object) { self.object = object }
    }

    private var boxes: [String: Box] = [:]
    /// Where a watch resumes; `nil` until the first list.
    public private(set) var resourceVersion: String?

    public init() {}

    /// `namespace/name`, or `name` for cluster-scoped objects (client-go's key format).
    public var count: Int { boxes.count }

    /// The cached keys (`namespace/name`), in no particular order.
    public var keys: [String] { Array(boxes.keys) }

    public subscript(key: String) -> Object? { boxes[key]?.object }

    /// The cached objects `isIncluded` accepts, in no particular order.
    public func objects(where isIncluded: (Object) -> Bool) -> [Object] {
        boxes.values.lazy.map(\.object).filter(isIncluded)
    }

    /// Every cached object, in key order.
    public var sortedObjects: [Object] {
        boxes.sorted { $0.key < $1.key }.map(\.value.object)
    }

    public static func key(namespace: String?, name: String) -> String {
        guard let namespace, !namespace.isEmpty else { return name }
        return namespace + "/" + name
    }

    public static func key(of object: Object) -> String {
        key(namespace: object.metadata?.namespace, name: object.metadata?.name ?? "")
    }

    /// A fresh list collected page by page: each object is boxed as its page arrives, so a
    /// relist never holds the whole collection inline in one array beside the old cache.
    public struct Listing: Sendable {
        fileprivate var boxes: [String: Box] = [:]

        public init() {}

        public var count: Int { boxes.count }

        public mutating func append(contentsOf objects: some Sequence<Object>) {
            for object in objects { boxes[ObjectCache.key(of: object)] = Box(object) }
        }

        /// Forgets what was collected (a paginated list that must start over).
        public mutating func removeAll() { boxes = [:] }
    }

    /// Replaces the content with a fresh list and returns the differences: deletions
    /// first, then additions and updates, each in key order. An object whose
    /// resourceVersion did not change is not reported, so a relist after a short
    /// outage produces only what was missed.
    public mutating func replace(with items: [Object], resourceVersion: String?) -> [ObjectChange<Object>] {
        var listing = Listing()
        listing.boxes.reserveCapacity(items.count)
        listing.append(contentsOf: items)
        return replace(with: listing, resourceVersion: resourceVersion)
    }

    public mutating func replace(with listing: Listing, resourceVersion: String?) -> [ObjectChange<Object>] {
        let fresh = listing.boxes
        var changes: [ObjectChange<Object>] = []
        for key in boxes.keys.sorted() where fresh[key] == nil {
            changes.append(.deleted(boxes[key]!.object))
        }
        for key in fresh.keys.sorted() {
            let new = fresh[key]!.object
            if let old = boxes[key]?.object {
                let oldRV = old.metadata?.resourceVersion
                if oldRV == nil || oldRV != new.metadata?.resourceVersion {
                    changes.append(.updated(old: old, new: new))
                }
            } else {
                changes.append(.added(new))
            }
        }
        boxes = fresh
        self.resourceVersion = resourceVersion
        return changes
    }

    /// Applies one watch event. ADDED for a known object is an update and MODIFIED for
    /// an unknown one an add, so that handlers never see an update without an add.
    public mutating func apply(_ event: KubeWatchEvent<Object>) -> ObjectChange<Object>? {
        switch event {
        case .bookmark(let rv):
            if !rv.isEmpty { resourceVersion = rv }
            return nil
        case .added(let object), .modified(let object):
            advance(to: object)
            let key = Self.key(of: object)
            let old = boxes.updateValue(Box(object), forKey: key)?.object
            return old.map { .updated(old: $0, new: object) } ?? .added(object)
        case .deleted(let object):
            advance(to: object)
            // A deletion of something never seen is no news to the handlers.
            return boxes.removeValue(forKey: Self.key(of: object)).map { _ in .deleted(object) }
        }
    }

    private mutating func advance(to object: Object) {
        if let rv = object.metadata?.resourceVersion, !rv.isEmpty { resourceVersion = rv }
    }
}
