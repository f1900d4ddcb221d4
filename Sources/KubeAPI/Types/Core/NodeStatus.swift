/// core/v1 NodeStatus.
public struct NodeStatus: Codable, Sendable, Hashable {
    public var capacity: ResourceList?
    public var allocatable: ResourceList?
    /// Deprecated, unset by current kubelets.
    public var phase: String?
    public var conditions: [NodeCondition]?
    public var addresses: [NodeAddress]?
    public var daemonEndpoints: NodeDaemonEndpoints?
    public var nodeInfo: NodeSystemInfo?
    public var images: [ContainerImage]?
    public var volumesInUse: [String]?
    public var volumesAttached: [AttachedVolume]?
    public var config: NodeConfigStatus?
    public var runtimeHandlers: [NodeRuntimeHandler]?
    public var features: NodeFeatures?

    public init(
        capacity: ResourceList? = nil,
        allocatable: ResourceList? = nil,
        phase: String? = nil,
        conditions: [NodeCondition]? = nil,
        addresses: [NodeAddress]? = nil,
        daemonEndpoints: NodeDaemonEndpoints? = nil,
        nodeInfo: NodeSystemInfo? = nil,
        images: [ContainerImage]? = nil,
        volumesInUse: [String]? = nil,
        volumesAttached: [AttachedVolume]? = nil,
        config: NodeConfigStatus? = nil,
        runtimeHandlers: [NodeRuntimeHandler]? = nil,
        features: NodeFeatures? = nil
    ) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.phase = phase
        self.conditions = conditions
        self.addresses = addresses
        self.daemonEndpoints = daemonEndpoints
        self.nodeInfo = nodeInfo
        self.images = images
        self.volumesInUse = volumesInUse
        self.volumesAttached = volumesAttached
        self.config = config
        self.runtimeHandlers = runtimeHandlers
        self.features = features
    }
}

/// core/v1 NodeCondition: Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable.
public struct NodeCondition: Codable, Sendable, Hashable {
    public var type: String?
    public var status: String?
    public var lastHeartbeatTime: Time?
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil,
        status: String? = nil,
        lastHeartbeatTime: Time? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastHeartbeatTime = lastHeartbeatTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// core/v1 NodeAddress: `type` Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.
public struct NodeAddress: Codable, Sendable, Hashable {
    public var type: String?
    public var address: String?

    public init(type: String? = nil, address: String? = nil) {
        self.type = type
        self.address = address
    }
}

/// core/v1 NodeDaemonEndpoints.
public struct NodeDaemonEndpoints: Codable, Sendable, Hashable {
    public var kubeletEndpoint: DaemonEndpoint?

    public init(kubeletEndpoint: DaemonEndpoint? = nil) {
        self.kubeletEndpoint = kubeletEndpoint
    }
}

/// core/v1 DaemonEndpoint.
public struct DaemonEndpoint: Codable, Sendable, Hashable {
    /// Capitalised on the wire too (`{"Port": 10250}`), a historical upstream quirk.
    public var Port: Int32?

    public init(Port: Int32? = nil) {
        self.Port = Port
    }
}

/// core/v1 NodeSystemInfo: what the kubelet reports about its host.
public struct NodeSystemInfo: Codable, Sendable, Hashable {
    public var machineID: String?
    public var systemUUID: String?
    public var bootID: String?
    public var kernelVersion: String?
    public var osImage: String?
    public var containerRuntimeVersion: String?
    public var kubeletVersion: String?
    /// Deprecated upstream, may be empty.
    public var kubeProxyVersion: String?
    public var operatingSystem: String?
    public var architecture: String?
    public var swap: NodeSwapStatus?

    public init(
        machineID: String? = nil,
        systemUUID: String? = nil,
        bootID: String? = nil,
        kernelVersion: String? = nil,
        osImage: String? = nil,
        containerRuntimeVersion: String? = nil,
        kubeletVersion: String? = nil,
        kubeProxyVersion: String? = nil,
        operatingSystem: String? = nil,
        architecture: String? = nil,
        swap: NodeSwapStatus? = nil
    ) {
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.containerRuntimeVersion = containerRuntimeVersion
        self.kubeletVersion = kubeletVersion
        self.kubeProxyVersion = kubeProxyVersion
        self.operatingSystem = operatingSystem
        self.architecture = architecture
        self.swap = swap
    }
}

/// core/v1 NodeSwapStatus.
public struct NodeSwapStatus: Codable, Sendable, Hashable {
    /// Bytes.
    public var capacity: Int64?

    public init(capacity: Int64? = nil) {
        self.capacity = capacity
    }
}

/// core/v1 ContainerImage: an image present on the node.
public struct ContainerImage: Codable, Sendable, Hashable {
    public var names: [String]?
    public var sizeBytes: Int64?

    public init(names: [String]? = nil, sizeBytes: Int64? = nil) {
        self.names = names
        self.sizeBytes = sizeBytes
    }
}

/// core/v1 AttachedVolume.
public struct AttachedVolume: Codable, Sendable, Hashable {
    public var name: String?
    public var devicePath: String?

    public init(name: String? = nil, devicePath: String? = nil) {
        self.name = name
        self.devicePath = devicePath
    }
}

/// core/v1 NodeConfigStatus (dynamic kubelet config, kept for the schema).
public struct NodeConfigStatus: Codable, Sendable, Hashable {
    public var assigned: NodeConfigSource?
    public var active: NodeConfigSource?
    public var lastKnownGood: NodeConfigSource?
    public var error: String?

    public init(
        assigned: NodeConfigSource? = nil,
        active: NodeConfigSource? = nil,
        lastKnownGood: NodeConfigSource? = nil,
        error: String? = nil
    ) {
        self.assigned = assigned
        self.active = active
        self.lastKnownGood = lastKnownGood
        self.error = error
    }
}

/// core/v1 NodeRuntimeHandler: a runtime handler (RuntimeClass target) and its features; "" is the default one.
public struct NodeRuntimeHandler: Codable, Sendable, Hashable {
    public var name: String?
    public var features: NodeRuntimeHandlerFeatures?

    public init(name: String? = nil, features: NodeRuntimeHandlerFeatures? = nil) {
        self.name = name
        self.features = features
    }
}

/// core/v1 NodeRuntimeHandlerFeatures.
public struct NodeRuntimeHandlerFeatures: Codable, Sendable, Hashable {
    public var recursiveReadOnlyMounts: Bool?
    public var userNamespaces: Bool?

    public init(recursiveReadOnlyMounts: Bool? = nil, userNamespaces: Bool? = nil) {
        self.recursiveReadOnlyMounts = recursiveReadOnlyMounts
        self.userNamespaces = userNamespaces
    }
}

/// core/v1 NodeFeatures: features the node's kubelet supports.
public struct NodeFeatures: Codable, Sendable, Hashable {
    public var supplementalGroupsPolicy: Bool?

    public init(supplementalGroupsPolicy: Bool? = nil) {
        self.supplementalGroupsPolicy = supplementalGroupsPolicy
    }
}
