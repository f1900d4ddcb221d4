/// core/v1 PodStatus.
public struct PodStatus: Codable, Sendable, Hashable {
    /// Pending, Running, Succeeded, Failed or Unknown.
    public var phase: String?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var nominatedNodeName: String?
    public var hostIP: String?
    public var hostIPs: [HostIP]?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: Time?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    /// Guaranteed, Burstable or BestEffort.
    public var qosClass: String?
    public var ephemeralContainerStatuses: [ContainerStatus]?
    /// Proposed, InProgress, Deferred or Infeasible.
    public var resize: String?
    public var resourceClaimStatuses: [PodResourceClaimStatus]?

    public init(
        phase: String? = nil,
        conditions: [PodCondition]? = nil,
        message: String? = nil,
        reason: String? = nil,
        nominatedNodeName: String? = nil,
        hostIP: String? = nil,
        hostIPs: [HostIP]? = nil,
        podIP: String? = nil,
        podIPs: [PodIP]? = nil,
        startTime: Time? = nil,
        initContainerStatuses: [ContainerStatus]? = nil,
        containerStatuses: [ContainerStatus]? = nil,
        qosClass: String? = nil,
        ephemeralContainerStatuses: [ContainerStatus]? = nil,
        resize: String? = nil,
        resourceClaimStatuses: [PodResourceClaimStatus]? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.message = message
        self.reason = reason
        self.nominatedNodeName = nominatedNodeName
        self.hostIP = hostIP
        self.hostIPs = hostIPs
        self.podIP = podIP
        self.podIPs = podIPs
        self.startTime = startTime
        self.initContainerStatuses = initContainerStatuses
        self.containerStatuses = containerStatuses
        self.qosClass = qosClass
        self.ephemeralContainerStatuses = ephemeralContainerStatuses
        self.resize = resize
        self.resourceClaimStatuses = resourceClaimStatuses
    }
}

/// core/v1 PodCondition: PodScheduled, Initialized, ContainersReady, Ready, PodReadyToStartContainers, ...
public struct PodCondition: Codable, Sendable, Hashable {
    public var type: String?
    public var status: String?
    public var lastProbeTime: Time?
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil,
        status: String? = nil,
        lastProbeTime: Time? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// core/v1 PodIP: one of the pod's addresses (one per IP family).
public struct PodIP: Codable, Sendable, Hashable {
    public var ip: String?

    public init(ip: String? = nil) {
        self.ip = ip
    }
}

/// core/v1 HostIP: one of the node's addresses, as seen by the pod.
public struct HostIP: Codable, Sendable, Hashable {
    public var ip: String?

    public init(ip: String? = nil) {
        self.ip = ip
    }
}

/// core/v1 PodResourceClaimStatus: which ResourceClaim was created for a template claim.
public struct PodResourceClaimStatus: Codable, Sendable, Hashable {
    public var name: String?
    public var resourceClaimName: String?

    public init(name: String? = nil, resourceClaimName: String? = nil) {
        self.name = name
        self.resourceClaimName = resourceClaimName
    }
}
