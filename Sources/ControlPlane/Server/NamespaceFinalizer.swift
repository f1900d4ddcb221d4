import Foundation
import KubeAPI

/// What upstream's namespace controller does for the `kubernetes` finalizer: a namespace
/// being deleted has its contents deleted through the normal delete path (so their own
/// finalizers and graceful Pod deletion apply), and once nothing is left the namespace goes.
/// It works from the stored state, so a deletion interrupted by a restart simply resumes.
struct NamespaceFinalizer: Sendable {
    let store: any Store
    let registry: ResourceRegistry
    let handler: ResourceHandler
    var interval: Duration = .seconds(1)

    func run() async throws {
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            try? await sweep()
        }
    }

    /// One pass over every terminating namespace.
    func sweep() async throws {
        guard let namespaces = registry.lookup(kind: "Namespace") else { return }
        let page = try await store.list(prefix: namespaces.prefix(namespace: nil), startAfter: nil, limit: 0, revision: nil)
        for item in page.items {
            let ns = try JSONParser.parse(item.value, projection: JSONProjection(paths: [["metadata"]]))
            guard ns[path: ["metadata", "deletionTimestamp"]] != nil,
                  let name = ns[path: ["metadata", "name"]]?.stringValue else { continue }
            if try await deleteContents(of: name) == 0 {
                try await remove(namespace: name, def: namespaces)
            }
        }
    }

    /// Deletes what is in the namespace; returns how many objects are still there.
    private func deleteContents(of namespace: String) async throws -> Int {
        var remaining = 0
        for def in registry.definitions where def.namespaced {
            let page = try await store.list(prefix: def.prefix(namespace: namespace), startAfter: nil, limit: 0, revision: nil)
            for item in page.items {
                remaining += 1
                let object = try JSONParser.parse(item.value, projection: JSONProjection(paths: [["metadata"]]))
                guard object[path: ["metadata", "deletionTimestamp"]] == nil,
                      let name = object[path: ["metadata", "name"]]?.stringValue else { continue }  // already going
                _ = try? await handler.deleteObject(def, namespace: namespace, name: name, options: DeleteOptionsInput(), dryRun: false)
            }
        }
        return remaining
    }

    private func remove(namespace name: String, def: ResourceDefinition) async throws {
        let key = def.key(namespace: nil, name: name)
        guard let stored = try await store.get(key), var namespace = try? JSONParser.parse(stored.value) else { return }
        namespace[path: ["spec", "finalizers"]] = []
        do {
            _ = try await store.delete(key, expectedRevision: stored.revision, value: namespace.stampedWithRevision())
        } catch StoreError.conflict, StoreError.notFound {
            // Changed meanwhile: the next pass looks again.
        }
    }
}
