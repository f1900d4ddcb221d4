import Foundation
import KubeAPI

/// Deletes Events older than the event TTL (kube-apiserver's --event-ttl, 1 h by default).
/// Upstream attaches an etcd lease to every Event write; here an Event's age is taken from
/// the newest of its own timestamps, which its reporters refresh on every repeat.
struct EventExpiry: Sendable {
    let store: any Store
    let ttl: Duration

    private static let projection = JSONProjection(paths: [
        ["metadata", "creationTimestamp"], ["lastTimestamp"], ["eventTime"], ["series", "lastObservedTime"],
    ])

    /// One pass; returns how many Events it removed.
    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(ttl.components.seconds))
        let page = try await store.list(prefix: "/events/", startAfter: nil, limit: 0, revision: nil)
        var removed = 0
        for item in page.items {
            let event = try JSONParser.parse(item.value, projection: Self.projection)
            let stamps = [event[path: ["metadata", "creationTimestamp"]], event["lastTimestamp"], event["eventTime"],
                          event[path: ["series", "lastObservedTime"]]]
                .compactMap { $0?.stringValue }.compactMap(ObjectMetaRules.parseTimestamp)
            guard let newest = stamps.max(), newest < cutoff else { continue }
            do {
                let full = try JSONParser.parse(item.value)
                _ = try await store.delete(item.key, expectedRevision: item.revision, value: full.stampedWithRevision())
                removed += 1
            } catch StoreError.conflict, StoreError.notFound {
                continue  // written or removed meanwhile: not ours to delete now
            }
        }
        return removed
    }

    func run() async throws {
        let interval = Duration.seconds(max(1, min(60, ttl.components.seconds / 10)))
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            _ = try? await sweep()
        }
    }
}
