/// core/v1 PersistentVolumeClaimTemplate: the PVC an ephemeral volume creates.
public struct PersistentVolumeClaimTemplate: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta?
    public var spec: PersistentVolumeClaimSpec?

    public init(metadata: ObjectMeta? = nil, spec: PersistentVolumeClaimSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// core/v1 PersistentVolumeClaimSpec.
public struct PersistentVolumeClaimSpec: Codable, Sendable, Hashable {
    /// ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.
    public var accessModes: [String]?
    public var selector: LabelSelector?
    public var resources: VolumeResourceRequirements?
    public var volumeName: String?
    public var storageClassName: String?
    /// Filesystem or Block.
    public var volumeMode: String?
    public var dataSource: TypedLocalObjectReference?
    public var dataSourceRef: TypedObjectReference?
    public var volumeAttributesClassName: String?

    public init(
        accessModes: [String]? = nil,
        selector: LabelSelector? = nil,
        resources: VolumeResourceRequirements? = nil,
        volumeName: String? = nil,
        storageClassName: String? = nil,
        volumeMode: String? = nil,
        dataSource: TypedLocalObjectReference? = nil,
        dataSourceRef: TypedObjectReference? = nil,
        volumeAttributesClassName: String? = nil
    ) {
        self.accessModes = accessModes
        self.selector = selector
        self.resources = resources
        self.volumeName = volumeName
        self.storageClassName = storageClassName
        self.volumeMode = volumeMode
        self.dataSource = dataSource
        self.dataSourceRef = dataSourceRef
        self.volumeAttributesClassName = volumeAttributesClassName
    }
}

/// core/v1 VolumeResourceRequirements.
public struct VolumeResourceRequirements: Codable, Sendable, Hashable {
    public var limits: ResourceList?
    public var requests: ResourceList?

    public init(limits: ResourceList? = nil, requests: ResourceList? = nil) {
        self.limits = limits
        self.requests = requests
    }
}
