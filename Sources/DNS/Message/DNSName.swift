/// A domain name, held in its uncompressed wire form (length-prefixed labels ending in the
/// root's zero byte) with the case the sender used, so an answer can echo a query's mixed case
/// (RFC 4343; 0x20 randomisation) while comparisons and lookups ignore ASCII case.
public struct DNSName: Sendable, CustomStringConvertible {
    public static let maxLength = 255
    public static let maxLabelLength = 63
    public static let root = DNSName(validatedWire: [0])

    /// Length-prefixed labels, ending with 0.
    public let wire: [UInt8]

    init(validatedWire: [UInt8]) { wire = validatedWire }

    /// Parses presentation form ("web.default.svc.cluster.local", a trailing dot optional; "."
    /// is the root). No escapes: cluster names never need them. nil when a label is empty,
    /// longer than 63 bytes, or the name longer than 255.
    public init?(_ text: String) {
        if text == "." || text.isEmpty {
            self = .root
            return
        }
        var bytes = Substring(text).utf8[...]
        if bytes.last == UInt8(ascii: ".") { bytes = bytes.dropLast() }
        self.init(labels: bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false))
    }

    /// Builds a name from labels (each 1–63 bytes); nil when too long.
    public init?(labels: [some Collection<UInt8>]) {
        var wire: [UInt8] = []
        wire.reserveCapacity(labels.reduce(1) { $0 + 1 + $1.count })
        for label in labels {
            guard !label.isEmpty, label.count <= Self.maxLabelLength else { return nil }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard wire.count <= Self.maxLength else { return nil }
        self.wire = wire
    }

    public var isRoot: Bool { wire.count == 1 }

    /// The labels, first (leftmost) to last, without the root.
    public var labels: [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var i = 0
        while wire[i] != 0 {
            let n = Int(wire[i])
            out.append(wire[(i + 1)..<(i + 1 + n)])
            i += 1 + n
        }
        return out
    }

    public var labelCount: Int {
        var count = 0
        var i = 0
        while wire[i] != 0 {
            count += 1
            i += 1 + Int(wire[i])
        }
        return count
    }

    /// The name without its first `n` labels (the root when n ≥ labelCount).
    public func dropFirst(_ n: Int = 1) -> DNSName {
        var i = 0
        var dropped = 0
        while dropped < n && wire[i] != 0 {
            i += 1 + Int(wire[i])
            dropped += 1
        }
        return DNSName(validatedWire: Array(wire[i...]))
    }

    /// `label` + "." + self; nil when the result would be too long.
    public func prepending(_ label: some Collection<UInt8>) -> DNSName? {
        guard !label.isEmpty, label.count <= Self.maxLabelLength, wire.count + label.count + 1 <= Self.maxLength else { return nil }
        return DNSName(validatedWire: [UInt8(label.count)] + label + wire)
    }

    public func prepending(_ label: String) -> DNSName? { prepending(Array(label.utf8)) }

    /// Whether `self` is `zone` or below it (case-insensitive).
    public func isSubdomain(of zone: DNSName) -> Bool {
        guard wire.count >= zone.wire.count else { return false }
        let start = wire.count - zone.wire.count
        // The suffix must begin at a label boundary.
        var i = 0
        while i < start {
            if wire[i] == 0 { return false }
            i += 1 + Int(wire[i])
        }
        guard i == start else { return false }
        return Self.equalIgnoringCase(wire[start...], zone.wire[...])
    }

    /// Lowercase dotted text without the trailing dot ("" for the root): the key cluster
    /// records are indexed by.
    public var key: String {
        var out: [UInt8] = []
        out.reserveCapacity(wire.count)
        var i = 0
        while wire[i] != 0 {
            if !out.isEmpty { out.append(UInt8(ascii: ".")) }
            let n = Int(wire[i])
            for b in wire[(i + 1)...(i + n)] { out.append(Self.lower(b)) }
            i += 1 + n
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Presentation form with the trailing dot; bytes outside printable ASCII and the special
    /// characters are escaped as \DDD, as dig prints them.
    public var description: String {
        if isRoot { return "." }
        var out = ""
        var i = 0
        while wire[i] != 0 {
            let n = Int(wire[i])
            for b in wire[(i + 1)...(i + n)] {
                switch b {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"), UInt8(ascii: "("),
                     UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    out += "\\" + String(UnicodeScalar(b))
                case 0x21...0x7e: out.unicodeScalars.append(UnicodeScalar(b))
                default:
                    let digits = String(b)
                    out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            out += "."
            i += 1 + n
        }
        return out
    }

    /// The same name in lower case.
    public func lowercased() -> DNSName {
        DNSName(validatedWire: wire.map(Self.lower))
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        b >= 0x41 && b <= 0x5a ? b | 0x20 : b
    }

    static func equalIgnoringCase(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where lower(x) != lower(y) { return false }
        return true
    }
}

extension DNSName: Hashable {
    public static func == (a: DNSName, b: DNSName) -> Bool { equalIgnoringCase(a.wire[...], b.wire[...]) }

    public func hash(into hasher: inout Hasher) {
        for b in wire { hasher.combine(Self.lower(b)) }
    }
}
