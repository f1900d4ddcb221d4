extension IPFamily {
    /// AF_INET / AF_INET6, as netlink family headers (rtgenmsg, nfgenmsg, ifaddrmsg) carry it.
    var addressFamily: UInt8 { self == .ipv4 ? 2 : 10 }

    /// Address length in bytes.
    var addressByteCount: Int { self == .ipv4 ? 4 : 16 }
}

extension IPAddress {
    /// From the 4 or 16 network-order bytes of a netlink attribute; nil for another length.
    init?(networkOrder bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 4:
            self.init(ipv4: UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
        case 16:
            self.init(ipv6High: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                      low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        default:
            return nil
        }
    }

    /// Calls `body` with the network-order bytes (4 or 16), as the kernel takes them, without
    /// allocating.
    func withNetworkOrderBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var halves = (high.bigEndian, low.bigEndian)
        return try withUnsafeBytes(of: &halves) { raw in
            try body(UnsafeRawBufferPointer(rebasing: family == .ipv4 ? raw[12..<16] : raw[0..<16]))
        }
    }
}

extension IPAddress {
    /// From 4 or 16 network-order bytes (a DNS A or AAAA record); nil for another length.
    public init?(bytes: [UInt8]) {
        guard let address = bytes.withUnsafeBytes({ IPAddress(networkOrder: $0) }) else { return nil }
        self = address
    }
}
