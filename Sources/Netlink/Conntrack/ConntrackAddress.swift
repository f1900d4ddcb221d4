import Glibc

/// An address in a conntrack tuple. It keeps its bytes inline, as two host-order halves (the
/// IPv4 value in `low`), so a dump of a hundred thousand entries allocates nothing per address,
/// and a caller with its own address type converts without parsing text.
public struct ConntrackAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The L3 family, numbered as `nfgenmsg.nfgen_family` carries it (AF_INET, AF_INET6).
    public enum Family: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case ipv4 = 2
        case ipv6 = 10

        /// Address length in bytes.
        public var byteCount: Int { self == .ipv4 ? 4 : 16 }

        public var description: String { self == .ipv4 ? "ipv4" : "ipv6" }
    }

    public let family: Family
    /// Upper 64 bits of an IPv6 address; 0 for IPv4.
    public let high: UInt64
    /// Lower 64 bits of an IPv6 address; the 32-bit value for IPv4.
    public let low: UInt64

    /// An IPv4 address from its value in host order (10.0.0.1 is 0x0a000001).
    public init(ipv4 value: UInt32) {
        family = .ipv4
        high = 0
        low = UInt64(value)
    }

    /// An IPv6 address from its two halves in host order.
    public init(ipv6High high: UInt64, low: UInt64) {
        family = .ipv6
        self.high = high
        self.low = low
    }

    /// An address from its text; nil when it is neither an IPv4 nor an IPv6 literal.
    public init?(_ text: String) {
        var raw = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &raw) == 1 {
            self.init(networkOrder: UnsafeRawBufferPointer(start: raw, count: 4))
        } else if inet_pton(AF_INET6, text, &raw) == 1 {
            self.init(networkOrder: UnsafeRawBufferPointer(start: raw, count: 16))
        } else {
            return nil
        }
    }

    /// From the 4 or 16 network-order bytes of a CTA_IP_* attribute; nil for another length.
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

    /// The IPv4 value in host order; nil for IPv6.
    public var ipv4Value: UInt32? { family == .ipv4 ? UInt32(truncatingIfNeeded: low) : nil }

    /// Calls `body` with the network-order bytes (4 or 16), as the kernel takes them.
    func withNetworkOrderBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var halves = (high.bigEndian, low.bigEndian)
        return try withUnsafeBytes(of: &halves) { raw in
            try body(UnsafeRawBufferPointer(rebasing: family == .ipv4 ? raw[12..<16] : raw[0..<16]))
        }
    }

    /// Network-order bytes.
    public var bytes: [UInt8] { withNetworkOrderBytes { Array($0) } }

    public static func < (lhs: ConntrackAddress, rhs: ConntrackAddress) -> Bool {
        (lhs.family.rawValue, lhs.high, lhs.low) < (rhs.family.rawValue, rhs.high, rhs.low)
    }

    public var description: String {
        withNetworkOrderBytes { raw in
            var text = [CChar](repeating: 0, count: 64)
            let af = family == .ipv4 ? AF_INET : AF_INET6
            guard inet_ntop(af, raw.baseAddress, &text, socklen_t(text.count)) != nil else { return "?" }
            return String(cString: text)
        }
    }
}
