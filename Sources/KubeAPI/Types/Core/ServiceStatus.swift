/// core/v1 ServiceStatus.
public struct ServiceStatus: Codable, Sendable, Hashable {
    public var loadBalancer: LoadBalancerStatus?
    public var conditions: [Condition]?

    public init(loadBalancer: LoadBalancerStatus? = nil, conditions: [Condition]? = nil) {
        self.loadBalancer = loadBalancer
        self.conditions = conditions
    }
}

/// core/v1 LoadBalancerStatus.
public struct LoadBalancerStatus: Codable, Sendable, Hashable {
    public var ingress: [LoadBalancerIngress]?

    public init(ingress: [LoadBalancerIngress]? = nil) {
        self.ingress = ingress
    }
}

/// core/v1 LoadBalancerIngress: one address of the load balancer.
public struct LoadBalancerIngress: Codable, Sendable, Hashable {
    public var ip: String?
    public var hostname: String?
    /// VIP (traffic arrives with the LB IP as destination) or Proxy.
    public var ipMode: String?
    public var ports: [PortStatus]?

    public init(ip: String? = nil, hostname: String? = nil, ipMode: String? = nil, ports: [PortStatus]? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.ipMode = ipMode
        self.ports = ports
    }
}

/// core/v1 PortStatus.
public struct PortStatus: Codable, Sendable, Hashable {
    public var port: Int32?
    public var `protocol`: String?
    public var error: String?

    public init(port: Int32? = nil, `protocol`: String? = nil, error: String? = nil) {
        self.port = port
        self.protocol = `protocol`
        self.error = error
    }
}
