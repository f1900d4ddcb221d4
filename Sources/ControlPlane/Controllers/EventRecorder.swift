import Foundation
import KubeAPI

/// Writes core/v1 Events about objects (what `kubectl describe` lists under Events), as
/// controllers and the scheduler report what they did. Best effort: an Event that cannot be
/// written is dropped, never retried at the cost of the work it describes.
struct EventRecorder: Sendable {
    let client: KubeClient
    /// The `source.component` and reporting controller (`default-scheduler`, `replicaset-controller`).
    let component: String

    func record(_ object: ObjectReference, type: String, reason: String, message: String) async {
        let namespace = object.namespace ?? "default"
        let now = ObjectMetaRules.timestamp()
        // Upstream names Events `<object>.<hex nanoseconds>`.
        let suffix = String(UInt64(Date().timeIntervalSince1970 * 1e9), radix: 16)
        let event = Event(
            metadata: ObjectMeta(name: "\(object.name ?? "").\(suffix)", namespace: namespace),
            involvedObject: object, reason: reason, message: message, source: EventSource(component: component),
            firstTimestamp: now, lastTimestamp: now, count: 1, type: type,
            reportingComponent: component, reportingInstance: component)
        // The created Event is not read: skip decoding the managedFields the server adds.
        _ = try? await ObjectMeta.$decodesManagedFields.withValue(false) { try await client.create(event, namespace: namespace) }
    }
}

extension ObjectReference {
    /// A reference to `object` for an Event.
    init<T: KubeObject>(to object: T) {
        self.init(kind: T.gvk.kind, namespace: object.metadata?.namespace, name: object.metadata?.name,
                  uid: object.metadata?.uid, apiVersion: T.gvk.apiVersion, resourceVersion: object.metadata?.resourceVersion)
    }
}
