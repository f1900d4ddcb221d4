import Netlink

/// How one proxy runs: kube-proxy's flags, resolved (addresses, not interface specs).
public struct ProxyConfig: Sendable {
    /// This node's name, as in `Node.metadata.name`: endpoints on it are local.
    public var nodeName: String
    /// `--cluster-cidr`: ClusterIP traffic from outside it is masqueraded.
    public var clusterCIDRs: [IPPrefix]
    /// The service CIDRs: traffic to an unallocated address in them is dropped.
    public var serviceCIDRs: [IPPrefix]
    /// `--nodeport-addresses`, resolved to this node's addresses.
    public var nodePortAddresses: [IPAddress]
    /// `--masquerade-all`.
    public var masqueradeAll: Bool
    /// `--sync-period`: the longest time between full resyncs (and twice it, the health timeout).
    public var syncPeriod: Duration
    /// `--min-sync-period`: the shortest time between syncs; changes within it are coalesced.
    public var minSyncPeriod: Duration
    /// The families to program, each its own table.
    public var ipFamilies: [IPFamily]
    public var tableName: String
    /// A network namespace to program (`/var/run/netns/NAME`), nil for the process's own.
    public var networkNamespace: String?

    public init(nodeName: String, clusterCIDRs: [IPPrefix] = [], serviceCIDRs: [IPPrefix] = [],
                nodePortAddresses: [IPAddress] = [], masqueradeAll: Bool = false,
                syncPeriod: Duration = .seconds(30), minSyncPeriod: Duration = .seconds(1),
                ipFamilies: [IPFamily] = [.ipv4], tableName: String = "skiff-proxy", networkNamespace: String? = nil) {
        self.nodeName = nodeName
        self.clusterCIDRs = clusterCIDRs
        self.serviceCIDRs = serviceCIDRs
        self.nodePortAddresses = nodePortAddresses
        self.masqueradeAll = masqueradeAll
        self.syncPeriod = syncPeriod
        self.minSyncPeriod = minSyncPeriod
        self.ipFamilies = ipFamilies
        self.tableName = tableName
        self.networkNamespace = networkNamespace
    }

    var modelConfig: ProxyModelConfig { ProxyModelConfig(nodeName: nodeName, ipFamilies: Set(ipFamilies)) }

    var rulesetConfigs: [RulesetConfig] {
        IPFamily.allCases.filter(ipFamilies.contains).map { family in
            RulesetConfig(family: family, tableName: tableName, clusterCIDRs: clusterCIDRs, serviceCIDRs: serviceCIDRs,
                          nodePortAddresses: nodePortAddresses, masqueradeAll: masqueradeAll)
        }
    }
}
