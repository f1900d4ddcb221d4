/// A CIDR block such as `10.0.0.0/8`, what `loadBalancerSourceRanges` holds. Parsing masks the
/// host bits away, as Go's `ParseCIDR` returns the network, so `10.1.2.3/8` equals `10.0.0.0/8`
/// and an nftables interval set gets a clean element.
public struct IPPrefix: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The network address (host bits zero).
    public let address: IPAddress
    public let prefixLength: Int

    public var family: IPFamily { address.family }

    /// A prefix from an address and length; nil when the length does not fit the family.
    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.family.bitWidth else { return nil }
        self.address = Self.mask(address, prefixLength)
        self.prefixLength = prefixLength
    }

    /// Parses `address/length`, ignoring surrounding whitespace (API validation of
    /// loadBalancerSourceRanges let padded values in, and kube-proxy trims them).
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace()
        guard let slash = trimmed.lastIndex(of: "/") else { return nil }
        let lengthText = trimmed[trimmed.index(after: slash)...]
        guard !lengthText.isEmpty, lengthText.count <= 3, lengthText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let length = Int(lengthText),
              let address = IPAddress(String(trimmed[..<slash]))
        else { return nil }
        // A v4-mapped IPv6 prefix would change family under us; refuse rather than guess.
        if address.family == .ipv4 && trimmed[..<slash].contains(":") { return nil }
        self.init(address: address, prefixLength: length)
    }

    /// Whether `ip` lies inside this block.
    public func contains(_ ip: IPAddress) -> Bool {
        ip.family == family && Self.mask(ip, prefixLength) == address
    }

    public static func < (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
        lhs.address != rhs.address ? lhs.address < rhs.address : lhs.prefixLength < rhs.prefixLength
    }

    public var description: String { "\(address)/\(prefixLength)" }

    private static func mask(_ ip: IPAddress, _ length: Int) -> IPAddress {
        switch ip.family {
        case .ipv4:
            let value = ip.ipv4Value!
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return IPAddress(ipv4: value & mask)
        case .ipv6:
            let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
            let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
            return IPAddress(ipv6High: ip.high & highMask, low: ip.low & lowMask)
        }
    }
}

extension StringProtocol {
    /// Leading and trailing spaces, tabs and newlines removed (no Foundation needed).
    package func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = s.lastIndex(where: { !isSpace($0) })!
        return s[first...last]
    }
}
