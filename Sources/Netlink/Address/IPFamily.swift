/// An IP address family. Kube-proxy runs one proxier per family; Skiff keeps both families in
/// one model and lets the dataplane pick a family's view, because nftables tables are per
/// family anyway (`ip` and `ip6`) while services and slices arrive mixed.
public enum IPFamily: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case ipv4 = "IPv4"
    case ipv6 = "IPv6"

    /// Parses the API spelling (`IPv4`, `IPv6`, as in `spec.ipFamilies` and `addressType`).
    public init?(apiValue: String?) {
        guard let apiValue, let family = IPFamily(rawValue: apiValue) else { return nil }
        self = family
    }

    /// The API spelling.
    public var apiValue: String { rawValue }

    /// Address length in bits: bounds a prefix length.
    public var bitWidth: Int { self == .ipv4 ? 32 : 128 }

    public static func < (lhs: IPFamily, rhs: IPFamily) -> Bool { lhs == .ipv4 && rhs == .ipv6 }

    public var description: String { rawValue }
}
