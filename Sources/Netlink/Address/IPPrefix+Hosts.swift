/// Host arithmetic over a prefix, what an address allocator walks: the last address (IPv4
/// broadcast), stepping to the next address with wrap-around, and the size of a block.
extension IPAddress {
    /// The next address in the family's space; wraps from the all-ones address to zero.
    public var successor: IPAddress {
        switch family {
        case .ipv4:
            return IPAddress(ipv4: ipv4Value! &+ 1)
        case .ipv6:
            let low = self.low &+ 1
            return IPAddress(ipv6High: low == 0 ? high &+ 1 : high, low: low)
        }
    }
}

extension IPPrefix {
    /// The highest address inside the block (the IPv4 broadcast address).
    public var lastAddress: IPAddress {
        switch family {
        case .ipv4:
            let hostMask: UInt32 = prefixLength == 0 ? ~0 : (prefixLength == 32 ? 0 : ~UInt32(0) >> UInt32(prefixLength))
            return IPAddress(ipv4: address.ipv4Value! | hostMask)
        case .ipv6:
            let highHost: UInt64 = prefixLength >= 64 ? 0 : (prefixLength == 0 ? ~0 : ~UInt64(0) >> UInt64(prefixLength))
            let lowHost: UInt64 = prefixLength <= 64 ? ~0 : (prefixLength == 128 ? 0 : ~UInt64(0) >> UInt64(prefixLength - 64))
            return IPAddress(ipv6High: address.high | highHost, low: address.low | lowHost)
        }
    }

    /// How many addresses the block holds, saturating at `UInt64.max` for huge IPv6 blocks.
    public var addressCount: UInt64 {
        let hostBits = family.bitWidth - prefixLength
        return hostBits >= 64 ? UInt64.max : UInt64(1) << UInt64(hostBits)
    }
}
