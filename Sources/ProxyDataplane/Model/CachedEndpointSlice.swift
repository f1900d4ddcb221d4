import KubeAPI
import Netlink

/// The part of an EndpointSlice the proxy uses, validated and normalised (ports and endpoints
/// sorted) so that two versions of a slice compare equal exactly when they would program the
/// same thing: an update that only bumps resourceVersion or touches hostnames, targetRefs or
/// annotations is dropped before it costs a sync. Small on purpose: one is kept per slice.
struct CachedEndpointSlice: Sendable, Hashable {
    struct Port: Sendable, Hashable, Comparable {
        var name: String
        var `protocol`: TransportProtocol
        var number: UInt16

        static func < (lhs: Port, rhs: Port) -> Bool {
            if lhs.name != rhs.name { return lhs.name < rhs.name }
            if lhs.protocol != rhs.protocol { return lhs.protocol < rhs.protocol }
            return lhs.number < rhs.number
        }
    }

    struct Endpoint: Sendable, Hashable {
        var address: IPAddress
        var ready: Bool
        var serving: Bool
        var terminating: Bool
        var nodeName: String?
        var zone: String?
        var zoneHints: Set<String>
    }

    var ports: [Port]
    var endpoints: [Endpoint]
    var problems: [EndpointSliceProblem]

    /// Builds the cached form of a slice whose addresses are of `family` (from its addressType).
    init(_ slice: ProxyEndpointSlice, family: IPFamily) {
        var problems: [EndpointSliceProblem] = []
        var ports: [Port] = []
        for port in slice.ports ?? [] {
            // A nil name is the API default "" (the API server defaults it on write).
            let name = port.name ?? ""
            guard let proto = TransportProtocol(apiValue: port.protocol) else {
                problems.append(.unsupportedProtocol(port.protocol ?? "")); continue
            }
            guard let number = port.port, number >= 1, number <= 65535 else {
                problems.append(.invalidPort(name: name, port: port.port)); continue
            }
            ports.append(Port(name: name, protocol: proto, number: UInt16(number)))
        }
        ports.sort()

        var endpoints: [Endpoint] = []
        for endpoint in slice.endpoints ?? [] {
            // Upstream uses the first address only; the API allows exactly one today.
            guard let text = endpoint.address else { problems.append(.missingAddress); continue }
            guard let address = IPAddress(text) else { problems.append(.invalidAddress(text)); continue }
            guard address.family == family else { problems.append(.addressFamilyMismatch(text)); continue }
            let conditions = endpoint.conditions
            let ready = conditions?.ready ?? true
            endpoints.append(Endpoint(
                address: address,
                ready: ready,
                serving: conditions?.serving ?? ready,
                terminating: conditions?.terminating ?? false,
                nodeName: endpoint.nodeName,
                zone: endpoint.zone,
                zoneHints: Set(endpoint.zoneHints ?? [])))
        }
        // Stable order so equality ignores how the controller ordered the list.
        endpoints.sort { a, b in
            if a.address != b.address { return a.address < b.address }
            return (a.nodeName ?? "", a.ready ? 1 : 0, a.serving ? 1 : 0) < (b.nodeName ?? "", b.ready ? 1 : 0, b.serving ? 1 : 0)
        }
        self.ports = ports
        self.endpoints = endpoints
        self.problems = problems
    }
}
