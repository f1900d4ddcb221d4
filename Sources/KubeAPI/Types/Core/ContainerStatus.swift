/// core/v1 ContainerStatus.
public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String?
    public var state: ContainerState?
    public var lastState: ContainerState?
    public var ready: Bool?
    public var restartCount: Int32?
    public var image: String?
    public var imageID: String?
    /// `<runtime>://<id>`, e.g. `containerd://3f2a...`.
    public var containerID: String?
    public var started: Bool?
    public var allocatedResources: ResourceList?
    public var resources: ResourceRequirements?
    public var volumeMounts: [VolumeMountStatus]?
    public var user: ContainerUser?
    public var allocatedResourcesStatus: [ResourceStatus]?

    public init(
        name: String? = nil,
        state: ContainerState? = nil,
        lastState: ContainerState? = nil,
        ready: Bool? = nil,
        restartCount: Int32? = nil,
        image: String? = nil,
        imageID: String? = nil,
        containerID: String? = nil,
        started: Bool? = nil,
        allocatedResources: ResourceList? = nil,
        resources: ResourceRequirements? = nil,
        volumeMounts: [VolumeMountStatus]? = nil,
        user: ContainerUser? = nil,
        allocatedResourcesStatus: [ResourceStatus]? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
        self.allocatedResources = allocatedResources
        self.resources = resources
        self.volumeMounts = volumeMounts
        self.user = user
        self.allocatedResourcesStatus = allocatedResourcesStatus
    }
}

/// core/v1 ContainerState: at most one member is set; none means Waiting.
public struct ContainerState: Codable, Sendable, Hashable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(
        waiting: ContainerStateWaiting? = nil,
        running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

/// core/v1 ContainerStateWaiting, e.g. reason `ContainerCreating`, `CrashLoopBackOff`, `ImagePullBackOff`.
public struct ContainerStateWaiting: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?

    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

/// core/v1 ContainerStateRunning.
public struct ContainerStateRunning: Codable, Sendable, Hashable {
    public var startedAt: Time?

    public init(startedAt: Time? = nil) {
        self.startedAt = startedAt
    }
}

/// core/v1 ContainerStateTerminated.
public struct ContainerStateTerminated: Codable, Sendable, Hashable {
    public var exitCode: Int32?
    public var signal: Int32?
    public var reason: String?
    public var message: String?
    public var startedAt: Time?
    public var finishedAt: Time?
    public var containerID: String?

    public init(
        exitCode: Int32? = nil,
        signal: Int32? = nil,
        reason: String? = nil,
        message: String? = nil,
        startedAt: Time? = nil,
        finishedAt: Time? = nil,
        containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}

/// core/v1 VolumeMountStatus: how a volume was actually mounted.
public struct VolumeMountStatus: Codable, Sendable, Hashable {
    public var name: String?
    public var mountPath: String?
    public var readOnly: Bool?
    public var recursiveReadOnly: String?

    public init(
        name: String? = nil,
        mountPath: String? = nil,
        readOnly: Bool? = nil,
        recursiveReadOnly: String? = nil
    ) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.recursiveReadOnly = recursiveReadOnly
    }
}

/// core/v1 ContainerUser: the identity the container's first process runs as.
public struct ContainerUser: Codable, Sendable, Hashable {
    public var linux: LinuxContainerUser?

    public init(linux: LinuxContainerUser? = nil) {
        self.linux = linux
    }
}

/// core/v1 LinuxContainerUser.
public struct LinuxContainerUser: Codable, Sendable, Hashable {
    public var uid: Int64?
    public var gid: Int64?
    public var supplementalGroups: [Int64]?

    public init(uid: Int64? = nil, gid: Int64? = nil, supplementalGroups: [Int64]? = nil) {
        self.uid = uid
        self.gid = gid
        self.supplementalGroups = supplementalGroups
    }
}

/// core/v1 ResourceStatus: health of the devices allocated for one resource name.
public struct ResourceStatus: Codable, Sendable, Hashable {
    public var name: String?
    public var resources: [ResourceHealth]?

    public init(name: String? = nil, resources: [ResourceHealth]? = nil) {
        self.name = name
        self.resources = resources
    }
}

/// core/v1 ResourceHealth: Healthy, Unhealthy or Unknown.
public struct ResourceHealth: Codable, Sendable, Hashable {
    public var resourceID: String?
    public var health: String?

    public init(resourceID: String? = nil, health: String? = nil) {
        self.resourceID = resourceID
        self.health = health
    }
}
