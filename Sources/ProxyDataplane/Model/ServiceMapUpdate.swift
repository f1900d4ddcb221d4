/// What one `ServiceChangeTracker.apply` changed: enough for a partial sync (which ports'
/// rules to rewrite, what they were before, so stale elements can be deleted) without
/// comparing the whole map.
public struct ServiceMapUpdate: Sendable, Equatable {
    /// Services any of whose ports were added, removed or changed (upstream's UpdatedServices).
    public var changedServices: Set<ServiceName> = []
    /// Every changed port with its state before the apply: nil for a port that is new.
    /// A port absent from the map afterwards was removed.
    public var previous: [ServicePortName: ServicePortInfo?] = [:]
    /// The current skips of every service applied in this round (for logging; the tracker's
    /// `skipped` holds all current ones).
    public var skips: [ServiceSkip] = []

    public init() {}

    /// The ports whose rules must change.
    public var changedPorts: Set<ServicePortName> { Set(previous.keys) }
    /// The ports that did not exist before.
    public var addedPorts: Set<ServicePortName> { Set(previous.lazy.filter { $0.value == nil }.map(\.key)) }
    public var isEmpty: Bool { previous.isEmpty }
}
