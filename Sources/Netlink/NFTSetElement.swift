import Glibc

/// One element of a set or map.
public struct NFTSetElement: Sendable, Hashable, CustomStringConvertible {
    public var key: NFTKey
    /// Upper bound of a range in a concatenated interval set (`10.0.0.0/8 . 80-90`).
    public var keyEnd: NFTKey?
    /// Marks the end of a range in a one-field interval set (see `interval(_:_:)`).
    public var isIntervalEnd: Bool
    public var data: Data?
    /// Overrides the set's default lifetime (the set needs the `.timeout` flag).
    public var timeout: Duration?
    public var comment: String?

    public enum Data: Sendable, Hashable, CustomStringConvertible {
        case verdict(NFTVerdict)
        case value(NFTKey)

        public var description: String {
            switch self {
            case .verdict(let v): v.description
            case .value(let k): k.description
            }
        }
    }

    public init(_ key: NFTKey, keyEnd: NFTKey? = nil, isIntervalEnd: Bool = false, data: Data? = nil,
                timeout: Duration? = nil, comment: String? = nil) {
        self.key = key
        self.keyEnd = keyEnd
        self.isIntervalEnd = isIntervalEnd
        self.data = data
        self.timeout = timeout
        self.comment = comment
    }

    /// A verdict-map element: `10.96.0.1 . tcp . 443 : goto svc-abc`.
    public init(_ key: NFTKey, _ verdict: NFTVerdict, timeout: Duration? = nil, comment: String? = nil) {
        self.init(key, data: .verdict(verdict), timeout: timeout, comment: comment)
    }

    /// A data-map element: `1.2.3.4 : 10.0.0.1 . 80`.
    public init(_ key: NFTKey, value: NFTKey, timeout: Duration? = nil, comment: String? = nil) {
        self.init(key, data: .value(value), timeout: timeout, comment: comment)
    }

    public var description: String {
        var text = key.description
        if let keyEnd { text += "-" + keyEnd.description }
        if isIntervalEnd { text += " (end)" }
        if let data { text += " : " + data.description }
        return text
    }

    /// The elements a one-field interval set stores for an inclusive range: the kernel's
    /// rbtree keeps a start element and an end element flagged INTERVAL_END that holds the
    /// first value *after* the range; a range reaching the top of the type has no end element.
    public static func interval(_ first: NFTValue, _ last: NFTValue, data: Data? = nil) -> [NFTSetElement] {
        let start = NFTSetElement(NFTKey(first), data: data)
        guard let after = last.successor else { return [start] }
        return [start, NFTSetElement(NFTKey(after), isIntervalEnd: true)]
    }

    /// `10.244.0.0/16` in a one-field interval set of `ipv4_addr` or `ipv6_addr`; nil if the
    /// text is not a prefix.
    public static func prefix(_ cidr: String, data: Data? = nil) -> [NFTSetElement]? {
        guard let (first, last) = NFTValue.prefixRange(cidr) else { return nil }
        return interval(first, last, data: data)
    }
}

extension NFTValue {
    /// The next value in big-endian order, or nil past the top (used for range ends).
    var successor: NFTValue? {
        var b = bytes
        var i = b.count - 1
        while i >= 0 {
            if b[i] == 0xff { b[i] = 0; i -= 1 } else { b[i] += 1; return NFTValue(kind: kind, bytes: b) }
        }
        return nil
    }

    /// First and last address of `a.b.c.d/n` (or an IPv6 prefix).
    static func prefixRange(_ cidr: String) -> (NFTValue, NFTValue)? {
        guard let (address, length) = parsePrefix(cidr) else { return nil }
        let mask = prefixMask(bytes: address.count, length: length)
        let a = address.bytes
        let first = zip(a, mask).map { $0 & $1 }
        let last = zip(a, mask).map { $0 | ~$1 }
        return (NFTValue(kind: address.kind, bytes: first), NFTValue(kind: address.kind, bytes: last))
    }

    /// Splits `addr/len`; a bare address is a full-length prefix.
    static func parsePrefix(_ cidr: String) -> (NFTValue, Int)? {
        let parts = cidr.split(separator: "/", maxSplits: 1)
        guard let address = NFTValue(ip: String(parts[0])) else { return nil }
        let bits = address.count * 8
        guard parts.count == 2 else { return (address, bits) }
        guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
        return (address, length)
    }

    static func prefixMask(bytes: Int, length: Int) -> [UInt8] {
        (0..<bytes).map { i in
            let bitsHere = max(0, min(8, length - i * 8))
            return bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
        }
    }
}
