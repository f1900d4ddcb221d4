/// core/v1 NodeSpec.
public struct NodeSpec: Codable, Sendable, Hashable {
    public var podCIDR: String?
    /// One range per IP family; the first equals `podCIDR`.
    public var podCIDRs: [String]?
    public var providerID: String?
    public var unschedulable: Bool?
    public var taints: [Taint]?
    /// Dynamic kubelet config; removed from the kubelet, kept in the schema.
    public var configSource: NodeConfigSource?
    /// Deprecated, unused.
    public var externalID: String?

    public init(
        podCIDR: String? = nil,
        podCIDRs: [String]? = nil,
        providerID: String? = nil,
        unschedulable: Bool? = nil,
        taints: [Taint]? = nil,
        configSource: NodeConfigSource? = nil,
        externalID: String? = nil
    ) {
        self.podCIDR = podCIDR
        self.podCIDRs = podCIDRs
        self.providerID = providerID
        self.unschedulable = unschedulable
        self.taints = taints
        self.configSource = configSource
        self.externalID = externalID
    }
}

/// core/v1 Taint: repels pods that do not tolerate it.
public struct Taint: Codable, Sendable, Hashable {
    public var key: String?
    public var value: String?
    /// NoSchedule, PreferNoSchedule or NoExecute.
    public var effect: String?
    /// Set for NoExecute taints only.
    public var timeAdded: Time?

    public init(key: String? = nil, value: String? = nil, effect: String? = nil, timeAdded: Time? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }
}

/// core/v1 NodeConfigSource.
public struct NodeConfigSource: Codable, Sendable, Hashable {
    public var configMap: ConfigMapNodeConfigSource?

    public init(configMap: ConfigMapNodeConfigSource? = nil) {
        self.configMap = configMap
    }
}

/// core/v1 ConfigMapNodeConfigSource.
public struct ConfigMapNodeConfigSource: Codable, Sendable, Hashable {
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var resourceVersion: String?
    public var kubeletConfigKey: String?

    public init(
        namespace: String? = nil,
        name: String? = nil,
        uid: String? = nil,
        resourceVersion: String? = nil,
        kubeletConfigKey: String? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.kubeletConfigKey = kubeletConfigKey
    }
}
