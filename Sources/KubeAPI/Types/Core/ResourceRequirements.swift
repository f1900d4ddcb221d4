/// core/v1 ResourceRequirements: requests and limits of a container (or, in v1.32 alpha, a pod).
public struct ResourceRequirements: Codable, Sendable, Hashable {
    public var limits: ResourceList?
    public var requests: ResourceList?
    public var claims: [ResourceClaim]?

    public init(limits: ResourceList? = nil, requests: ResourceList? = nil, claims: [ResourceClaim]? = nil) {
        self.limits = limits
        self.requests = requests
        self.claims = claims
    }
}

/// core/v1 ResourceClaim: a use of one of the pod's `resourceClaims`, optionally one request of it.
public struct ResourceClaim: Codable, Sendable, Hashable {
    public var name: String?
    public var request: String?

    public init(name: String? = nil, request: String? = nil) {
        self.name = name
        self.request = request
    }
}
