import KubeAPI

/// What the controller last wrote for each Service, so that a reconcile reading the informer's
/// cache before the cache has seen those writes waits instead of acting on the old state
/// (creating a second slice for endpoints it already placed): upstream's endpointSliceTracker.
struct SliceWriteExpectations: Sendable {
    private struct Written: Sendable {
        /// Slice name → the resourceVersion our write produced.
        var present: [String: String] = [:]
        var deleted: Set<String> = []
    }

    private var byService: [String: Written] = [:]

    mutating func record(service: String, written: [EndpointSlice], deleted: [String]) {
        var entry = Written()
        for slice in written {
            if let name = slice.metadata?.name, let rv = slice.metadata?.resourceVersion { entry.present[name] = rv }
        }
        entry.deleted = Set(deleted)
        byService[service] = entry.present.isEmpty && entry.deleted.isEmpty ? nil : entry
    }

    mutating func forget(service: String) { byService[service] = nil }

    /// Whether `cached` (the informer's slices of the Service) already reflects our last
    /// writes; clears the expectation once it does.
    mutating func isSatisfied(service: String, cached: [EndpointSlice]) -> Bool {
        guard let entry = byService[service] else { return true }
        var versions: [String: String] = [:]
        for slice in cached {
            if let name = slice.metadata?.name { versions[name] = slice.metadata?.resourceVersion ?? "" }
        }
        for (name, rv) in entry.present {
            guard let seen = versions[name], Self.isAtLeast(seen, rv) else { return false }
        }
        if entry.deleted.contains(where: { versions[$0] != nil }) { return false }
        byService[service] = nil
        return true
    }

    /// resourceVersions are opaque to clients in general, but this server's (and etcd's) are
    /// increasing integers: a later write of the slice by anyone also satisfies the wait.
    private static func isAtLeast(_ seen: String, _ expected: String) -> Bool {
        if let a = UInt64(seen), let b = UInt64(expected) { return a >= b }
        return seen == expected
    }
}
