import Foundation

/// A view of a shared informer as another type: each object projected (a compact form, a
/// filter by labels or name — nil leaves it out), and changes in and out of the view turned
/// into adds and deletes. The view keeps no cache of its own: its handlers see the source's
/// events, mapped; starting it starts the shared source, stopping it only removes its
/// handlers, for the source belongs to whoever made it.
public final class ProjectedInformer<Source: KubeObject, Object: KubeObject>: ObjectEventSource {
    private let source: Informer<Source>
    private let project: @Sendable (Source) -> Object?
    private let registrations = ProtectedState([EventHandlerRegistration]())

    public init(_ source: Informer<Source>, project: @escaping @Sendable (Source) -> Object?) {
        self.source = source
        self.project = project
    }

    /// The usual projection: the source object's JSON decoded as `Object` (a compact type
    /// reads just its fields from it), kept when `include` says so.
    public convenience init(decoding source: Informer<Source>, transform: (@Sendable (Object) -> Object)? = nil,
                            include: @escaping @Sendable (Source) -> Bool = { _ in true }) {
        self.init(source) { object in
            guard include(object), let data = try? JSONEncoder().encode(object),
                  let projected = try? JSONDecoder().decode(Object.self, from: data) else { return nil }
            return transform.map { $0(projected) } ?? projected
        }
    }

    public func addEventHandlers(onAdd: (@Sendable (Object) async -> Void)?,
                                 onUpdate: (@Sendable (_ old: Object, _ new: Object) async -> Void)?,
                                 onDelete: (@Sendable (Object) async -> Void)?) -> EventHandlerRegistration {
        let project = self.project
        let registration = source.addEventHandler(
            onAdd: { object in
                if let projected = project(object) { await onAdd?(projected) }
            },
            onUpdate: { old, new in
                switch (project(old), project(new)) {
                case (nil, nil): break
                case (nil, let added?): await onAdd?(added)
                case (let removed?, nil): await onDelete?(removed)
                case (let before?, let after?): await onUpdate?(before, after)
                }
            },
            onDelete: { object in
                if let projected = project(object) { await onDelete?(projected) }
            })
        registrations.withLock { $0.append(registration) }
        return registration
    }

    public func removeEventHandler(_ registration: EventHandlerRegistration) {
        registrations.withLock { $0.removeAll { $0 == registration } }
        source.removeEventHandler(registration)
    }

    public func waitUntilHandled(_ registration: EventHandlerRegistration) async {
        await source.waitUntilHandled(registration)
    }

    public func start() {
        source.start()
    }

    public func waitForSync() async throws {
        try await source.waitForSync()
    }

    public func stop() async {
        for registration in registrations.withLock({ list in defer { list = [] }; return list }) {
            source.removeEventHandler(registration)
        }
    }
}
