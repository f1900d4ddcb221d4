import Netlink

/// The host end of a pod's veth pair: its name and MAC, derived from the attachment (container
/// ID and CNI_IFNAME) alone. The reference bridge plugin picks a random `vethXXXXXXXX`; a name
/// that follows from the attachment lets DEL find the host end when the runtime no longer has
/// the pod's netns (or the netns is gone), and a fixed MAC keeps the bridge's forwarding and
/// the node's neighbour entries for the pod valid across a re-created pair.
public struct HostVethName: Hashable, Sendable, CustomStringConvertible {
    /// `veth` + 11 hex digits of the hash: 15 bytes, the longest name Linux allows. 44 bits
    /// make a collision between two pods of one node (a few hundred at most) negligible.
    public let name: String
    /// A locally administered unicast MAC from the other 40 bits of the hash.
    public let macAddress: MACAddress

    public init(containerID: String, ifname: String) {
        let hash = Self.fnv1a64(Array(containerID.utf8) + [0] + Array(ifname.utf8))
        var hex = String(hash >> 20, radix: 16)
        hex = String(repeating: "0", count: max(0, 11 - hex.count)) + hex
        name = "veth" + hex
        let low = hash & 0xFF_FFFF_FFFF
        macAddress = MACAddress(bytes: [0x02] + (0..<5).map { UInt8(truncatingIfNeeded: low >> (8 * (4 - $0))) })!
    }

    public var description: String { name }

    /// FNV-1a, 64 bits: stable across runs and builds (unlike `Hasher`, which is seeded per process).
    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
