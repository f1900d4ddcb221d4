/// An IPv4 or IPv6 address as a value: hashable and ordered so it can key dictionaries, dedupe
/// endpoints and sort them deterministically (kube-proxy sorts endpoints so that diffs between
/// syncs are stable). Parsing lives in IPAddress+Parsing.swift.
///
/// An IPv4-mapped IPv6 literal (`::ffff:10.0.0.1`) is an IPv4 address here, as Go's `net.IP`
/// (and therefore kube-proxy's family checks) treats it.
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let family: IPFamily
    /// Upper 64 bits of an IPv6 address; 0 for IPv4.
    public let high: UInt64
    /// Lower 64 bits of an IPv6 address; the 32-bit value for IPv4.
    public let low: UInt64

    /// An IPv4 address from its 32-bit value in host order (`0x0A000001` is 10.0.0.1).
    public init(ipv4 value: UInt32) {
        family = .ipv4
        high = 0
        low = UInt64(value)
    }

    /// An IPv6 address from its two 64-bit halves in host order.
    public init(ipv6High high: UInt64, low: UInt64) {
        family = .ipv6
        self.high = high
        self.low = low
    }

    /// The IPv4 value; nil for IPv6.
    public var ipv4Value: UInt32? { family == .ipv4 ? UInt32(truncatingIfNeeded: low) : nil }

    /// Network-order bytes (4 or 16), what netlink attributes carry.
    public var bytes: [UInt8] {
        switch family {
        case .ipv4:
            let v = UInt32(truncatingIfNeeded: low)
            return [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
                    UInt8(truncatingIfNeeded: v)]
        case .ipv6:
            var out: [UInt8] = []
            out.reserveCapacity(16)
            for half in [high, low] {
                for shift in stride(from: 56, through: 0, by: -8) {
                    out.append(UInt8(truncatingIfNeeded: half >> UInt64(shift)))
                }
            }
            return out
        }
    }

    /// Loopback addresses (127/8, ::1): kube-proxy treats NodePorts on them specially.
    public var isLoopback: Bool {
        switch family {
        case .ipv4: return (low >> 24) == 127
        case .ipv6: return high == 0 && low == 1
        }
    }

    /// The unspecified address (0.0.0.0, ::).
    public var isUnspecified: Bool { high == 0 && low == 0 }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family { return lhs.family < rhs.family }
        if lhs.high != rhs.high { return lhs.high < rhs.high }
        return lhs.low < rhs.low
    }

    /// Canonical text: dotted quad, or RFC 5952 for IPv6 (lower case, longest zero run compressed).
    public var description: String {
        switch family {
        case .ipv4:
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        case .ipv6:
            return Self.formatIPv6(groups: ipv6Groups)
        }
    }

    /// The eight 16-bit groups of an IPv6 address.
    public var ipv6Groups: [UInt16] {
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        for half in [high, low] {
            for shift in stride(from: 48, through: 0, by: -16) {
                groups.append(UInt16(truncatingIfNeeded: half >> UInt64(shift)))
            }
        }
        return groups
    }

    private static func formatIPv6(groups: [UInt16]) -> String {
        // RFC 5952 §4.2: compress the longest run (length ≥ 2) of zero groups, the first on a tie.
        var bestStart = -1, bestLength = 0
        var index = 0
        while index < groups.count {
            if groups[index] == 0 {
                var end = index
                while end < groups.count && groups[end] == 0 { end += 1 }
                if end - index > bestLength { bestStart = index; bestLength = end - index }
                index = end
            } else {
                index += 1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        index = 0
        while index < groups.count {
            if index == bestStart {
                text += "::"
                index += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[index], radix: 16)
            index += 1
        }
        return text
    }
}
