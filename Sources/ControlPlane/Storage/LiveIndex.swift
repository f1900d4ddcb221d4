/// The current version of every live key, in memory and in key order: what kube-apiserver's
/// watch cache gives it. Current-state reads (get, list, a watch's initial state) are served
/// from here without touching SQLite; only reads at an older revision go to the log.
/// Stored bytes are shared (copy-on-write arrays), so a list copies references, not objects.
struct LiveIndex {
    private var objects: [String: StoredObject] = [:]
    /// Kept sorted so a prefix is a contiguous range found by binary search.
    private var keys: [String] = []

    var count: Int { objects.count }

    subscript(key: String) -> StoredObject? { objects[key] }

    mutating func put(_ object: StoredObject) {
        if objects.updateValue(object, forKey: object.key) == nil {
            keys.insert(object.key, at: lowerBound(object.key))
        }
    }

    mutating func remove(_ key: String) {
        guard objects.removeValue(forKey: key) != nil else { return }
        let i = lowerBound(key)
        if i < keys.count, keys[i] == key { keys.remove(at: i) }
    }

    /// Objects with keys in [low, high) and after `after`, at most `limit` + 1 of them
    /// (the extra one tells the caller more remain), plus how many remain past `limit`.
    func range(low: String, after: String, high: String, limit: Int) -> (items: [StoredObject], remaining: Int) {
        var start = lowerBound(max(low, after))
        if start < keys.count, keys[start] == after { start += 1 }
        let end = lowerBound(high)
        guard start < end else { return ([], 0) }
        let take = limit > 0 ? min(end - start, limit + 1) : end - start
        var items: [StoredObject] = []
        items.reserveCapacity(take)
        for i in start..<(start + take) { items.append(objects[keys[i]]!) }
        let remaining = limit > 0 ? max(0, end - start - limit) : 0
        return (items, remaining)
    }

    private func lowerBound(_ key: String) -> Int {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
