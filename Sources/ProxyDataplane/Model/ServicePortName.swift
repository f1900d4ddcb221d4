/// One port of one Service: namespace/name, the port's name ("" when unnamed) and protocol.
/// This is the key for both the service's rules and its endpoints: EndpointSlice ports are
/// matched to service ports by name and protocol, never by number, because a named target
/// port can resolve to different numbers on different pods.
public struct ServicePortName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var service: ServiceName
    /// The ServicePort's `name`; "" when the service has a single unnamed port.
    public var port: String
    public var `protocol`: TransportProtocol

    public init(service: ServiceName, port: String, protocol: TransportProtocol) {
        self.service = service
        self.port = port
        self.protocol = `protocol`
    }

    public init(namespace: String, name: String, port: String, protocol: TransportProtocol) {
        self.init(service: ServiceName(namespace: namespace, name: name), port: port, protocol: `protocol`)
    }

    public static func < (lhs: ServicePortName, rhs: ServicePortName) -> Bool {
        if lhs.service != rhs.service { return lhs.service < rhs.service }
        if lhs.port != rhs.port { return lhs.port < rhs.port }
        return lhs.protocol < rhs.protocol
    }

    /// `namespace/name:port/PROTOCOL` (the port part omitted when unnamed), for logs and metrics.
    public var description: String {
        port.isEmpty ? "\(service)/\(`protocol`)" : "\(service):\(port)/\(`protocol`)"
    }
}
