internal import CNetfilter

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
