internal import CNetfilter

/// The address family a table (and everything in it) belongs to, as nf_tables numbers them
/// (the `nfgen_family` of every message).
public enum NFTFamily: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// IPv4 and IPv6 in one table: the proxy's choice, so one ruleset serves both.
    case inet = 1   // NFPROTO_INET
    case ip = 2     // NFPROTO_IPV4
    case ip6 = 10   // NFPROTO_IPV6

    public var description: String {
        switch self {
        case .inet: "inet"
        case .ip: "ip"
        case .ip6: "ip6"
        }
    }
}

/// What names a table: every chain, set and rule points at its table by this pair.
public struct NFTTableID: Sendable, Hashable, CustomStringConvertible {
    public var family: NFTFamily
    public var name: String

    public init(_ family: NFTFamily, _ name: String) {
        self.family = family
        self.name = name
    }

    /// Reads as nft writes it: `inet skiff`.
    public var description: String { "\(family) \(name)" }
}

/// A table: the unit of ownership. Skiff keeps its rules in tables of its own so that
/// flushing or deleting them never touches anyone else's.
public struct NFTTable: Sendable, Hashable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Present but not hooked: no packet sees its base chains.
        public static let dormant = Flags(rawValue: UInt32(NFT_TABLE_F_DORMANT.rawValue))
        /// The table dies with the netlink socket that created it (kernel 5.12+).
        public static let owner = Flags(rawValue: UInt32(NFT_TABLE_F_OWNER.rawValue))
    }

    public var id: NFTTableID
    public var flags: Flags
    public var comment: String?

    public init(_ family: NFTFamily, _ name: String, flags: Flags = [], comment: String? = nil) {
        self.id = NFTTableID(family, name)
        self.flags = flags
        self.comment = comment
    }

    public var family: NFTFamily { id.family }
    public var name: String { id.name }
}
