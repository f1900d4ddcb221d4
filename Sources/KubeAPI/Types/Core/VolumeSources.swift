/// core/v1 HostPathVolumeSource: a file or directory of the node.
public struct HostPathVolumeSource: Codable, Sendable, Hashable {
    public var path: String?
    /// "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.
    public var type: String?

    public init(path: String? = nil, type: String? = nil) {
        self.path = path
        self.type = type
    }
}

/// core/v1 EmptyDirVolumeSource: scratch space that lives as long as the pod.
public struct EmptyDirVolumeSource: Codable, Sendable, Hashable {
    /// "" (node's disk), Memory (tmpfs) or HugePages[-<size>].
    public var medium: String?
    public var sizeLimit: Quantity?

    public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

/// core/v1 SecretVolumeSource: the keys of a Secret as files.
public struct SecretVolumeSource: Codable, Sendable, Hashable {
    public var secretName: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(
        secretName: String? = nil,
        items: [KeyToPath]? = nil,
        defaultMode: Int32? = nil,
        optional: Bool? = nil
    ) {
        self.secretName = secretName
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// core/v1 ConfigMapVolumeSource: the keys of a ConfigMap as files (LocalObjectReference inlined).
public struct ConfigMapVolumeSource: Codable, Sendable, Hashable {
    public var name: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(name: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// core/v1 KeyToPath: which file a ConfigMap or Secret key is written to.
public struct KeyToPath: Codable, Sendable, Hashable {
    public var key: String?
    public var path: String?
    public var mode: Int32?

    public init(key: String? = nil, path: String? = nil, mode: Int32? = nil) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

/// core/v1 DownwardAPIVolumeSource: pod fields and container resources as files.
public struct DownwardAPIVolumeSource: Codable, Sendable, Hashable {
    public var items: [DownwardAPIVolumeFile]?
    public var defaultMode: Int32?

    public init(items: [DownwardAPIVolumeFile]? = nil, defaultMode: Int32? = nil) {
        self.items = items
        self.defaultMode = defaultMode
    }
}

/// core/v1 DownwardAPIVolumeFile.
public struct DownwardAPIVolumeFile: Codable, Sendable, Hashable {
    public var path: String?
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int32?

    public init(
        path: String? = nil,
        fieldRef: ObjectFieldSelector? = nil,
        resourceFieldRef: ResourceFieldSelector? = nil,
        mode: Int32? = nil
    ) {
        self.path = path
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.mode = mode
    }
}

/// core/v1 PersistentVolumeClaimVolumeSource.
public struct PersistentVolumeClaimVolumeSource: Codable, Sendable, Hashable {
    public var claimName: String?
    public var readOnly: Bool?

    public init(claimName: String? = nil, readOnly: Bool? = nil) {
        self.claimName = claimName
        self.readOnly = readOnly
    }
}

/// core/v1 CSIVolumeSource: an inline ephemeral volume of a CSI driver.
public struct CSIVolumeSource: Codable, Sendable, Hashable {
    public var driver: String?
    public var readOnly: Bool?
    public var fsType: String?
    public var volumeAttributes: [String: String]?
    public var nodePublishSecretRef: LocalObjectReference?

    public init(
        driver: String? = nil,
        readOnly: Bool? = nil,
        fsType: String? = nil,
        volumeAttributes: [String: String]? = nil,
        nodePublishSecretRef: LocalObjectReference? = nil
    ) {
        self.driver = driver
        self.readOnly = readOnly
        self.fsType = fsType
        self.volumeAttributes = volumeAttributes
        self.nodePublishSecretRef = nodePublishSecretRef
    }
}

/// core/v1 EphemeralVolumeSource: a PVC created for the pod from a template and deleted with it.
public struct EphemeralVolumeSource: Codable, Sendable, Hashable {
    public var volumeClaimTemplate: PersistentVolumeClaimTemplate?

    public init(volumeClaimTemplate: PersistentVolumeClaimTemplate? = nil) {
        self.volumeClaimTemplate = volumeClaimTemplate
    }
}

/// core/v1 ImageVolumeSource: an OCI image or artifact mounted read-only (alpha in v1.32).
public struct ImageVolumeSource: Codable, Sendable, Hashable {
    public var reference: String?
    public var pullPolicy: String?

    public init(reference: String? = nil, pullPolicy: String? = nil) {
        self.reference = reference
        self.pullPolicy = pullPolicy
    }
}
