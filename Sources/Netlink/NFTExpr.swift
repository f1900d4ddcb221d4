internal import CNetfilter

/// One nf_tables expression: the kernel's bytecode, one-to-one with what
/// `nft --debug=netlink` prints between brackets. Rules are lists of these; `NFT` builds
/// the sequences nft itself would emit for familiar statements.
public enum NFTExpr: Sendable, Hashable {
    /// `[ payload load 4b @ network header + 16 => reg 1 ]`
    case payload(base: PayloadBase, offset: UInt32, length: UInt32, into: NFTRegister)
    /// `[ meta load l4proto => reg 1 ]`
    case meta(MetaKey, into: NFTRegister)
    /// `[ meta set mark with reg 1 ]`
    case metaSet(MetaKey, from: NFTRegister)
    /// `[ ct load dst_ip => reg 1 , dir original ]`
    case ct(CtKey, direction: CtDirection? = nil, into: NFTRegister)
    /// `[ cmp eq reg 1 0x0100000a ]` — data in register byte layout.
    case cmp(CmpOp, NFTRegister, [UInt8])
    /// `[ bitwise reg 1 = ( reg 1 & mask ) ^ xor ]` — CIDR masks and mark arithmetic.
    case bitwise(from: NFTRegister, into: NFTRegister, mask: [UInt8], xor: [UInt8])
    /// `[ immediate reg 1 0x0100000a ]`
    case immediate(NFTRegister, [UInt8])
    /// `[ immediate reg 0 goto -> svc-abc ]`
    case verdict(NFTVerdict)
    /// `[ lookup reg 1 set service-ips dreg 0 ]` — a set membership test, or with `into` a
    /// map lookup (`.verdict` for a vmap).
    case lookup(NFTRegister, set: NFTSetReference, into: NFTRegister? = nil, inverted: Bool = false)
    /// `[ numgen reg 1 = random mod 2 ]`
    case numgen(NumgenType, modulus: UInt32, offset: UInt32 = 0, into: NFTRegister)
    /// `[ nat dnat ip addr_min reg 1 proto_min reg 2 flags 0x2 ]`
    case nat(NAT)
    /// `[ masq ]`, `[ masq flags 0x10 ]`
    case masquerade(flags: UInt32 = 0)
    /// `[ counter pkts 0 bytes 0 ]`
    case counter
    /// `[ reject type 1 code 0 ]`
    case reject(Reject)
    /// `[ limit rate 10/second burst 5 type packets flags 0x0 ]`
    case limit(rate: UInt64, per: LimitUnit, burst: UInt32 = 5, bytes: Bool = false, inverted: Bool = false)
    /// `[ dynset update reg_key 1 set aff ]` — `update @set { key }` from the packet path.
    case dynset(DynsetOp, set: String, key: NFTRegister, data: NFTRegister? = nil, timeout: Duration? = nil)

    public enum PayloadBase: UInt32, Sendable, Hashable {
        case link = 0, network = 1, transport = 2
    }

    public enum MetaKey: Sendable, Hashable {
        case length, `protocol`, mark, iif, oif, iifname, oifname, nfproto, l4proto, skuid, skgid

        var rawValue: UInt32 {
            switch self {
            case .length: NFT_META_LEN.rawValue
            case .protocol: NFT_META_PROTOCOL.rawValue
            case .mark: NFT_META_MARK.rawValue
            case .iif: NFT_META_IIF.rawValue
            case .oif: NFT_META_OIF.rawValue
            case .iifname: NFT_META_IIFNAME.rawValue
            case .oifname: NFT_META_OIFNAME.rawValue
            case .nfproto: NFT_META_NFPROTO.rawValue
            case .l4proto: NFT_META_L4PROTO.rawValue
            case .skuid: NFT_META_SKUID.rawValue
            case .skgid: NFT_META_SKGID.rawValue
            }
        }
    }

    public enum CtKey: Sendable, Hashable {
        case state, direction, status, mark, srcIP, dstIP, srcIP6, dstIP6, protoSrc, protoDst

        var rawValue: UInt32 {
            switch self {
            case .state: NFT_CT_STATE.rawValue
            case .direction: NFT_CT_DIRECTION.rawValue
            case .status: NFT_CT_STATUS.rawValue
            case .mark: NFT_CT_MARK.rawValue
            case .srcIP: NFT_CT_SRC_IP.rawValue
            case .dstIP: NFT_CT_DST_IP.rawValue
            case .srcIP6: NFT_CT_SRC_IP6.rawValue
            case .dstIP6: NFT_CT_DST_IP6.rawValue
            case .protoSrc: NFT_CT_PROTO_SRC.rawValue
            case .protoDst: NFT_CT_PROTO_DST.rawValue
            }
        }
    }

    public enum CtDirection: UInt8, Sendable, Hashable {
        case original = 0, reply = 1
    }

    public enum CmpOp: Sendable, Hashable {
        case eq, neq, lt, lte, gt, gte

        var rawValue: UInt32 {
            switch self {
            case .eq: NFT_CMP_EQ.rawValue
            case .neq: NFT_CMP_NEQ.rawValue
            case .lt: NFT_CMP_LT.rawValue
            case .lte: NFT_CMP_LTE.rawValue
            case .gt: NFT_CMP_GT.rawValue
            case .gte: NFT_CMP_GTE.rawValue
            }
        }
    }

    public enum NumgenType: UInt32, Sendable, Hashable {
        case incremental = 0, random = 1
    }

    public enum LimitUnit: UInt64, Sendable, Hashable {
        case second = 1, minute = 60, hour = 3600, day = 86400
    }

    public enum DynsetOp: UInt32, Sendable, Hashable {
        case add = 0, update = 1, delete = 2
    }

    /// Source or destination NAT to addresses and ports held in registers.
    public struct NAT: Sendable, Hashable {
        public enum Kind: UInt32, Sendable, Hashable { case snat = 0, dnat = 1 }

        public var kind: Kind
        /// The family of the addresses (ip or ip6; never inet).
        public var family: NFTFamily
        public var addressMin: NFTRegister?
        public var addressMax: NFTRegister?
        public var portMin: NFTRegister?
        public var portMax: NFTRegister?
        /// `NF_NAT_RANGE_*`; `portMin` adds PROTO_SPECIFIED as nft does.
        public var flags: UInt32

        public init(_ kind: Kind, family: NFTFamily, addressMin: NFTRegister? = nil, addressMax: NFTRegister? = nil,
                    portMin: NFTRegister? = nil, portMax: NFTRegister? = nil, flags: UInt32 = 0) {
            self.kind = kind
            self.family = family
            self.addressMin = addressMin
            self.addressMax = addressMax
            self.portMin = portMin
            self.portMax = portMax
            self.flags = flags
        }

        // linux/netfilter/nf_nat.h
        public static let mapIPs: UInt32 = 0x1
        public static let protoSpecified: UInt32 = 0x2
        public static let protoRandom: UInt32 = 0x4
        public static let persistent: UInt32 = 0x8
        public static let protoRandomFully: UInt32 = 0x10
    }

    /// How to refuse a packet.
    public enum Reject: Sendable, Hashable {
        /// `reject with tcp reset`
        case tcpReset
        /// `reject with icmp type …` (IPv4 only; 3 = port unreachable)
        case icmp(code: UInt8)
        /// `reject with icmpv6 type …` (IPv6 only; 4 = port unreachable)
        case icmpv6(code: UInt8)
        /// `reject with icmpx type …`, right for both families in an inet table.
        case icmpx(ICMPxCode)

        public enum ICMPxCode: UInt8, Sendable, Hashable {
            case noRoute = 0, portUnreachable = 1, hostUnreachable = 2, adminProhibited = 3
        }

        var type: UInt32 {
            switch self {
            case .tcpReset: UInt32(NFT_REJECT_TCP_RST.rawValue)
            case .icmp, .icmpv6: UInt32(NFT_REJECT_ICMP_UNREACH.rawValue)
            case .icmpx: UInt32(NFT_REJECT_ICMPX_UNREACH.rawValue)
            }
        }

        var code: UInt8 {
            switch self {
            case .tcpReset: 0
            case .icmp(let c), .icmpv6(let c): c
            case .icmpx(let c): c.rawValue
            }
        }
    }
}

/// The set a `lookup` reads: one defined by name, or one written inside the rule.
public enum NFTSetReference: Sendable, Hashable {
    case named(String)
    case anonymous(NFTAnonymousSet)
}
