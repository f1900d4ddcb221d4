internal import CNetfilter
import Glibc

/// A packet field nft can load: the left-hand side of a match or a member of a concatenated key.
public enum NFTField: Sendable, Hashable {
    case ipSaddr, ipDaddr, ip6Saddr, ip6Daddr
    /// `th sport`/`th dport`: the transport header's ports, whatever the protocol
    /// (TCP, UDP and SCTP keep them at the same offsets).
    case thSport, thDport
    case l4proto, nfproto, mark, iifname, oifname
    /// `ct original ip daddr`: the address a connection was first sent to, before DNAT.
    case ctOriginalIPDaddr, ctOriginalIP6Daddr

    public var dataType: NFTDataType {
        switch self {
        case .ipSaddr, .ipDaddr, .ctOriginalIPDaddr: .ipv4Addr
        case .ip6Saddr, .ip6Daddr, .ctOriginalIP6Daddr: .ipv6Addr
        case .thSport, .thDport: .inetService
        case .l4proto: .inetProto
        case .nfproto: .nfproto
        case .mark: .mark
        case .iifname, .oifname: .ifname
        }
    }

    /// The network protocol the field needs; in an inet table nft guards such a load with
    /// `meta nfproto ipv4` (or ipv6) so an IPv6 packet is never read as IPv4. The ct
    /// addresses need no guard: the kernel itself breaks when the connection's family differs.
    var requiredNFProto: UInt8? {
        switch self {
        case .ipSaddr, .ipDaddr: UInt8(NFPROTO_IPV4)
        case .ip6Saddr, .ip6Daddr: UInt8(NFPROTO_IPV6)
        default: nil
        }
    }

    public func load(into register: NFTRegister) -> NFTExpr {
        switch self {
        case .ipSaddr: .payload(base: .network, offset: 12, length: 4, into: register)
        case .ipDaddr: .payload(base: .network, offset: 16, length: 4, into: register)
        case .ip6Saddr: .payload(base: .network, offset: 8, length: 16, into: register)
        case .ip6Daddr: .payload(base: .network, offset: 24, length: 16, into: register)
        case .thSport: .payload(base: .transport, offset: 0, length: 2, into: register)
        case .thDport: .payload(base: .transport, offset: 2, length: 2, into: register)
        case .l4proto: .meta(.l4proto, into: register)
        case .nfproto: .meta(.nfproto, into: register)
        case .mark: .meta(.mark, into: register)
        case .iifname: .meta(.iifname, into: register)
        case .oifname: .meta(.oifname, into: register)
        case .ctOriginalIPDaddr: .ct(.dstIP, direction: .original, into: register)
        case .ctOriginalIP6Daddr: .ct(.dstIP6, direction: .original, into: register)
        }
    }
}

/// The expression sequences nft builds for the statements the proxy writes, checked
/// against `nft --debug=netlink`. Each function returns one statement's worth; a rule is
/// their concatenation. `family` is the table's: in `inet` tables address matches get
/// nft's `meta nfproto` guard, in `ip`/`ip6` tables they do not need it.
public enum NFT {
    /// `meta nfproto ipv4` when `fields` need it in this family (once, as nft does).
    public static func dependency(of fields: [NFTField], family: NFTFamily) -> [NFTExpr] {
        guard family == .inet, let proto = fields.lazy.compactMap(\.requiredNFProto).first else { return [] }
        return [.meta(.nfproto, into: .r1), .cmp(.eq, .r1, [proto])]
    }

    /// `ip daddr 10.0.0.1`, `meta l4proto tcp`, `th dport != 53`, `meta iifname "eth0"`.
    public static func match(_ field: NFTField, _ op: NFTExpr.CmpOp = .eq, _ value: NFTValue,
                             family: NFTFamily) -> [NFTExpr] {
        dependency(of: [field], family: family) + [field.load(into: .r1), .cmp(op, .r1, value.bytes)]
    }

    /// `ip saddr 10.244.0.0/16` (or `!=`). Like nft: a prefix on a byte boundary loads only
    /// those bytes; otherwise the whole address is loaded and masked. nil for a bad prefix.
    public static func match(_ field: NFTField, prefix cidr: String, negated: Bool = false,
                             family: NFTFamily) -> [NFTExpr]? {
        guard let (address, length) = NFTValue.parsePrefix(cidr),
              address.count == field.dataType.size else { return nil }
        let op: NFTExpr.CmpOp = negated ? .neq : .eq
        let bytes = address.count
        guard case .payload(let base, let offset, _, _) = field.load(into: .r1) else { return nil }
        let mask = NFTValue.prefixMask(bytes: bytes, length: length)
        let network = zip(address.bytes, mask).map { $0 & $1 }
        var exprs = dependency(of: [field], family: family)
        if length % 8 == 0 {
            let n = length / 8
            guard n > 0 else { return exprs }
            exprs += [.payload(base: base, offset: offset, length: UInt32(n), into: .r1),
                      .cmp(op, .r1, Array(network.prefix(n)))]
        } else {
            exprs += [.payload(base: base, offset: offset, length: UInt32(bytes), into: .r1),
                      .bitwise(from: .r1, into: .r1, mask: mask, xor: [UInt8](repeating: 0, count: bytes)),
                      .cmp(op, .r1, network)]
        }
        return exprs
    }

    /// Loads `fields` as one concatenated key, each into the next free 32-bit slot:
    /// `ip daddr . meta l4proto . th dport` goes to reg 1, reg 9, reg 10.
    public static func load(_ fields: [NFTField], family: NFTFamily) -> [NFTExpr] {
        var exprs = dependency(of: fields, family: family)
        var slot = 0
        for field in fields {
            exprs.append(field.load(into: .concatenation(slot: slot)))
            slot += (field.dataType.size + 3) / 4
        }
        precondition(slot <= 16, "a concatenated key fits in sixteen 32-bit registers")
        return exprs
    }

    /// `ip saddr . ip daddr @set` (or `!= @set`).
    public static func lookup(_ fields: [NFTField], set: String, negated: Bool = false,
                              family: NFTFamily) -> [NFTExpr] {
        load(fields, family: family) + [.lookup(.r1, set: .named(set), inverted: negated)]
    }

    /// `ip daddr . meta l4proto . th dport vmap @service-ips`
    public static func vmap(_ fields: [NFTField], map: String, family: NFTFamily) -> [NFTExpr] {
        load(fields, family: family) + [.lookup(.r1, set: .named(map), into: .verdict)]
    }

    /// `numgen random mod N vmap { 0 : goto a, 1 : goto b, … }`: the load balancing of a
    /// service chain over its endpoints, through an anonymous constant map.
    public static func numgenVmap(_ verdicts: [NFTVerdict], type: NFTExpr.NumgenType = .random) -> [NFTExpr] {
        let elements = verdicts.enumerated().map { i, v in NFTSetElement([.integer(UInt32(i))], v) }
        let map = NFTAnonymousSet(key: [.integer], data: .verdict, elements: elements)
        return [.numgen(type, modulus: UInt32(verdicts.count), into: .r1),
                .lookup(.r1, set: .anonymous(map), into: .verdict)]
    }

    /// The same uniform choice as `numgenVmap`, as a cascade of rules (what iptables did with
    /// `statistic`): rule i is `numgen random mod (N−i) == 0 goto endpoint i`, the last rule
    /// takes the rest. Returns one expression list per rule, in order.
    ///
    /// Why it exists: the kernel keeps a table's sets in a list, so every anonymous set costs
    /// time linear in the number of sets (10,000 services with a numgen vmap each take ~15 s to
    /// commit, on 6.18, whether sent by nft or by us), and a verdict map shared by many rules
    /// is validated per element per rule. Plain rules and chains stay linear: 10,000 services
    /// in a cascade commit in a fraction of a second.
    public static func numgenCascade(_ verdicts: [NFTVerdict]) -> [[NFTExpr]] {
        verdicts.enumerated().map { i, verdict in
            let remaining = verdicts.count - i
            guard remaining > 1 else { return [.verdict(verdict)] }
            return [.numgen(.random, modulus: UInt32(remaining), into: .r1),
                    .cmp(.eq, .r1, NFTValue.integer(0).bytes),
                    .verdict(verdict)]
        }
    }

    /// `dnat ip to 10.0.0.1:80` (or without a port): immediates into reg 1 and reg 2, then
    /// `nat`. The caller matches the protocol first (nft insists on `meta l4proto` for a port).
    public static func dnat(to address: NFTValue, port: UInt16? = nil) -> [NFTExpr] {
        nat(.dnat, to: address, port: port)
    }

    /// `dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 3 map @endpoints`:
    /// picks one of `modulus` endpoints of the packet's frontend from a data map keyed
    /// `frontend . index` whose values are `address . port`. (nft 1.0.6 builds this bytecode
    /// for an anonymous map, but refuses to parse it with a named one; the kernel takes both.)
    ///
    /// Registers, as nft allocates them: the key fields, then the numgen index, each into the
    /// next 32-bit slot of one concatenation from reg 1 (IPv4 `reg 1, reg 9, reg 10, reg 11`;
    /// IPv6 `reg 1, reg 2, reg 13, reg 14`); the lookup writes `address . port` back from reg 1,
    /// so the port sits in the slot after the address (reg 9 for IPv4, reg 2 for IPv6).
    /// `address` is `.ipv4Addr` or `.ipv6Addr`; `family` is the table's (the key's address
    /// field gets nft's `meta nfproto` guard in an inet table).
    public static func dnatThroughMap(_ key: [NFTField], numgenModulus modulus: UInt32, map: String,
                                      address: NFTDataType, family: NFTFamily) -> [NFTExpr] {
        precondition(modulus > 0, "numgen needs a modulus of at least 1")
        precondition(address == .ipv4Addr || address == .ipv6Addr, "DNAT goes to an IPv4 or IPv6 address")
        let indexSlot = key.reduce(0) { $0 + ($1.dataType.size + 3) / 4 }
        precondition(indexSlot < 16, "the key and its index fit in sixteen 32-bit registers")
        let portSlot = (address.size + 3) / 4
        let nat = NFTExpr.NAT(.dnat, family: address == .ipv4Addr ? .ip : .ip6, addressMin: .r1,
                              portMin: .concatenation(slot: portSlot))
        return load(key, family: family) + [
            .numgen(.random, modulus: modulus, into: .concatenation(slot: indexSlot)),
            .lookup(.r1, set: .named(map), into: .r1),
            .nat(nat),
        ]
    }

    /// `snat ip to 10.0.0.1`
    public static func snat(to address: NFTValue, port: UInt16? = nil) -> [NFTExpr] {
        nat(.snat, to: address, port: port)
    }

    private static func nat(_ kind: NFTExpr.NAT.Kind, to address: NFTValue, port: UInt16?) -> [NFTExpr] {
        let family: NFTFamily = address.kind == .ipv6 ? .ip6 : .ip
        var exprs: [NFTExpr] = [.immediate(.r1, address.bytes)]
        var nat = NFTExpr.NAT(kind, family: family, addressMin: .r1)
        if let port {
            exprs.append(.immediate(.r2, NFTValue.inetService(port).bytes))
            nat.portMin = .r2
            nat.flags |= NFTExpr.NAT.protoSpecified
        }
        return exprs + [.nat(nat)]
    }

    /// `meta mark set meta mark | 0x4000` — OR is AND with the complement, then XOR.
    public static func setMark(or bits: UInt32) -> [NFTExpr] { markArithmetic(mask: ~bits, xor: bits) }
    /// `meta mark set meta mark ^ 0x4000`
    public static func setMark(xor bits: UInt32) -> [NFTExpr] { markArithmetic(mask: 0xffff_ffff, xor: bits) }
    /// `meta mark set meta mark & 0xffffbfff`
    public static func setMark(and bits: UInt32) -> [NFTExpr] { markArithmetic(mask: bits, xor: 0) }

    private static func markArithmetic(mask: UInt32, xor: UInt32) -> [NFTExpr] {
        [.meta(.mark, into: .r1),
         .bitwise(from: .r1, into: .r1, mask: NFTValue.mark(mask).bytes, xor: NFTValue.mark(xor).bytes),
         .metaSet(.mark, from: .r1)]
    }

    /// `meta mark & 0x4000 == 0` (`op` and `value` compare the masked mark).
    public static func matchMark(mask: UInt32, _ op: NFTExpr.CmpOp = .eq, _ value: UInt32) -> [NFTExpr] {
        [.meta(.mark, into: .r1),
         .bitwise(from: .r1, into: .r1, mask: NFTValue.mark(mask).bytes, xor: NFTValue.mark(0).bytes),
         .cmp(op, .r1, NFTValue.mark(value).bytes)]
    }

    /// Connection-tracking states, the bits of `ct state`.
    public struct CtState: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let invalid = CtState(rawValue: 1)
        public static let established = CtState(rawValue: 2)
        public static let related = CtState(rawValue: 4)
        public static let new = CtState(rawValue: 8)
        public static let untracked = CtState(rawValue: 64)
    }

    /// Connection-tracking status bits (`ct status`), the kernel's IPS_* flags.
    public struct CtStatus: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let expected = CtStatus(rawValue: 1 << 0)
        public static let seenReply = CtStatus(rawValue: 1 << 1)
        public static let assured = CtStatus(rawValue: 1 << 2)
        public static let confirmed = CtStatus(rawValue: 1 << 3)
        public static let snat = CtStatus(rawValue: 1 << 4)
        public static let dnat = CtStatus(rawValue: 1 << 5)
    }

    /// `ct status dnat` (any of the bits), or with `negated` none of them.
    public static func ctStatus(_ status: CtStatus, negated: Bool = false) -> [NFTExpr] {
        [.ct(.status, into: .r1),
         .bitwise(from: .r1, into: .r1, mask: NFTValue.integer(status.rawValue).bytes, xor: NFTValue.integer(0).bytes),
         .cmp(negated ? .eq : .neq, .r1, NFTValue.integer(0).bytes)]
    }

    /// `ct state established,related` (any of them), or with `negated` none of them.
    public static func ctState(_ states: CtState, negated: Bool = false) -> [NFTExpr] {
        [.ct(.state, into: .r1),
         .bitwise(from: .r1, into: .r1, mask: NFTValue.integer(states.rawValue).bytes, xor: NFTValue.integer(0).bytes),
         .cmp(negated ? .eq : .neq, .r1, NFTValue.integer(0).bytes)]
    }
}
