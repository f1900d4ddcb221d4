import Netlink

/// Masquerade of pod traffic leaving the cluster (flannel's `-s podnet ! -d podnet -j
/// MASQUERADE`), as one nf_tables table of its own:
///
///     table ip skiff-overlay {
///         chain postrouting {
///             type nat hook postrouting priority srcnat; policy accept;
///             ip saddr CLUSTER ip daddr CLUSTER return          # pod to pod: untouched
///             ip saddr CLUSTER ip daddr 224.0.0.0/4 return      # multicast: untouched
///             ip saddr CLUSTER masquerade fully-random          # pod to outside
///         }
///     }
///
/// Pod-to-service traffic is DNAT-ed to a pod before postrouting, so the first rule covers it.
/// `apply` replaces the table in one transaction (add, delete, re-create: no error when it was
/// not there, and no moment without the rules when it was).
public struct Masquerade: Sendable {
    public static let table = NFTTableID(.ip, "skiff-overlay")
    public static let chain = "postrouting"
    static let multicast = IPPrefix("224.0.0.0/4")!
    static let fullyRandom: UInt32 = 0x10   // NF_NAT_RANGE_PROTO_RANDOM_FULLY

    public var clusterCIDR: IPPrefix

    public init(clusterCIDR: IPPrefix) {
        self.clusterCIDR = clusterCIDR
    }

    /// The whole table, as one batch.
    public func batch() -> NFTBatch {
        let batch = NFTBatch()
        batch.add(NFTTable(.ip, Self.table.name))
        batch.delete(table: Self.table)
        batch.add(NFTTable(.ip, Self.table.name, comment: "skiff overlay: masquerade of pod traffic leaving the cluster"))
        batch.add(NFTChain(table: Self.table, name: Self.chain,
                           base: .init(type: .nat, hook: .postrouting, priority: NFTChain.Priority.srcnat)))
        let fromPods = Self.match(.ipSaddr, clusterCIDR)
        batch.add(NFTRule(table: Self.table, chain: Self.chain,
                          fromPods + Self.match(.ipDaddr, clusterCIDR) + [.verdict(.return)], comment: "pod to pod"))
        batch.add(NFTRule(table: Self.table, chain: Self.chain,
                          fromPods + Self.match(.ipDaddr, Self.multicast) + [.verdict(.return)], comment: "multicast"))
        batch.add(NFTRule(table: Self.table, chain: Self.chain,
                          fromPods + [.masquerade(flags: Self.fullyRandom)], comment: "pod to outside the cluster"))
        return batch
    }

    /// Programs the table (replacing an earlier one).
    public func apply(on socket: NetlinkSocket) throws {
        try batch().commit(on: socket)
    }

    /// Removes the table if it is there.
    public static func remove(on socket: NetlinkSocket) throws {
        let batch = NFTBatch()
        batch.add(NFTTable(.ip, table.name))
        batch.delete(table: table)
        try batch.commit(on: socket)
    }

    static func match(_ field: NFTField, _ prefix: IPPrefix) -> [NFTExpr] {
        NFT.match(field, prefix: prefix.description, family: .ip) ?? []
    }
}
