/// Writes DNS messages with name compression (RFC 1035 §4.1.4) and fits them to a size: when
/// the answer or authority records do not fit, the message is cut after the last whole record
/// and TC is set; additional records that do not fit are left out without TC (RFC 2181 §9),
/// except the OPT record, for which room is always kept.
public struct DNSWriter {
    public private(set) var bytes: [UInt8] = []
    /// Name suffixes already written (lowercased wire form) and their offsets, in the order
    /// they were written, so a record that does not fit can be taken back.
    private var suffixes: [(wire: ArraySlice<UInt8>, offset: Int)] = []
    /// The same suffixes hashed, built only once a message has many: a typical answer has a
    /// handful of names, and a linear scan over them is cheaper than hashing each suffix (it
    /// was a tenth of the server's time per query), while a 64 KiB answer over TCP with
    /// thousands of names must not become quadratic.
    private var suffixIndex: [ArraySlice<UInt8>: Int]?
    static let linearScanLimit = 32

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    /// The message on the wire, at most `maxSize` bytes (512 for plain UDP, the EDNS size, or
    /// 65535 over TCP).
    public static func serialize(_ message: DNSMessage, maxSize: Int = 65535) -> [UInt8] {
        var writer = DNSWriter(capacity: min(maxSize, 4096))
        writer.write(message, maxSize: maxSize)
        return writer.bytes
    }

    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v >> 8))
        bytes.append(UInt8(v & 0xFF))
    }

    mutating func u32(_ v: UInt32) {
        u16(UInt16(v >> 16))
        u16(UInt16(v & 0xFFFF))
    }

    mutating func set16(_ v: UInt16, at i: Int) {
        bytes[i] = UInt8(v >> 8)
        bytes[i + 1] = UInt8(v & 0xFF)
    }

    /// Writes `name`, pointing at an earlier copy of its longest known suffix.
    mutating func name(_ name: DNSName, compress: Bool = true) {
        let wire = name.wire
        var i = 0
        let lower = wire.map(DNSName.lower)
        while wire[i] != 0 {
            let suffix = lower[i...]
            if compress, let target = offset(of: suffix) {
                u16(0xC000 | UInt16(target))
                return
            }
            if bytes.count < 0x4000 {
                remember(suffix, at: bytes.count)
            }
            let n = Int(wire[i])
            bytes.append(contentsOf: wire[i...(i + n)])
            i += 1 + n
        }
        bytes.append(0)
    }

    private func offset(of suffix: ArraySlice<UInt8>) -> Int? {
        if let suffixIndex { return suffixIndex[suffix] }
        for known in suffixes where known.wire.count == suffix.count && known.wire.elementsEqual(suffix) {
            return known.offset
        }
        return nil
    }

    private mutating func remember(_ suffix: ArraySlice<UInt8>, at offset: Int) {
        suffixes.append((suffix, offset))
        if suffixIndex != nil {
            suffixIndex![suffix] = offset
        } else if suffixes.count > Self.linearScanLimit {
            suffixIndex = Dictionary(suffixes.map { ($0.wire, $0.offset) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Forgets the suffixes written after the first `count` (a record taken back).
    private mutating func forgetSuffixes(after count: Int) {
        if suffixIndex != nil {
            for known in suffixes[count...] { suffixIndex![known.wire] = nil }
        }
        suffixes.removeSubrange(count...)
    }

    mutating func record(_ r: DNSRecord) {
        name(r.name)
        u16(r.type.rawValue)
        u16(r.recordClass)
        u32(r.ttl)
        let lengthAt = bytes.count
        u16(0)
        switch r.data {
        case .a(let b), .aaaa(let b), .opaque(let b): bytes.append(contentsOf: b)
        case .cname(let n), .ns(let n), .ptr(let n): name(n)
        case .mx(let preference, let exchange):
            u16(preference)
            name(exchange)
        case .srv(let priority, let weight, let port, let target):
            u16(priority)
            u16(weight)
            u16(port)
            // RFC 2782: SRV targets are not compressed.
            name(target, compress: false)
        case .soa(let soa):
            name(soa.mname)
            name(soa.rname)
            u32(soa.serial)
            u32(soa.refresh)
            u32(soa.retry)
            u32(soa.expire)
            u32(soa.minimum)
        case .txt(let strings):
            for s in strings {
                // A character-string holds at most 255 bytes; longer ones are split.
                var rest = s[...]
                repeat {
                    let chunk = rest.prefix(255)
                    bytes.append(UInt8(chunk.count))
                    bytes.append(contentsOf: chunk)
                    rest = rest.dropFirst(chunk.count)
                } while !rest.isEmpty
            }
        }
        set16(UInt16(bytes.count - lengthAt - 2), at: lengthAt)
    }

    static func optRecord(_ edns: DNSMessage.EDNS, rcode: DNSResponseCode) -> DNSRecord {
        var data: [UInt8] = []
        for option in edns.options {
            data += [UInt8(option.code >> 8), UInt8(option.code & 0xFF), UInt8(option.data.count >> 8), UInt8(option.data.count & 0xFF)]
            data += option.data
        }
        let ttl = UInt32(rcode.rawValue >> 4) << 24 | UInt32(edns.version) << 16 | (edns.dnssecOK ? 0x8000 : 0)
        return DNSRecord(name: .root, type: .opt, recordClass: edns.udpPayloadSize, ttl: ttl, data: .opaque(data))
    }

    mutating func write(_ m: DNSMessage, maxSize: Int) {
        let start = bytes.count
        u16(m.id)
        var flags: UInt16 = UInt16(m.opcode & 0xF) << 11 | (m.responseCode.rawValue & 0xF)
        if m.isResponse { flags |= 0x8000 }
        if m.authoritative { flags |= 0x0400 }
        if m.truncated { flags |= 0x0200 }
        if m.recursionDesired { flags |= 0x0100 }
        if m.recursionAvailable { flags |= 0x0080 }
        if m.authenticData { flags |= 0x0020 }
        if m.checkingDisabled { flags |= 0x0010 }
        u16(flags)
        for _ in 0..<4 { u16(0) }
        let opt = m.edns.map { Self.optRecord($0, rcode: m.responseCode) }
        // Room kept for the OPT record: it is written last but must always fit.
        let optSize = opt.map { 11 + Self.dataSize($0) } ?? 0
        let limit = max(maxSize - optSize, 12)

        var counts = [0, 0, 0, 0]
        var truncated = m.truncated
        for q in m.questions {
            // Questions are never cut to fit `maxSize`, only to fit a DNS message at all: a
            // hostile query's thousands of uncompressible questions must not make an answer
            // longer than a TCP length prefix can say.
            let before = bytes.count
            let known = suffixes.count
            name(q.name)
            u16(q.type.rawValue)
            u16(q.questionClass)
            if bytes.count - start > 65535 - optSize {
                bytes.removeSubrange(before...)
                forgetSuffixes(after: known)
                truncated = true
                break
            }
            counts[0] += 1
        }
        sections: for (index, section) in [(1, m.answers), (2, m.authority), (3, m.additional)] {
            for r in section {
                let before = bytes.count
                let known = suffixes.count
                record(r)
                if bytes.count - start > limit {
                    bytes.removeSubrange(before...)
                    forgetSuffixes(after: known)
                    if index != 3 { truncated = true }
                    break sections
                }
                counts[index] += 1
            }
        }
        if let opt {
            record(opt)
            counts[3] += 1
        }
        if truncated { flags |= 0x0200 }
        set16(flags, at: start + 2)
        for (i, count) in counts.enumerated() { set16(UInt16(count), at: start + 4 + 2 * i) }
    }

    static func dataSize(_ r: DNSRecord) -> Int {
        if case .opaque(let b) = r.data { return b.count }
        return 0
    }
}
