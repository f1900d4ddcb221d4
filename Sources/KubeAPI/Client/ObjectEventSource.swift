/// Identifies a set of event handlers on an informer, for `waitUntilHandled` and removal.
public struct EventHandlerRegistration: Hashable, Sendable {
    let id: Int

    init(id: Int) {
        self.id = id
    }
}

/// What a component that follows a resource by its events needs of where they come from:
/// an informer of its own (`skiff proxy`, `skiff dns` standalone), or a projection of one
/// that a whole node shares (`skiff agent`, where the proxy, DNS, overlay and Pods are fed
/// by one watch per resource).
public protocol ObjectEventSource<Object>: Sendable {
    associatedtype Object: KubeObject

    /// Handlers that share one ordered queue; one registered after the first list gets an
    /// add for every object already known.
    func addEventHandlers(onAdd: (@Sendable (Object) async -> Void)?,
                          onUpdate: (@Sendable (_ old: Object, _ new: Object) async -> Void)?,
                          onDelete: (@Sendable (Object) async -> Void)?) -> EventHandlerRegistration
    func removeEventHandler(_ registration: EventHandlerRegistration)
    /// Returns once the registration's handlers have handled every change queued so far.
    func waitUntilHandled(_ registration: EventHandlerRegistration) async
    /// Starts listing and watching, if not already started. Idempotent.
    func start()
    /// Returns once the first list is in.
    func waitForSync() async throws
    /// Ends what this source's user started: its own informer, or its handlers on a shared one.
    func stop() async
}
