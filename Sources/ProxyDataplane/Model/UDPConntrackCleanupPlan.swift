import Netlink

/// The lookup a conntrack dump is filtered through, built from cleanups: answers, for one UDP
/// entry, whether it must be deleted, exactly as upstream's CleanStaleEntries does for each
/// entry (service IP:port check, then node port check). `full` builds it from the whole state
/// for a periodic full resync; `init(_:)` from one apply's cleanups.
public struct UDPConntrackCleanupPlan: Sendable, Equatable {
    private struct IPPort: Hashable, Sendable {
        var ip: IPAddress
        var port: UInt16
    }

    private struct FamilyPort: Hashable, Sendable {
        var family: IPFamily
        var port: UInt16
    }

    private var byServiceIP: [IPPort: Set<IPAddress>] = [:]
    private var byNodePort: [FamilyPort: Set<IPAddress>] = [:]

    public init(_ cleanups: some Sequence<UDPConntrackCleanup>) {
        for c in cleanups { add(c.frontend, serving: c.servingEndpoints) }
    }

    /// The plan for the whole state: every UDP service port with serving endpoints.
    /// O(service ports + endpoints); for full resyncs only.
    public static func full(services: ServicePortMap, endpoints: EndpointsMap, families: Set<IPFamily>) -> Self {
        var plan = UDPConntrackCleanupPlan([])
        for (name, info) in services.servicePorts where name.protocol == .udp {
            let eps = endpoints[name]
            for family in families {
                let serving = Set(eps.lazy.filter { $0.serving && $0.family == family }.map(\.address))
                if serving.isEmpty { continue }
                for frontend in info.conntrackFrontends(for: family) { plan.add(frontend, serving: serving) }
            }
        }
        return plan
    }

    public var isEmpty: Bool { byServiceIP.isEmpty && byNodePort.isEmpty }

    private mutating func add(_ frontend: ConntrackFrontend, serving: Set<IPAddress>) {
        switch frontend {
        case .serviceIP(let ip, let port): byServiceIP[IPPort(ip: ip, port: port), default: []].formUnion(serving)
        case .nodePort(let port, let family): byNodePort[FamilyPort(family: family, port: port), default: []].formUnion(serving)
        }
    }

    /// Whether a UDP entry with this original destination and reply source is stale.
    public func shouldDelete(originalDestination: IPAddress, originalDestinationPort: UInt16,
                             replySource: IPAddress) -> Bool {
        if let serving = byServiceIP[IPPort(ip: originalDestination, port: originalDestinationPort)],
           !serving.contains(replySource) {
            return true
        }
        if let serving = byNodePort[FamilyPort(family: originalDestination.family, port: originalDestinationPort)],
           !serving.contains(replySource) {
            return true
        }
        return false
    }
}
