// Network and cloud volume types handled by in-tree plugins; most are deprecated or redirected to CSI drivers
// upstream, but they are still part of the v1.32 schema, so objects using them must round-trip.

/// core/v1 GCEPersistentDiskVolumeSource (deprecated upstream, redirected to the PD CSI driver).
public struct GCEPersistentDiskVolumeSource: Codable, Sendable, Hashable {
    public var pdName: String?
    public var fsType: String?
    public var partition: Int32?
    public var readOnly: Bool?

    public init(pdName: String? = nil, fsType: String? = nil, partition: Int32? = nil, readOnly: Bool? = nil) {
        self.pdName = pdName
        self.fsType = fsType
        self.partition = partition
        self.readOnly = readOnly
    }
}

/// core/v1 AWSElasticBlockStoreVolumeSource (deprecated upstream, redirected to the EBS CSI driver).
public struct AWSElasticBlockStoreVolumeSource: Codable, Sendable, Hashable {
    public var volumeID: String?
    public var fsType: String?
    public var partition: Int32?
    public var readOnly: Bool?

    public init(volumeID: String? = nil, fsType: String? = nil, partition: Int32? = nil, readOnly: Bool? = nil) {
        self.volumeID = volumeID
        self.fsType = fsType
        self.partition = partition
        self.readOnly = readOnly
    }
}

/// core/v1 GitRepoVolumeSource (deprecated upstream).
public struct GitRepoVolumeSource: Codable, Sendable, Hashable {
    public var repository: String?
    public var revision: String?
    public var directory: String?

    public init(repository: String? = nil, revision: String? = nil, directory: String? = nil) {
        self.repository = repository
        self.revision = revision
        self.directory = directory
    }
}

/// core/v1 NFSVolumeSource.
public struct NFSVolumeSource: Codable, Sendable, Hashable {
    public var server: String?
    public var path: String?
    public var readOnly: Bool?

    public init(server: String? = nil, path: String? = nil, readOnly: Bool? = nil) {
        self.server = server
        self.path = path
        self.readOnly = readOnly
    }
}

/// core/v1 ISCSIVolumeSource.
public struct ISCSIVolumeSource: Codable, Sendable, Hashable {
    public var targetPortal: String?
    public var iqn: String?
    public var lun: Int32?
    public var iscsiInterface: String?
    public var fsType: String?
    public var readOnly: Bool?
    public var portals: [String]?
    public var chapAuthDiscovery: Bool?
    public var chapAuthSession: Bool?
    public var secretRef: LocalObjectReference?
    public var initiatorName: String?

    public init(
        targetPortal: String? = nil,
        iqn: String? = nil,
        lun: Int32? = nil,
        iscsiInterface: String? = nil,
        fsType: String? = nil,
        readOnly: Bool? = nil,
        portals: [String]? = nil,
        chapAuthDiscovery: Bool? = nil,
        chapAuthSession: Bool? = nil,
        secretRef: LocalObjectReference? = nil,
        initiatorName: String? = nil
    ) {
        self.targetPortal = targetPortal
        self.iqn = iqn
        self.lun = lun
        self.iscsiInterface = iscsiInterface
        self.fsType = fsType
        self.readOnly = readOnly
        self.portals = portals
        self.chapAuthDiscovery = chapAuthDiscovery
        self.chapAuthSession = chapAuthSession
        self.secretRef = secretRef
        self.initiatorName = initiatorName
    }
}

/// core/v1 GlusterfsVolumeSource (no longer supported upstream).
public struct GlusterfsVolumeSource: Codable, Sendable, Hashable {
    public var endpoints: String?
    public var path: String?
    public var readOnly: Bool?

    public init(endpoints: String? = nil, path: String? = nil, readOnly: Bool? = nil) {
        self.endpoints = endpoints
        self.path = path
        self.readOnly = readOnly
    }
}

/// core/v1 RBDVolumeSource (no longer supported upstream).
public struct RBDVolumeSource: Codable, Sendable, Hashable {
    public var monitors: [String]?
    public var image: String?
    public var fsType: String?
    public var pool: String?
    public var user: String?
    public var keyring: String?
    public var secretRef: LocalObjectReference?
    public var readOnly: Bool?

    public init(
        monitors: [String]? = nil,
        image: String? = nil,
        fsType: String? = nil,
        pool: String? = nil,
        user: String? = nil,
        keyring: String? = nil,
        secretRef: LocalObjectReference? = nil,
        readOnly: Bool? = nil
    ) {
        self.monitors = monitors
        self.image = image
        self.fsType = fsType
        self.pool = pool
        self.user = user
        self.keyring = keyring
        self.secretRef = secretRef
        self.readOnly = readOnly
    }
}

/// core/v1 FlexVolumeSource (deprecated upstream).
public struct FlexVolumeSource: Codable, Sendable, Hashable {
    public var driver: String?
    public var fsType: String?
    public var secretRef: LocalObjectReference?
    public var readOnly: Bool?
    public var options: [String: String]?

    public init(
        driver: String? = nil,
        fsType: String? = nil,
        secretRef: LocalObjectReference? = nil,
        readOnly: Bool? = nil,
        options: [String: String]? = nil
    ) {
        self.driver = driver
        self.fsType = fsType
        self.secretRef = secretRef
        self.readOnly = readOnly
        self.options = options
    }
}

/// core/v1 CinderVolumeSource (deprecated upstream, redirected to the Cinder CSI driver).
public struct CinderVolumeSource: Codable, Sendable, Hashable {
    public var volumeID: String?
    public var fsType: String?
    public var readOnly: Bool?
    public var secretRef: LocalObjectReference?

    public init(
        volumeID: String? = nil,
        fsType: String? = nil,
        readOnly: Bool? = nil,
        secretRef: LocalObjectReference? = nil
    ) {
        self.volumeID = volumeID
        self.fsType = fsType
        self.readOnly = readOnly
        self.secretRef = secretRef
    }
}

/// core/v1 CephFSVolumeSource (no longer supported upstream).
public struct CephFSVolumeSource: Codable, Sendable, Hashable {
    public var monitors: [String]?
    public var path: String?
    public var user: String?
    public var secretFile: String?
    public var secretRef: LocalObjectReference?
    public var readOnly: Bool?

    public init(
        monitors: [String]? = nil,
        path: String? = nil,
        user: String? = nil,
        secretFile: String? = nil,
        secretRef: LocalObjectReference? = nil,
        readOnly: Bool? = nil
    ) {
        self.monitors = monitors
        self.path = path
        self.user = user
        self.secretFile = secretFile
        self.secretRef = secretRef
        self.readOnly = readOnly
    }
}

/// core/v1 FlockerVolumeSource (no longer supported upstream).
public struct FlockerVolumeSource: Codable, Sendable, Hashable {
    public var datasetName: String?
    public var datasetUUID: String?

    public init(datasetName: String? = nil, datasetUUID: String? = nil) {
        self.datasetName = datasetName
        self.datasetUUID = datasetUUID
    }
}

/// core/v1 FCVolumeSource: a Fibre Channel disk.
public struct FCVolumeSource: Codable, Sendable, Hashable {
    public var targetWWNs: [String]?
    public var lun: Int32?
    public var fsType: String?
    public var readOnly: Bool?
    public var wwids: [String]?

    public init(
        targetWWNs: [String]? = nil,
        lun: Int32? = nil,
        fsType: String? = nil,
        readOnly: Bool? = nil,
        wwids: [String]? = nil
    ) {
        self.targetWWNs = targetWWNs
        self.lun = lun
        self.fsType = fsType
        self.readOnly = readOnly
        self.wwids = wwids
    }
}

/// core/v1 AzureFileVolumeSource (deprecated upstream, redirected to the Azure File CSI driver).
public struct AzureFileVolumeSource: Codable, Sendable, Hashable {
    public var secretName: String?
    public var shareName: String?
    public var readOnly: Bool?

    public init(secretName: String? = nil, shareName: String? = nil, readOnly: Bool? = nil) {
        self.secretName = secretName
        self.shareName = shareName
        self.readOnly = readOnly
    }
}

/// core/v1 VsphereVirtualDiskVolumeSource (deprecated upstream, redirected to the vSphere CSI driver).
public struct VsphereVirtualDiskVolumeSource: Codable, Sendable, Hashable {
    public var volumePath: String?
    public var fsType: String?
    public var storagePolicyName: String?
    public var storagePolicyID: String?

    public init(
        volumePath: String? = nil,
        fsType: String? = nil,
        storagePolicyName: String? = nil,
        storagePolicyID: String? = nil
    ) {
        self.volumePath = volumePath
        self.fsType = fsType
        self.storagePolicyName = storagePolicyName
        self.storagePolicyID = storagePolicyID
    }
}

/// core/v1 QuobyteVolumeSource (no longer supported upstream).
public struct QuobyteVolumeSource: Codable, Sendable, Hashable {
    public var registry: String?
    public var volume: String?
    public var readOnly: Bool?
    public var user: String?
    public var group: String?
    public var tenant: String?

    public init(
        registry: String? = nil,
        volume: String? = nil,
        readOnly: Bool? = nil,
        user: String? = nil,
        group: String? = nil,
        tenant: String? = nil
    ) {
        self.registry = registry
        self.volume = volume
        self.readOnly = readOnly
        self.user = user
        self.group = group
        self.tenant = tenant
    }
}

/// core/v1 AzureDiskVolumeSource (deprecated upstream, redirected to the Azure Disk CSI driver).
public struct AzureDiskVolumeSource: Codable, Sendable, Hashable {
    public var diskName: String?
    public var diskURI: String?
    public var cachingMode: String?
    public var fsType: String?
    public var readOnly: Bool?
    public var kind: String?

    public init(
        diskName: String? = nil,
        diskURI: String? = nil,
        cachingMode: String? = nil,
        fsType: String? = nil,
        readOnly: Bool? = nil,
        kind: String? = nil
    ) {
        self.diskName = diskName
        self.diskURI = diskURI
        self.cachingMode = cachingMode
        self.fsType = fsType
        self.readOnly = readOnly
        self.kind = kind
    }
}

/// core/v1 PhotonPersistentDiskVolumeSource (no longer supported upstream).
public struct PhotonPersistentDiskVolumeSource: Codable, Sendable, Hashable {
    public var pdID: String?
    public var fsType: String?

    public init(pdID: String? = nil, fsType: String? = nil) {
        self.pdID = pdID
        self.fsType = fsType
    }
}

/// core/v1 PortworxVolumeSource (deprecated upstream, redirected to the Portworx CSI driver).
public struct PortworxVolumeSource: Codable, Sendable, Hashable {
    public var volumeID: String?
    public var fsType: String?
    public var readOnly: Bool?

    public init(volumeID: String? = nil, fsType: String? = nil, readOnly: Bool? = nil) {
        self.volumeID = volumeID
        self.fsType = fsType
        self.readOnly = readOnly
    }
}

/// core/v1 ScaleIOVolumeSource (no longer supported upstream).
public struct ScaleIOVolumeSource: Codable, Sendable, Hashable {
    public var gateway: String?
    public var system: String?
    public var secretRef: LocalObjectReference?
    public var sslEnabled: Bool?
    public var protectionDomain: String?
    public var storagePool: String?
    public var storageMode: String?
    public var volumeName: String?
    public var fsType: String?
    public var readOnly: Bool?

    public init(
        gateway: String? = nil,
        system: String? = nil,
        secretRef: LocalObjectReference? = nil,
        sslEnabled: Bool? = nil,
        protectionDomain: String? = nil,
        storagePool: String? = nil,
        storageMode: String? = nil,
        volumeName: String? = nil,
        fsType: String? = nil,
        readOnly: Bool? = nil
    ) {
        self.gateway = gateway
        self.system = system
        self.secretRef = secretRef
        self.sslEnabled = sslEnabled
        self.protectionDomain = protectionDomain
        self.storagePool = storagePool
        self.storageMode = storageMode
        self.volumeName = volumeName
        self.fsType = fsType
        self.readOnly = readOnly
    }
}

/// core/v1 StorageOSVolumeSource (no longer supported upstream).
public struct StorageOSVolumeSource: Codable, Sendable, Hashable {
    public var volumeName: String?
    public var volumeNamespace: String?
    public var fsType: String?
    public var readOnly: Bool?
    public var secretRef: LocalObjectReference?

    public init(
        volumeName: String? = nil,
        volumeNamespace: String? = nil,
        fsType: String? = nil,
        readOnly: Bool? = nil,
        secretRef: LocalObjectReference? = nil
    ) {
        self.volumeName = volumeName
        self.volumeNamespace = volumeNamespace
        self.fsType = fsType
        self.readOnly = readOnly
        self.secretRef = secretRef
    }
}
