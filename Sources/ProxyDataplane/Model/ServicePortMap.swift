/// Every programmed service port, grouped by service. Grouping is what keeps updates O(change):
/// applying a change to one service replaces that service's entry without looking at the
/// others, and the previous ports of a service are found without a scan.
///
/// Keep a single owner (the proxy's sync loop). The map is a value: a copy held across an
/// `apply` makes that apply copy the outer dictionary, which costs O(services).
public struct ServicePortMap: Sendable, Equatable {
    private var byService: [ServiceName: PortTable<ServicePortInfo>] = [:]
    /// Number of service ports, kept up to date so metrics need no walk.
    public private(set) var count = 0

    public init() {}

    public subscript(name: ServicePortName) -> ServicePortInfo? { byService[name.service]?[name] }

    /// The ports of one service; empty when it has none programmed.
    public func ports(of service: ServiceName) -> PortTable<ServicePortInfo> { byService[service] ?? [:] }

    public var serviceCount: Int { byService.count }
    public var isEmpty: Bool { count == 0 }
    public var serviceNames: Dictionary<ServiceName, PortTable<ServicePortInfo>>.Keys { byService.keys }

    /// Every service port (for a full sync), without building an intermediate array.
    public var servicePorts: FlattenSequence<Dictionary<ServiceName, PortTable<ServicePortInfo>>.Values> {
        byService.values.joined()
    }

    /// Replaces one service's ports, returning the previous ones.
    @discardableResult
    mutating func replacePorts(of service: ServiceName,
                               with ports: PortTable<ServicePortInfo>) -> PortTable<ServicePortInfo> {
        let old = ports.isEmpty ? byService.removeValue(forKey: service) : byService.updateValue(ports, forKey: service)
        count += ports.count - (old?.count ?? 0)
        return old ?? [:]
    }

    /// Health-check node ports by service, for the health server (upstream's HealthCheckNodePorts).
    /// O(services): call it when the set may have changed, not per packet.
    public func healthCheckNodePorts() -> [ServiceName: UInt16] {
        var out: [ServiceName: UInt16] = [:]
        for (service, ports) in byService {
            if let port = ports.values.lazy.compactMap(\.healthCheckNodePort).first { out[service] = port }
        }
        return out
    }
}
