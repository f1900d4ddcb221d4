import Netlink

/// What DNS keeps of a Service: a few fields, not the object (the informer's cache has that).
public struct ServiceFacts: Sendable, Hashable {
    public var isHeadless: Bool
    public var isExternalName: Bool
    public var externalName: String?
    public var clusterIPs: [IPAddress]
    public var ports: [DNSService.Port]
    public var publishesNotReadyAddresses: Bool

    public init(_ service: DNSService) {
        isHeadless = service.isHeadless
        isExternalName = service.isExternalName
        externalName = service.spec?.externalName
        clusterIPs = service.isHeadless || service.isExternalName ? [] : service.clusterIPAddresses
        ports = service.spec?.ports ?? []
        publishesNotReadyAddresses = service.publishesNotReadyAddresses
    }
}

/// What DNS keeps of an EndpointSlice: its name, ports and endpoints (the endpoints array is
/// the cached object's own buffer, shared, not copied).
public struct SliceFacts: Sendable {
    public var name: String
    public var ports: [DNSEndpointSlice.Port]
    public var endpoints: PackedEndpoints

    public init(name: String, _ slice: DNSEndpointSlice) {
        self.name = name
        ports = slice.ports ?? []
        endpoints = slice.packedEndpoints ?? PackedEndpoints()
    }
}

/// One Service as queries see it, computed once per change of the Service or its slices (not
/// per query): the cluster IPs, the endpoints that count (ready ones, all of them with
/// publishNotReadyAddresses; headless Services only), each with its DNS hostname, and the named
/// ports. A class, so a query takes it out of `ClusterRecords` with one retain.
public final class ServiceView: Sendable {
    public let key: ClusterRecords.ServiceKey
    public let facts: ServiceFacts
    public var clusterIPs: [IPAddress] { facts.clusterIPs }
    public let readyEndpoints: [ReadyEndpoint]
    public let namedPorts: [NamedPort]
    /// The slices' named ports (the endpoints' port numbers, which headless SRV records carry).
    public let endpointPorts: [NamedPort]

    public struct ReadyEndpoint: Sendable, Hashable {
        public var ip: IPAddress
        /// The endpoint's hostname, else its address with dashes (the "system-assigned
        /// identifier" of spec 2.1, as CoreDNS spells it).
        public var hostname: String
    }

    public struct NamedPort: Sendable, Hashable {
        public var name: String
        public var proto: String
        public var port: UInt16

        init?(_ name: String?, _ proto: String?, _ number: Int32?) {
            guard let name, !name.isEmpty, let number, let value = UInt16(exactly: number) else { return nil }
            self.name = name.lowercased()
            self.proto = (proto ?? "TCP").lowercased()
            port = value
        }
    }

    init(key: ClusterRecords.ServiceKey, facts: ServiceFacts, slices: [SliceFacts]) {
        self.key = key
        self.facts = facts
        readyEndpoints = facts.isHeadless ? Self.endpoints(facts, slices) : []
        var fromSlices: [NamedPort] = []
        if facts.isHeadless {
            for port in slices.flatMap(\.ports).compactMap({ NamedPort($0.name, $0.protocol, $0.port) })
            where !fromSlices.contains(where: { $0.name == port.name && $0.proto == port.proto }) {
                fromSlices.append(port)
            }
        }
        endpointPorts = fromSlices
        let own = facts.ports.compactMap { NamedPort($0.name, $0.protocol, $0.port) }
        // A headless Service without ports of its own takes the slices'.
        namedPorts = own.isEmpty && facts.isHeadless ? fromSlices : own
    }

    /// Ready endpoints (all of them with publishNotReadyAddresses), each address once.
    static func endpoints(_ facts: ServiceFacts, _ slices: [SliceFacts]) -> [ReadyEndpoint] {
        let all = facts.publishesNotReadyAddresses
        var seen = Set<IPAddress>()
        var out: [ReadyEndpoint] = []
        for slice in slices {
            for endpoint in slice.endpoints where all || endpoint.conditions?.ready != false {
                if let ip = endpoint.address, seen.insert(ip).inserted {
                    let hostname = endpoint.hostname?.lowercased()
                        ?? String(ip.description.map { $0 == "." || $0 == ":" ? "-" : $0 })
                    out.append(ReadyEndpoint(ip: ip, hostname: hostname))
                }
            }
        }
        return out
    }
}
