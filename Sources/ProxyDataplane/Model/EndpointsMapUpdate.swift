/// What one `EndpointSliceChangeTracker.apply` changed, per service port.
public struct EndpointsMapUpdate: Sendable, Equatable {
    /// Services whose merged endpoints changed (upstream's UpdatedServices, minus services
    /// whose slices changed in ways that merged to the same endpoints).
    public var changedServices: Set<ServiceName> = []
    /// Every service port whose endpoints changed, with its endpoints before the apply
    /// (empty when it had none). The current ones are in the map.
    public var previous: [ServicePortName: [EndpointInfo]] = [:]

    public init() {}

    public var changedPorts: Set<ServicePortName> { Set(previous.keys) }
    public var isEmpty: Bool { previous.isEmpty }
}
