/// Everything one `ProxyModel.apply` changed: what a partial sync reprograms and what
/// conntrack clean-up follows it.
public struct ProxyModelUpdate: Sendable, Equatable {
    public var services: ServiceMapUpdate
    public var endpoints: EndpointsMapUpdate
    /// Service ports whose rules must change: their service port changed, or their endpoints
    /// did and the port exists (before or after). Endpoint changes of ports no service
    /// declares program nothing and are not listed.
    public var changedServicePorts: Set<ServicePortName>
    /// Services with any change (upstream's UpdatedServices of both trackers, for
    /// per-service partial syncs).
    public var changedServices: Set<ServiceName>
    /// UDP conntrack entries to delete once the new rules are in place.
    public var udpConntrackCleanups: [UDPConntrackCleanup]
    /// UDP frontends that no longer exist (service or port or address removed). Upstream's
    /// current clean-up leaves their entries to time out; earlier kube-proxy flushed deleted
    /// cluster IPs. Listed so the dataplane can choose.
    public var removedUDPFrontends: [ConntrackFrontend]

    public init(services: ServiceMapUpdate = .init(), endpoints: EndpointsMapUpdate = .init(),
                changedServicePorts: Set<ServicePortName> = [], changedServices: Set<ServiceName> = [],
                udpConntrackCleanups: [UDPConntrackCleanup] = [], removedUDPFrontends: [ConntrackFrontend] = []) {
        self.services = services
        self.endpoints = endpoints
        self.changedServicePorts = changedServicePorts
        self.changedServices = changedServices
        self.udpConntrackCleanups = udpConntrackCleanups
        self.removedUDPFrontends = removedUDPFrontends
    }

    public var isEmpty: Bool { changedServicePorts.isEmpty && udpConntrackCleanups.isEmpty && removedUDPFrontends.isEmpty }
}
