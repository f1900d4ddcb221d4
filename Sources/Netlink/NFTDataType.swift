/// A data type of a set key or map value, as nft numbers them. The kernel only checks
/// lengths; nft reads the type (and the byte order in the set's user data) back to print
/// elements as `10.0.0.1 . tcp . 443` instead of hex, so we send exactly what nft sends.
public struct NFTDataType: Sendable, Hashable, CustomStringConvertible {
    /// nft's `enum datatypes` number (TYPE_IPADDR = 7, …).
    public let id: UInt32
    /// Bytes one value takes in a register and in a key.
    public let size: Int
    /// nft's `enum byteorder`: 0 invalid (concatenations, verdicts), 1 host, 2 big endian.
    let byteOrder: UInt32
    public let name: String

    public static let verdict = NFTDataType(id: 1, size: 0, byteOrder: 0, name: "verdict")
    public static let nfproto = NFTDataType(id: 2, size: 1, byteOrder: 1, name: "nf_proto")
    public static let ipv4Addr = NFTDataType(id: 7, size: 4, byteOrder: 2, name: "ipv4_addr")
    public static let ipv6Addr = NFTDataType(id: 8, size: 16, byteOrder: 2, name: "ipv6_addr")
    public static let etherAddr = NFTDataType(id: 9, size: 6, byteOrder: 2, name: "ether_addr")
    public static let inetProto = NFTDataType(id: 12, size: 1, byteOrder: 2, name: "inet_proto")
    public static let inetService = NFTDataType(id: 13, size: 2, byteOrder: 2, name: "inet_service")
    public static let mark = NFTDataType(id: 19, size: 4, byteOrder: 1, name: "mark")
    public static let ifname = NFTDataType(id: 41, size: 16, byteOrder: 1, name: "ifname")
    /// nft's plain `integer` (what `numgen` and `jhash` produce), 32 bits in host order.
    public static let integer = NFTDataType(id: 4, size: 4, byteOrder: 1, name: "integer")

    public var description: String { name }

    /// nft's id for a concatenation: each member's id shifted in 6 bits at a time
    /// (`ipv4_addr . inet_proto . inet_service` is 7<<12 | 12<<6 | 13).
    static func concatenatedID(_ types: [NFTDataType]) -> UInt32 {
        types.reduce(0) { ($0 << 6) | $1.id }
    }

    /// Key or data length: one field is its own size; in a concatenation every field
    /// fills whole 32-bit registers, so each is padded to a multiple of 4.
    static func length(_ types: [NFTDataType]) -> Int {
        types.count == 1 ? types[0].size : types.reduce(0) { $0 + ($1.size + 3) & ~3 }
    }

    static func byteOrder(_ types: [NFTDataType]) -> UInt32 {
        types.count == 1 ? types[0].byteOrder : 0
    }
}
