internal import CNetfilter

/// Turns expressions into libnftnl expression objects, attribute for attribute what nft
/// sends (checked with `nft --debug=mnl`).
extension NFTExpr {
    /// The expression as a libnftnl object, owned by the caller (normally handed to a rule).
    /// `anonymousSet` is the name and batch-local id the batch gave this expression's
    /// anonymous set; `setID` the id of a named set created earlier in the same batch.
    func makeNftnl(anonymousSet: (name: String, id: UInt32)? = nil, setID: UInt32? = nil) -> OpaquePointer {
        switch self {
        case .payload(let base, let offset, let length, let register):
            let e = Nftnl("payload")
            e.u32(NFTNL_EXPR_PAYLOAD_DREG, register.rawValue)
            e.u32(NFTNL_EXPR_PAYLOAD_BASE, base.rawValue)
            e.u32(NFTNL_EXPR_PAYLOAD_OFFSET, offset)
            e.u32(NFTNL_EXPR_PAYLOAD_LEN, length)
            return e.pointer
        case .meta(let key, let register):
            let e = Nftnl("meta")
            e.u32(NFTNL_EXPR_META_KEY, key.rawValue)
            e.u32(NFTNL_EXPR_META_DREG, register.rawValue)
            return e.pointer
        case .metaSet(let key, let register):
            let e = Nftnl("meta")
            e.u32(NFTNL_EXPR_META_KEY, key.rawValue)
            e.u32(NFTNL_EXPR_META_SREG, register.rawValue)
            return e.pointer
        case .ct(let key, let direction, let register):
            let e = Nftnl("ct")
            e.u32(NFTNL_EXPR_CT_DREG, register.rawValue)
            e.u32(NFTNL_EXPR_CT_KEY, key.rawValue)
            if let direction { e.u8(NFTNL_EXPR_CT_DIR, direction.rawValue) }
            return e.pointer
        case .cmp(let op, let register, let data):
            let e = Nftnl("cmp")
            e.u32(NFTNL_EXPR_CMP_SREG, register.rawValue)
            e.u32(NFTNL_EXPR_CMP_OP, op.rawValue)
            e.data(NFTNL_EXPR_CMP_DATA, data)
            return e.pointer
        case .bitwise(let from, let into, let mask, let xor):
            precondition(mask.count == xor.count, "bitwise mask and xor have the register's length")
            let e = Nftnl("bitwise")
            e.u32(NFTNL_EXPR_BITWISE_SREG, from.rawValue)
            e.u32(NFTNL_EXPR_BITWISE_DREG, into.rawValue)
            e.u32(NFTNL_EXPR_BITWISE_LEN, UInt32(mask.count))
            e.data(NFTNL_EXPR_BITWISE_MASK, mask)
            e.data(NFTNL_EXPR_BITWISE_XOR, xor)
            return e.pointer
        case .immediate(let register, let data):
            let e = Nftnl("immediate")
            e.u32(NFTNL_EXPR_IMM_DREG, register.rawValue)
            e.data(NFTNL_EXPR_IMM_DATA, data)
            return e.pointer
        case .verdict(let verdict):
            let e = Nftnl("immediate")
            e.u32(NFTNL_EXPR_IMM_DREG, NFTRegister.verdict.rawValue)
            e.u32(NFTNL_EXPR_IMM_VERDICT, UInt32(bitPattern: verdict.code))
            if let chain = verdict.chain { e.string(NFTNL_EXPR_IMM_CHAIN, chain) }
            return e.pointer
        case .lookup(let register, let set, let into, let inverted):
            let e = Nftnl("lookup")
            e.u32(NFTNL_EXPR_LOOKUP_SREG, register.rawValue)
            if let into { e.u32(NFTNL_EXPR_LOOKUP_DREG, into.rawValue) }
            switch set {
            case .named(let name):
                e.string(NFTNL_EXPR_LOOKUP_SET, name)
                if let setID { e.u32(NFTNL_EXPR_LOOKUP_SET_ID, setID) }
            case .anonymous:
                guard let anonymousSet else { preconditionFailure("the batch names anonymous sets") }
                e.string(NFTNL_EXPR_LOOKUP_SET, anonymousSet.name)
                e.u32(NFTNL_EXPR_LOOKUP_SET_ID, anonymousSet.id)
            }
            if inverted { e.u32(NFTNL_EXPR_LOOKUP_FLAGS, UInt32(NFT_LOOKUP_F_INV.rawValue)) }
            return e.pointer
        case .numgen(let type, let modulus, let offset, let register):
            let e = Nftnl("numgen")
            e.u32(NFTNL_EXPR_NG_DREG, register.rawValue)
            e.u32(NFTNL_EXPR_NG_MODULUS, modulus)
            e.u32(NFTNL_EXPR_NG_TYPE, type.rawValue)
            e.u32(NFTNL_EXPR_NG_OFFSET, offset)
            return e.pointer
        case .nat(let nat):
            let e = Nftnl("nat")
            e.u32(NFTNL_EXPR_NAT_TYPE, nat.kind.rawValue)
            e.u32(NFTNL_EXPR_NAT_FAMILY, UInt32(nat.family.rawValue))
            if let r = nat.addressMin { e.u32(NFTNL_EXPR_NAT_REG_ADDR_MIN, r.rawValue) }
            if let r = nat.addressMax { e.u32(NFTNL_EXPR_NAT_REG_ADDR_MAX, r.rawValue) }
            if let r = nat.portMin { e.u32(NFTNL_EXPR_NAT_REG_PROTO_MIN, r.rawValue) }
            if let r = nat.portMax { e.u32(NFTNL_EXPR_NAT_REG_PROTO_MAX, r.rawValue) }
            if nat.flags != 0 { e.u32(NFTNL_EXPR_NAT_FLAGS, nat.flags) }
            return e.pointer
        case .masquerade(let flags):
            let e = Nftnl("masq")
            if flags != 0 { e.u32(NFTNL_EXPR_MASQ_FLAGS, flags) }
            return e.pointer
        case .counter:
            return Nftnl("counter").pointer
        case .reject(let reject):
            let e = Nftnl("reject")
            e.u32(NFTNL_EXPR_REJECT_TYPE, reject.type)
            e.u8(NFTNL_EXPR_REJECT_CODE, reject.code)
            return e.pointer
        case .limit(let rate, let unit, let burst, let bytes, let inverted):
            let e = Nftnl("limit")
            e.u64(NFTNL_EXPR_LIMIT_RATE, rate)
            e.u64(NFTNL_EXPR_LIMIT_UNIT, unit.rawValue)
            e.u32(NFTNL_EXPR_LIMIT_BURST, burst)
            e.u32(NFTNL_EXPR_LIMIT_TYPE, bytes ? UInt32(NFT_LIMIT_PKT_BYTES.rawValue) : UInt32(NFT_LIMIT_PKTS.rawValue))
            e.u32(NFTNL_EXPR_LIMIT_FLAGS, inverted ? UInt32(NFT_LIMIT_F_INV.rawValue) : 0)
            return e.pointer
        case .dynset(let op, let set, let key, let data, let timeout):
            let e = Nftnl("dynset")
            e.u32(NFTNL_EXPR_DYNSET_SREG_KEY, key.rawValue)
            if let data { e.u32(NFTNL_EXPR_DYNSET_SREG_DATA, data.rawValue) }
            e.u32(NFTNL_EXPR_DYNSET_OP, op.rawValue)
            if let timeout { e.u64(NFTNL_EXPR_DYNSET_TIMEOUT, timeout.milliseconds) }
            e.string(NFTNL_EXPR_DYNSET_SET_NAME, set)
            if let setID { e.u32(NFTNL_EXPR_DYNSET_SET_ID, setID) }
            return e.pointer
        }
    }

    /// The set a lookup or dynset names, so the batch can add the id of a set it created.
    var namedSet: String? {
        switch self {
        case .lookup(_, .named(let name), _, _): name
        case .dynset(_, let set, _, _, _): set
        default: nil
        }
    }

    /// An upper bound of the bytes this expression takes in a message: libnftnl writes
    /// without bounds checks, so the batch reserves at least this much.
    var encodedSizeBound: Int {
        // nest + name + data nest + up to eight scalar attributes of 12 bytes
        let fixed = 4 + 20 + 4 + 8 * 12
        switch self {
        case .cmp(_, _, let d), .immediate(_, let d): return fixed + 16 + d.count
        case .bitwise(_, _, let m, let x): return fixed + 32 + m.count + x.count
        case .verdict(let v): return fixed + 32 + (v.chain?.utf8.count ?? 0)
        case .lookup(_, .named(let name), _, _): return fixed + 8 + name.utf8.count
        case .lookup(_, .anonymous, _, _): return fixed + 32
        case .dynset(_, let set, _, _, _): return fixed + 8 + set.utf8.count
        default: return fixed
        }
    }
}

extension Duration {
    /// Netlink carries timeouts in milliseconds.
    var milliseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds) / 1_000_000_000_000_000)
    }
}

/// A thin wrapper over one `nftnl_expr` being filled in; libnftnl copies every value it is given.
struct Nftnl {
    let pointer: OpaquePointer

    init(_ name: String) {
        guard let e = nftnl_expr_alloc(name) else { fatalError("libnftnl has no expression \(name)") }
        pointer = e
    }

    func u8(_ attribute: Int, _ value: UInt8) { nftnl_expr_set_u8(pointer, UInt16(attribute), value) }
    func u32(_ attribute: Int, _ value: UInt32) { nftnl_expr_set_u32(pointer, UInt16(attribute), value) }
    func u64(_ attribute: Int, _ value: UInt64) { nftnl_expr_set_u64(pointer, UInt16(attribute), value) }
    func string(_ attribute: Int, _ value: String) { _ = nftnl_expr_set_str(pointer, UInt16(attribute), value) }
    func data(_ attribute: Int, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { nftnl_expr_set(pointer, UInt16(attribute), $0.baseAddress, UInt32($0.count)) }
    }
}
