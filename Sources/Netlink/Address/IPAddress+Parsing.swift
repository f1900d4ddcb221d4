/// Text → IPAddress, accepting what Kubernetes accepts: `netutils.ParseIPSloppy` takes IPv4 octets
/// with leading zeros as decimal (the API server let such values in before 1.20, so old objects
/// still carry them). No zones (`%eth0`), no surrounding spaces: the API never stores those.
extension IPAddress {
    /// Parses an IPv4 or IPv6 literal; nil when it is not one.
    public init?(_ text: String) {
        var utf8 = Array(text.utf8)
        if utf8.isEmpty { return nil }
        if utf8.contains(UInt8(ascii: ":")) {
            guard let (high, low) = Self.parseIPv6(&utf8) else { return nil }
            // IPv4-mapped (::ffff:a.b.c.d) counts as IPv4, as Go's To4() says.
            if high == 0 && (low >> 32) == 0xFFFF {
                self.init(ipv4: UInt32(truncatingIfNeeded: low))
            } else {
                self.init(ipv6High: high, low: low)
            }
        } else {
            guard let value = Self.parseIPv4(utf8[...]) else { return nil }
            self.init(ipv4: value)
        }
    }

    /// Dotted quad; each part decimal digits worth at most 255 (leading zeros allowed).
    static func parseIPv4(_ chars: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var part: UInt32 = 0
        var digits = 0
        for c in chars {
            if c == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                part = 0
                digits = 0
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                part = part * 10 + UInt32(c - UInt8(ascii: "0"))
                digits += 1
                guard part <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    private static func hexValue(_ c: UInt8) -> UInt16? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt16(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt16(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt16(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// RFC 4291 text: up to eight groups of 1–4 hex digits, one `::`, an optional dotted quad
    /// in the last 32 bits.
    static func parseIPv6(_ chars: inout [UInt8]) -> (UInt64, UInt64)? {
        let colon = UInt8(ascii: ":")
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var ellipsis: Int?
        var i = 0
        let n = chars.count
        if n >= 2 && chars[0] == colon && chars[1] == colon {
            ellipsis = 0
            i = 2
        } else if n >= 1 && chars[0] == colon {
            return nil
        }
        while i < n {
            var j = i
            var value: UInt16 = 0
            while j < n, j - i < 4, let h = hexValue(chars[j]) {
                value = value << 4 | h
                j += 1
            }
            if j < n && chars[j] == UInt8(ascii: ".") {
                // Embedded IPv4: must be the last thing and fit in the last two groups.
                guard groups.count <= 6, let v4 = parseIPv4(chars[i..<n]) else { return nil }
                groups.append(UInt16(truncatingIfNeeded: v4 >> 16))
                groups.append(UInt16(truncatingIfNeeded: v4))
                i = n
                break
            }
            guard j > i else { return nil }
            if j < n && hexValue(chars[j]) != nil { return nil } // a fifth hex digit
            groups.append(value)
            guard groups.count <= 8 else { return nil }
            i = j
            if i == n { break }
            guard chars[i] == colon else { return nil }
            i += 1
            if i < n && chars[i] == colon {
                guard ellipsis == nil else { return nil }
                ellipsis = groups.count
                i += 1
            } else if i == n {
                return nil // a trailing single colon
            }
        }
        if let at = ellipsis {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: at)
        } else {
            guard groups.count == 8 else { return nil }
        }
        var high: UInt64 = 0, low: UInt64 = 0
        for k in 0..<4 { high = high << 16 | UInt64(groups[k]) }
        for k in 4..<8 { low = low << 16 | UInt64(groups[k]) }
        return (high, low)
    }
}
