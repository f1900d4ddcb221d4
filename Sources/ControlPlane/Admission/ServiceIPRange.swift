import Netlink

/// One family's service CIDR (`--service-cidr`, up to one IPv4 and one IPv6 block): the
/// addresses ClusterIPs come from, numbered by their offset in the block.
struct ServiceIPRange: Sendable, CustomStringConvertible {
    let prefix: IPPrefix

    /// Upstream's limit for an IPv6 service CIDR (/108, 2^20 addresses): the allocator keeps
    /// a set of what is taken, not a bitmap of the block, but a larger block is a mistake the
    /// API server of a kubeadm cluster refuses too.
    static let maxIPv6HostBits = 20

    init?(_ text: String) {
        guard let prefix = IPPrefix(text) else { return nil }
        let hostBits = prefix.family.bitWidth - prefix.prefixLength
        // Upstream's limits: an IPv4 mask of at least /12, an IPv6 one of at least /108.
        guard hostBits >= 2, hostBits <= (prefix.family == .ipv4 ? 20 : Self.maxIPv6HostBits) else { return nil }
        self.prefix = prefix
    }

    var family: IPFamily { prefix.family }
    var description: String { prefix.description }

    /// Offsets that can be handed out: 1 ... last, without the IPv4 broadcast (offset 0 is the
    /// network address, and for IPv6 the subnet-router anycast address).
    var lastOffset: UInt64 {
        let count = prefix.addressCount
        return family == .ipv4 ? count - 2 : count - 1
    }

    func address(at offset: UInt64) -> IPAddress {
        switch family {
        case .ipv4: return IPAddress(ipv4: prefix.address.ipv4Value! &+ UInt32(truncatingIfNeeded: offset))
        case .ipv6: return IPAddress(ipv6High: prefix.address.high, low: prefix.address.low &+ offset)
        }
    }

    /// The offset of `ip` when it can be a ClusterIP of this range.
    func offset(of ip: IPAddress) -> UInt64? {
        guard prefix.contains(ip) else { return nil }
        let offset = family == .ipv4 ? UInt64(ip.ipv4Value! &- prefix.address.ipv4Value!) : ip.low &- prefix.address.low
        return (1...lastOffset).contains(offset) ? offset : nil
    }

    /// The low band (10.96.0.1 is the `kubernetes` Service's, the tenth the DNS Service's by
    /// convention) is left to explicit requests while the upper band has room: its size is
    /// upstream's, a sixteenth of the range, at least 16 and at most 256 addresses.
    var lowBand: UInt64 { min(max(16, prefix.addressCount / 16), 256) }
}
