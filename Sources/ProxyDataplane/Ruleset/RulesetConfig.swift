import Netlink

/// What the ruleset needs to know beyond Services and endpoints: the node's view of the
/// network (kube-proxy's flags). One value per IP family; each family is its own table.
public struct RulesetConfig: Sendable, Hashable {
    public var family: IPFamily
    /// The table's name (in the `ip` or `ip6` family).
    public var tableName: String
    /// `--cluster-cidr`: traffic from outside it to a ClusterIP is masqueraded. Empty: nothing
    /// is masqueraded for being external (unless `masqueradeAll`).
    public var clusterCIDRs: [IPPrefix]
    /// The service CIDR(s): traffic to an unallocated address inside is dropped.
    public var serviceCIDRs: [IPPrefix]
    /// `--nodeport-addresses` resolved to addresses: NodePorts answer on these. Loopback
    /// addresses are excluded (as upstream does by default).
    public var nodePortAddresses: [IPAddress]
    /// `--masquerade-all`: masquerade every service connection.
    public var masqueradeAll: Bool
    /// The mark bit that asks postrouting to masquerade (kube-proxy's 0x4000).
    public var masqueradeBit: UInt32
    /// Service ports with 1…this many endpoints share the `*-lb-N` balancing chains (the flat
    /// layout, see RulesetBuilder); more endpoints get chains of their own. The default, 64,
    /// keeps the skeleton small (3 chains per count); 0 gives every port its own chains.
    public var maxSharedEndpoints: Int

    public init(family: IPFamily = .ipv4, tableName: String = "skiff-proxy", clusterCIDRs: [IPPrefix] = [],
                serviceCIDRs: [IPPrefix] = [], nodePortAddresses: [IPAddress] = [], masqueradeAll: Bool = false,
                masqueradeBit: UInt32 = 0x4000, maxSharedEndpoints: Int = 64) {
        self.family = family
        self.tableName = tableName
        self.clusterCIDRs = clusterCIDRs.filter { $0.family == family }
        self.serviceCIDRs = serviceCIDRs.filter { $0.family == family }
        self.nodePortAddresses = nodePortAddresses.filter { $0.family == family && !$0.isLoopback }
        self.masqueradeAll = masqueradeAll
        self.masqueradeBit = masqueradeBit
        self.maxSharedEndpoints = max(0, maxSharedEndpoints)
    }

    /// `ip` for IPv4, `ip6` for IPv6: one table per family, so no `meta nfproto` guards.
    public var nftFamily: NFTFamily { family == .ipv4 ? .ip : .ip6 }
    public var table: NFTTableID { NFTTableID(nftFamily, tableName) }

    var saddr: NFTField { family == .ipv4 ? .ipSaddr : .ip6Saddr }
    var daddr: NFTField { family == .ipv4 ? .ipDaddr : .ip6Daddr }
    var addressType: NFTDataType { family == .ipv4 ? .ipv4Addr : .ipv6Addr }
}

extension IPAddress {
    /// The address as an nf_tables value (network byte order).
    var nftValue: NFTValue { NFTValue(kind: family == .ipv4 ? .ipv4 : .ipv6, bytes: bytes) }
}

extension TransportProtocol {
    var nftValue: NFTValue { .inetProto(ipProtocolNumber) }
    /// Lower case, as in upstream's chain names (`tcp`, `udp`, `sctp`).
    var chainLabel: String { rawValue.lowercased() }
}
