internal import CNetfilter

extension IPFamily {
    /// AF_INET / AF_INET6, as the family headers carry it.
    var addressFamily: UInt8 { self == .ipv4 ? 2 : 10 }
}

extension IPAddress {
    /// From the 4 or 16 network-order bytes of an attribute; nil for another length.
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
}

extension NetlinkAttribute {
    /// Host-order values, as rtnetlink sends most numbers (unlike ctnetlink).
    var u16: UInt16? { payload.count >= 2 ? payload.loadUnaligned(as: UInt16.self) : nil }
    var u32: UInt32? { payload.count >= 4 ? payload.loadUnaligned(as: UInt32.self) : nil }
    var int32: Int32? { payload.count >= 4 ? payload.loadUnaligned(as: Int32.self) : nil }
    /// A NUL-terminated string.
    var string: String { String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self) }
    var ipAddress: IPAddress? { IPAddress(networkOrder: payload) }
    var macAddress: MACAddress? { MACAddress(bytes: Array(payload)) }
}
