internal import CNetfilter

/// A named set, or a map when it has `data`. The proxy's dispatch is a verdict map keyed
/// `ipv4_addr . inet_proto . inet_service`: one hash lookup per packet, however many services.
public struct NFTSet: Sendable, Hashable {
    public var table: NFTTableID
    public var name: String
    /// One type, or a concatenation of several.
    public var key: [NFTDataType]
    /// What a map yields; nil for a plain set.
    public var data: NFTMapData?
    public var flags: Flags
    /// Default lifetime of elements (needs `.timeout`).
    public var timeout: Duration?
    public var gcInterval: Duration?
    /// Maximum number of elements (nft's `size`).
    public var size: UInt32?
    public var comment: String?
    /// The expressions behind `key` (nft's `typeof`), recorded in the set's user data so nft
    /// can print it; nil for a set declared by type alone.
    public var keyTypeof: [NFTTypeof]?
    /// The same for a map's data.
    public var dataTypeof: [NFTTypeof]?

    public init(table: NFTTableID, name: String, key: [NFTDataType], data: NFTMapData? = nil,
                flags: Flags = [], timeout: Duration? = nil, gcInterval: Duration? = nil,
                size: UInt32? = nil, comment: String? = nil) {
        self.table = table
        self.name = name
        self.key = key
        self.data = data
        self.flags = flags
        self.timeout = timeout
        self.gcInterval = gcInterval
        self.size = size
        self.comment = comment
    }

    /// A map: same thing with data, spelled the way one thinks of it.
    public static func map(table: NFTTableID, name: String, key: [NFTDataType], data: NFTMapData,
                           flags: Flags = [], timeout: Duration? = nil, comment: String? = nil) -> NFTSet {
        NFTSet(table: table, name: name, key: key, data: data, flags: flags, timeout: timeout, comment: comment)
    }

    /// A data map declared by expressions, as nft's
    /// `typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport`.
    public static func map(table: NFTTableID, name: String, typeof key: [NFTTypeof], data: [NFTTypeof],
                           flags: Flags = [], comment: String? = nil) -> NFTSet {
        var set = NFTSet(table: table, name: name, key: key.map(\.dataType), data: .value(data.map(\.dataType)),
                         flags: flags, comment: comment)
        set.keyTypeof = key
        set.dataTypeof = data
        return set
    }

    public var isMap: Bool { data != nil }

    /// Flags the caller chooses. `map` and `concat` are not here: they follow from `data`
    /// and from an interval key with several fields, and the encoder sets them.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Bound to one rule and gone with it (`{ … }` written inside a rule).
        public static let anonymous = Flags(rawValue: NFT_SET_ANONYMOUS.rawValue)
        /// Elements never change after creation.
        public static let constant = Flags(rawValue: NFT_SET_CONSTANT.rawValue)
        /// Keys are ranges (CIDRs, port ranges).
        public static let interval = Flags(rawValue: NFT_SET_INTERVAL.rawValue)
        /// Elements may expire.
        public static let timeout = Flags(rawValue: NFT_SET_TIMEOUT.rawValue)
        /// Rules may add elements from the packet path (`update @set { … }`, nft's `dynamic`).
        public static let dynamic = Flags(rawValue: NFT_SET_EVAL.rawValue)
    }

    /// The flags as the kernel receives them.
    var kernelFlags: UInt32 {
        var f = flags.rawValue
        if data != nil { f |= NFT_SET_MAP.rawValue }
        if flags.contains(.interval) && key.count > 1 { f |= NFT_SET_CONCAT.rawValue }
        return f
    }
}

/// What a map yields.
public enum NFTMapData: Sendable, Hashable {
    /// `: verdict` — a verdict map (`vmap`).
    case verdict
    /// `: ipv4_addr . inet_service` and the like — a value loaded into a register.
    case value([NFTDataType])

    var types: [NFTDataType] {
        switch self {
        case .verdict: [.verdict]
        case .value(let t): t
        }
    }
}

/// A set or map written inside a rule (`numgen random mod 2 vmap { 0 : goto a, 1 : goto b }`):
/// nft creates it as an anonymous, constant set in the same batch, bound to the rule.
public struct NFTAnonymousSet: Sendable, Hashable {
    public var key: [NFTDataType]
    public var data: NFTMapData?
    public var interval: Bool
    public var elements: [NFTSetElement]

    public init(key: [NFTDataType], data: NFTMapData? = nil, interval: Bool = false, elements: [NFTSetElement]) {
        self.key = key
        self.data = data
        self.interval = interval
        self.elements = elements
    }
}
