import Netlink

/// `ipMasq: true` as the reference bridge plugin means it: traffic from this network's pods to
/// anywhere outside the network (except multicast) leaves with the node's address. One table
/// for all skiff-cni networks on the node, one base chain and one address set per network:
///
///     table ip skiff-cni {
///         set pods-NET { type ipv4_addr; }          # the network's masqueraded pods
///         chain masq-NET {
///             type nat hook postrouting priority srcnat; policy accept;
///             ip saddr != @pods-NET return
///             ip daddr SUBNET return
///             ip daddr 224.0.0.0/4 return
///             masquerade
///         }
///     }
///
/// ADD sends one transaction that (re)creates the chain's rules and adds the pod's address, so
/// concurrent ADDs converge on the same state and a half-written chain is never visible; DEL
/// removes the address only. The chain and set stay, like the bridge.
public struct PodMasquerade: Sendable {
    public static let table = NFTTableID(.ip, "skiff-cni")
    static let multicast = IPPrefix("224.0.0.0/4")!

    public var network: String
    public var subnet: IPPrefix

    public init(network: String, subnet: IPPrefix) {
        self.network = network
        self.subnet = subnet
    }

    public var chain: String { "masq-" + network }
    public var set: String { "pods-" + network }

    /// The transaction ADD sends for these pod addresses (IPv4 only; others are skipped).
    public func addBatch(pods: [IPAddress]) -> NFTBatch {
        let batch = NFTBatch()
        batch.add(NFTTable(.ip, Self.table.name))
        batch.add(NFTSet(table: Self.table, name: set, key: [.ipv4Addr], comment: "pods of CNI network \(network)"))
        batch.add(NFTChain(table: Self.table, name: chain,
                           base: .init(type: .nat, hook: .postrouting, priority: NFTChain.Priority.srcnat)))
        batch.flush(chain: chain, in: Self.table)
        batch.add(NFTRule(table: Self.table, chain: chain, [NFTField.ipSaddr.load(into: .r1),
                          .lookup(.r1, set: .named(set), inverted: true), .verdict(.return)], comment: "not ours"))
        for (prefix, comment) in [(subnet, "inside the network"), (Self.multicast, "multicast")] {
            let match = NFT.match(.ipDaddr, prefix: prefix.description, family: .ip) ?? []
            batch.add(NFTRule(table: Self.table, chain: chain, match + [.verdict(.return)], comment: comment))
        }
        batch.add(NFTRule(table: Self.table, chain: chain, [.masquerade(flags: 0)], comment: "leaving the network"))
        let elements = pods.filter { $0.family == .ipv4 }.map { NFTSetElement(NFTKey(NFTValue(kind: .ipv4, bytes: $0.bytes))) }
        if !elements.isEmpty { batch.add(elements: elements, to: set, in: Self.table) }
        return batch
    }

    public func add(pods: [IPAddress], on socket: NetlinkSocket) throws {
        try addBatch(pods: pods).commit(on: socket)
    }

    /// Stops masquerading these addresses; ones already gone (or a table never made) are fine.
    public func remove(pods: [IPAddress], on socket: NetlinkSocket) throws {
        for pod in pods where pod.family == .ipv4 {
            let batch = NFTBatch()
            batch.delete(elements: [NFTSetElement(NFTKey(NFTValue(kind: .ipv4, bytes: pod.bytes)))], from: set, in: Self.table)
            do {
                try batch.commit(on: socket)
            } catch let error as NetlinkError where error.isNotFound {}
        }
    }
}
