/// core/v1 Volume: a named volume of a pod.
/// Upstream inlines VolumeSource, so the source members sit next to `name`; exactly one is set
/// (none means emptyDir, a deprecated implicit default).
public struct Volume: Codable, Sendable, Hashable {
    public var name: String?
    public var hostPath: HostPathVolumeSource?
    public var emptyDir: EmptyDirVolumeSource?
    public var gcePersistentDisk: GCEPersistentDiskVolumeSource?
    public var awsElasticBlockStore: AWSElasticBlockStoreVolumeSource?
    public var gitRepo: GitRepoVolumeSource?
    public var secret: SecretVolumeSource?
    public var nfs: NFSVolumeSource?
    public var iscsi: ISCSIVolumeSource?
    public var glusterfs: GlusterfsVolumeSource?
    public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?
    public var rbd: RBDVolumeSource?
    public var flexVolume: FlexVolumeSource?
    public var cinder: CinderVolumeSource?
    public var cephfs: CephFSVolumeSource?
    public var flocker: FlockerVolumeSource?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var fc: FCVolumeSource?
    public var azureFile: AzureFileVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var vsphereVolume: VsphereVirtualDiskVolumeSource?
    public var quobyte: QuobyteVolumeSource?
    public var azureDisk: AzureDiskVolumeSource?
    public var photonPersistentDisk: PhotonPersistentDiskVolumeSource?
    public var projected: ProjectedVolumeSource?
    public var portworxVolume: PortworxVolumeSource?
    public var scaleIO: ScaleIOVolumeSource?
    public var storageos: StorageOSVolumeSource?
    public var csi: CSIVolumeSource?
    public var ephemeral: EphemeralVolumeSource?
    public var image: ImageVolumeSource?

    public init(
        name: String? = nil,
        hostPath: HostPathVolumeSource? = nil,
        emptyDir: EmptyDirVolumeSource? = nil,
        gcePersistentDisk: GCEPersistentDiskVolumeSource? = nil,
        awsElasticBlockStore: AWSElasticBlockStoreVolumeSource? = nil,
        gitRepo: GitRepoVolumeSource? = nil,
        secret: SecretVolumeSource? = nil,
        nfs: NFSVolumeSource? = nil,
        iscsi: ISCSIVolumeSource? = nil,
        glusterfs: GlusterfsVolumeSource? = nil,
        persistentVolumeClaim: PersistentVolumeClaimVolumeSource? = nil,
        rbd: RBDVolumeSource? = nil,
        flexVolume: FlexVolumeSource? = nil,
        cinder: CinderVolumeSource? = nil,
        cephfs: CephFSVolumeSource? = nil,
        flocker: FlockerVolumeSource? = nil,
        downwardAPI: DownwardAPIVolumeSource? = nil,
        fc: FCVolumeSource? = nil,
        azureFile: AzureFileVolumeSource? = nil,
        configMap: ConfigMapVolumeSource? = nil,
        vsphereVolume: VsphereVirtualDiskVolumeSource? = nil,
        quobyte: QuobyteVolumeSource? = nil,
        azureDisk: AzureDiskVolumeSource? = nil,
        photonPersistentDisk: PhotonPersistentDiskVolumeSource? = nil,
        projected: ProjectedVolumeSource? = nil,
        portworxVolume: PortworxVolumeSource? = nil,
        scaleIO: ScaleIOVolumeSource? = nil,
        storageos: StorageOSVolumeSource? = nil,
        csi: CSIVolumeSource? = nil,
        ephemeral: EphemeralVolumeSource? = nil,
        image: ImageVolumeSource? = nil
    ) {
        self.name = name
        self.hostPath = hostPath
        self.emptyDir = emptyDir
        self.gcePersistentDisk = gcePersistentDisk
        self.awsElasticBlockStore = awsElasticBlockStore
        self.gitRepo = gitRepo
        self.secret = secret
        self.nfs = nfs
        self.iscsi = iscsi
        self.glusterfs = glusterfs
        self.persistentVolumeClaim = persistentVolumeClaim
        self.rbd = rbd
        self.flexVolume = flexVolume
        self.cinder = cinder
        self.cephfs = cephfs
        self.flocker = flocker
        self.downwardAPI = downwardAPI
        self.fc = fc
        self.azureFile = azureFile
        self.configMap = configMap
        self.vsphereVolume = vsphereVolume
        self.quobyte = quobyte
        self.azureDisk = azureDisk
        self.photonPersistentDisk = photonPersistentDisk
        self.projected = projected
        self.portworxVolume = portworxVolume
        self.scaleIO = scaleIO
        self.storageos = storageos
        self.csi = csi
        self.ephemeral = ephemeral
        self.image = image
    }
}
