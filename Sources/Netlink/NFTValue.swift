import Glibc

/// One typed value as the kernel compares it: an address, a protocol number, a port, a mark,
/// an interface name. It holds its bytes inline (at most 16) so that building a hundred
/// thousand map elements allocates nothing per value.
public struct NFTValue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: UInt8, Sendable, Hashable {
        case ipv4, ipv6, inetProto, inetService, mark, ifname, integer, nfproto, bytes
    }

    private let high: UInt64
    private let low: UInt64
    public let kind: Kind
    /// One byte, not an Int: keys of a hundred thousand elements hold several values each,
    /// and this keeps a value at 24 bytes instead of 40.
    private let byteCount: UInt8

    public var count: Int { Int(byteCount) }

    /// Bytes exactly as they go on the wire (network order for addresses and ports,
    /// host order for marks and integers, as the kernel keeps them in registers).
    public init(kind: Kind, bytes: some Collection<UInt8>) {
        precondition(bytes.count <= 16, "an nf_tables value holds at most 16 bytes")
        var buffer = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &buffer) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        self.kind = kind
        self.byteCount = UInt8(bytes.count)
        self.high = buffer.0
        self.low = buffer.1
    }

    /// Calls `body` with the value's bytes, without copying them anywhere.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var buffer = (high, low)
        return try withUnsafeBytes(of: &buffer) { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
    }

    public var bytes: [UInt8] { withBytes { Array($0) } }

    // MARK: constructors, one per data type

    /// An IPv4 address from its dotted text; nil when it is not one.
    public init?(ipv4 text: String) {
        // Raw buffers rather than in_addr: CNetfilter's <linux/in.h> and Glibc's
        // <netinet/in.h> both define it, and Swift refuses the clash.
        var addr = [UInt8](repeating: 0, count: 4)
        guard inet_pton(AF_INET, text, &addr) == 1 else { return nil }
        self.init(kind: .ipv4, bytes: addr)
    }

    /// An IPv4 address from its numeric value (10.0.0.1 is 0x0a000001).
    public init(ipv4 value: UInt32) {
        self = withUnsafeBytes(of: value.bigEndian) { NFTValue(kind: .ipv4, bytes: $0) }
    }

    /// An IPv6 address from its text; nil when it is not one.
    public init?(ipv6 text: String) {
        var addr = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, text, &addr) == 1 else { return nil }
        self.init(kind: .ipv6, bytes: addr)
    }

    /// Either family, as the text says.
    public init?(ip text: String) {
        if let v = NFTValue(ipv4: text) { self = v } else if let v = NFTValue(ipv6: text) { self = v } else { return nil }
    }

    /// An IP protocol number (`meta l4proto`), one byte.
    public static func inetProto(_ number: UInt8) -> NFTValue { NFTValue(kind: .inetProto, bytes: [number]) }
    public static let tcp = inetProto(UInt8(IPPROTO_TCP))
    public static let udp = inetProto(UInt8(IPPROTO_UDP))
    public static let sctp = inetProto(UInt8(IPPROTO_SCTP))

    /// A transport port, two bytes in network order.
    public static func inetService(_ port: UInt16) -> NFTValue {
        withUnsafeBytes(of: port.bigEndian) { NFTValue(kind: .inetService, bytes: $0) }
    }

    /// A packet mark, four bytes in host order (the kernel keeps skb->mark as a host u32).
    public static func mark(_ mark: UInt32) -> NFTValue {
        withUnsafeBytes(of: mark) { NFTValue(kind: .mark, bytes: $0) }
    }

    /// `meta nfproto ipv4` / `ipv6`: the netfilter family of the packet, one byte.
    public static let nfprotoIPv4 = NFTValue(kind: .nfproto, bytes: [2])   // NFPROTO_IPV4
    public static let nfprotoIPv6 = NFTValue(kind: .nfproto, bytes: [10])  // NFPROTO_IPV6

    /// A 32-bit integer in host order: what `numgen` and `jhash` put in a register.
    public static func integer(_ value: UInt32) -> NFTValue {
        withUnsafeBytes(of: value) { NFTValue(kind: .integer, bytes: $0) }
    }

    /// An interface name, zero-padded to IFNAMSIZ as `meta iifname` loads it; nil if too long.
    public init?(ifname: String) {
        let utf8 = Array(ifname.utf8)
        guard utf8.count < 16, !utf8.contains(0) else { return nil }
        self.init(kind: .ifname, bytes: utf8 + [UInt8](repeating: 0, count: 16 - utf8.count))
    }

    // MARK: reading back, for error messages

    public var description: String {
        withBytes { b in
            switch kind {
            case .ipv4, .ipv6:
                var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                guard inet_ntop(kind == .ipv4 ? AF_INET : AF_INET6, b.baseAddress, &text, socklen_t(text.count)) != nil
                else { return "?" }
                return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            case .inetProto:
                switch Int32(b[0]) {
                case Int32(IPPROTO_TCP): return "tcp"
                case Int32(IPPROTO_UDP): return "udp"
                case Int32(IPPROTO_SCTP): return "sctp"
                default: return String(b[0])
                }
            case .inetService:
                return String(UInt16(b[0]) << 8 | UInt16(b[1]))
            case .mark, .integer:
                let v = b.loadUnaligned(as: UInt32.self)
                return kind == .mark ? "0x" + String(v, radix: 16) : String(v)
            case .nfproto:
                return b[0] == 2 ? "ipv4" : b[0] == 10 ? "ipv6" : String(b[0])
            case .ifname:
                return "\"" + String(decoding: b.prefix { $0 != 0 }, as: UTF8.self) + "\""
            case .bytes:
                return "0x" + b.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
            }
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A set key or map value: one value, or a concatenation (`10.96.0.1 . tcp . 443`).
public struct NFTKey: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var fields: [NFTValue]

    public init(_ fields: [NFTValue]) { self.fields = fields }
    public init(_ fields: NFTValue...) { self.fields = fields }
    public init(arrayLiteral fields: NFTValue...) { self.fields = fields }

    /// Encoded length: a lone field as it is, concatenated fields each padded to 4 bytes,
    /// because the kernel reads a concatenation from consecutive 32-bit registers.
    public var length: Int {
        fields.count == 1 ? fields[0].count : fields.reduce(0) { $0 + ($1.count + 3) & ~3 }
    }

    /// Writes the encoding to `out` (which must hold `length` bytes).
    func encode(into out: UnsafeMutableRawPointer) {
        var at = 0
        for field in fields {
            field.withBytes { b in
                out.advanced(by: at).copyMemory(from: b.baseAddress!, byteCount: b.count)
            }
            let padded = fields.count == 1 ? field.count : (field.count + 3) & ~3
            if padded > field.count {
                out.advanced(by: at + field.count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - field.count)
            }
            at += padded
        }
    }

    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            encode(into: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = length
        }
    }

    public var description: String { fields.map(\.description).joined(separator: " . ") }

    /// Reads an encoded key back with a known layout (for naming the element an error is about).
    static func decode(_ bytes: UnsafeRawBufferPointer, layout: [NFTValue.Kind], sizes: [Int]) -> NFTKey? {
        var fields: [NFTValue] = []
        var at = 0
        for (kind, size) in zip(layout, sizes) {
            guard at + size <= bytes.count else { return nil }
            fields.append(NFTValue(kind: kind, bytes: bytes[at..<at + size]))
            at += layout.count == 1 ? size : (size + 3) & ~3
        }
        return NFTKey(fields)
    }
}
