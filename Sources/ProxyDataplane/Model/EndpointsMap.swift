import Netlink

/// Every service port's merged endpoints, grouped by service like ServicePortMap so that one
/// service's slices changing replaces one entry. Keyed by ServicePortName whether or not the
/// Service exists: slices may arrive before their service, and the dataplane joins the two.
///
/// Keep a single owner; a copy held across an `apply` costs a copy of the outer dictionary.
public struct EndpointsMap: Sendable, Equatable {
    private var byService: [ServiceName: PortTable<[EndpointInfo]>] = [:]
    /// Number of endpoints over all service ports, kept up to date for metrics.
    public private(set) var endpointCount = 0

    public init() {}

    /// The endpoints of a service port, sorted by address and port; empty when it has none.
    public subscript(name: ServicePortName) -> [EndpointInfo] { byService[name.service]?[name] ?? [] }

    /// All endpoints of one service, by port.
    public func endpoints(of service: ServiceName) -> PortTable<[EndpointInfo]> { byService[service] ?? [:] }

    public var serviceNames: Dictionary<ServiceName, PortTable<[EndpointInfo]>>.Keys { byService.keys }

    /// Replaces one service's endpoints, returning the previous ones.
    @discardableResult
    mutating func replaceEndpoints(of service: ServiceName,
                                   with ports: PortTable<[EndpointInfo]>) -> PortTable<[EndpointInfo]> {
        let old = ports.isEmpty ? byService.removeValue(forKey: service) : byService.updateValue(ports, forKey: service)
        endpointCount += ports.values.reduce(0) { $0 + $1.count } - (old?.values.reduce(0) { $0 + $1.count } ?? 0)
        return old ?? [:]
    }

    /// Number of distinct ready local endpoint addresses per service, what the health server
    /// reports for `externalTrafficPolicy: Local` (upstream's LocalReadyEndpoints: counted by
    /// IP, so one pod serving two ports counts once; terminating ones do not count, so the
    /// load balancer drains the node). O(endpoints): call when endpoints changed.
    public func localReadyEndpoints() -> [ServiceName: Int] {
        var out: [ServiceName: Int] = [:]
        for (service, ports) in byService {
            var ips = Set<IPAddress>()
            for endpoints in ports.values {
                for e in endpoints where e.isLocal && e.ready { ips.insert(e.address) }
            }
            if !ips.isEmpty { out[service] = ips.count }
        }
        return out
    }
}
