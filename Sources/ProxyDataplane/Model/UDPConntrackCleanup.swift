import Netlink

/// UDP conntrack entries one service frontend must lose. UDP has no connection end, so an
/// entry DNATed to an endpoint that stopped serving keeps sending a client's packets (every
/// DNS query from the same source port) into the void until it times out. Upstream's
/// conntrack.CleanStaleEntries rule, which this follows: for a UDP service port that has
/// serving endpoints, an entry to one of its frontends whose reply source (the endpoint it was
/// DNATed to) is not a serving endpoint is stale. A port with no serving endpoint is left
/// alone (its new connections are rejected anyway; its entries are cleaned once it has one).
public struct UDPConntrackCleanup: Sendable, Hashable, CustomStringConvertible {
    public var servicePort: ServicePortName
    public var frontend: ConntrackFrontend
    /// The serving endpoints of the frontend's family: entries to `frontend` replying from any
    /// other address are stale. Never empty.
    public var servingEndpoints: Set<IPAddress>
    /// Endpoints known to have served this port before and not any more: entries to
    /// `frontend` from these can be deleted by exact filter, without a dump.
    public var stoppedServing: Set<IPAddress>
    /// True when stale entries may exist that were not DNATed to a known endpoint (the
    /// frontend is new, or the port just got its first serving endpoint so entries created
    /// while it had none were never DNATed): then only a dump filtered by `isStale` finds them.
    public var requiresScan: Bool

    public init(servicePort: ServicePortName, frontend: ConntrackFrontend, servingEndpoints: Set<IPAddress>,
                stoppedServing: Set<IPAddress>, requiresScan: Bool) {
        self.servicePort = servicePort
        self.frontend = frontend
        self.servingEndpoints = servingEndpoints
        self.stoppedServing = stoppedServing
        self.requiresScan = requiresScan
    }

    /// Whether an entry to this frontend whose reply comes from `replySource` must go.
    public func isStale(replySource: IPAddress) -> Bool { !servingEndpoints.contains(replySource) }

    public var description: String {
        let stopped = stoppedServing.sorted().map(\.description).joined(separator: ",")
        return "udp \(frontend) of \(servicePort): keep \(servingEndpoints.count) serving, stopped [\(stopped)]"
            + (requiresScan ? ", scan" : "")
    }
}
