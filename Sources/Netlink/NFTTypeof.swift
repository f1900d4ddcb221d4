/// One member of a set's key or a map's data described by the expression that produces it,
/// as nft's `typeof` does (`typeof ip daddr . meta l4proto . th dport . numgen random mod 1`).
///
/// The kernel only checks lengths; nft reads this description back from the set's user data
/// to print the set (and the rules that use it). It matters where a type alone is not enough:
/// nft refuses to list a concatenation holding a plain `integer` (what `numgen` yields), and
/// reads one back from `typeof` without trouble.
public enum NFTTypeof: Sendable, Hashable {
    /// A packet field: `ip daddr`, `meta l4proto`, `th dport`, …
    case field(NFTField)
    /// `numgen random mod N`: a 32-bit integer in host order. nft records a modulus with it,
    /// which only matters for printing (`typeof … numgen random mod 1`).
    case numgen(NFTExpr.NumgenType, modulus: UInt32 = 1, offset: UInt32 = 0)

    /// The data type of the values this expression yields.
    public var dataType: NFTDataType {
        switch self {
        case .field(let field): field.dataType
        case .numgen: .integer
        }
    }

    // nft's `enum expr_types` (include/expression.h, nftables 1.0.x).
    private static let exprPayload: UInt32 = 7
    private static let exprMeta: UInt32 = 9
    private static let exprConcat: UInt32 = 13
    private static let exprNumgen: UInt32 = 23

    /// nft's `enum proto_desc_id` and the header field templates it keys `typeof` payloads by.
    private var payloadDescription: (protocol: UInt32, field: UInt32)? {
        switch self {
        case .field(.ipSaddr): (12, 11)     // PROTO_DESC_IP, IPHDR_SADDR
        case .field(.ipDaddr): (12, 12)     // PROTO_DESC_IP, IPHDR_DADDR
        case .field(.ip6Saddr): (13, 8)     // PROTO_DESC_IP6, IP6HDR_SADDR
        case .field(.ip6Daddr): (13, 9)     // PROTO_DESC_IP6, IP6HDR_DADDR
        case .field(.thSport): (11, 1)      // PROTO_DESC_TH, THDR_SPORT
        case .field(.thDport): (11, 2)      // PROTO_DESC_TH, THDR_DPORT
        default: nil
        }
    }

    private var metaKey: NFTExpr.MetaKey? {
        switch self {
        case .field(.l4proto): .l4proto
        case .field(.nfproto): .nfproto
        case .field(.mark): .mark
        case .field(.iifname): .iifname
        case .field(.oifname): .oifname
        default: nil
        }
    }

    /// The expression's record: its type, then its own attributes in a nest, as nft's
    /// `build_udata` callbacks write them. nil for what this encoder does not describe.
    private func record() -> (type: UInt32, body: UserData)? {
        var body = UserData()
        if let (proto, field) = payloadDescription {
            body.put(0, u32: proto)     // NFTNL_UDATA_SET_KEY_PAYLOAD_DESC
            body.put(1, u32: field)     // NFTNL_UDATA_SET_KEY_PAYLOAD_TYPE
            return (Self.exprPayload, body)
        }
        if let key = metaKey {
            body.put(0, u32: key.rawValue)   // NFTNL_UDATA_META_KEY
            return (Self.exprMeta, body)
        }
        if case .numgen(let type, let modulus, let offset) = self {
            body.put(0, u32: type.rawValue)  // NFTNL_UDATA_NUMGEN_TYPE
            body.put(1, u32: modulus)        // NFTNL_UDATA_NUMGEN_MODULUS
            body.put(2, u32: offset)         // NFTNL_UDATA_NUMGEN_OFFSET
            return (Self.exprNumgen, body)
        }
        return nil
    }

    /// The user data record of a whole key or data description: one expression as itself,
    /// several as a concatenation whose members are nested in order. nil if any member
    /// cannot be described (the set then goes without, as one declared by `type`).
    static func userData(_ members: [NFTTypeof]) -> UserData? {
        if members.count == 1 {
            guard let (type, body) = members[0].record() else { return nil }
            var out = UserData()
            out.put(0, u32: type)                 // NFTNL_UDATA_SET_TYPEOF_EXPR
            out.put(1, nested: body)              // NFTNL_UDATA_SET_TYPEOF_DATA
            return out
        }
        var list = UserData()
        for (i, member) in members.enumerated() {
            guard let (type, body) = member.record() else { return nil }
            var sub = UserData()
            sub.put(0, u32: type)                 // NFTNL_UDATA_SET_KEY_CONCAT_SUB_TYPE
            sub.put(1, nested: body)              // NFTNL_UDATA_SET_KEY_CONCAT_SUB_DATA
            list.put(UInt8(i), nested: sub)       // NFTNL_UDATA_SET_KEY_CONCAT_NEST + i
        }
        var out = UserData()
        out.put(0, u32: exprConcat)
        out.put(1, nested: list)
        return out
    }
}
