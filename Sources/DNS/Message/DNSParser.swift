/// Why a packet is not a DNS message we can read. `id` is set once the header was read, so
/// the server can still send FORMERR to the right query.
public struct DNSWireError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var offset: Int
    public var id: UInt16?
    public var opcode: UInt8?
    public var description: String { "malformed DNS message at byte \(offset): \(reason)" }
}

/// Reads DNS messages from wire bytes. Everything is bounds-checked: compression pointers must
/// point strictly backwards (no loops), names stop at 255 bytes, labels at 63, record counts
/// must fit the bytes there are, and RDATA must be exactly as long as its RDLENGTH.
public struct DNSParser {
    let bytes: [UInt8]
    var offset = 0
    var id: UInt16?
    var opcode: UInt8?

    public static func parse(_ bytes: [UInt8]) throws(DNSWireError) -> DNSMessage {
        var parser = DNSParser(bytes: bytes)
        return try parser.message()
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ reason: String, at position: Int? = nil) -> DNSWireError {
        DNSWireError(reason: reason, offset: position ?? offset, id: id, opcode: opcode)
    }

    mutating func u8() throws(DNSWireError) -> UInt8 {
        guard offset < bytes.count else { throw fail("unexpected end") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSWireError) -> UInt16 {
        guard offset + 2 <= bytes.count else { throw fail("unexpected end") }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(DNSWireError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw fail("unexpected end") }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    mutating func take(_ n: Int) throws(DNSWireError) -> [UInt8] {
        guard n >= 0, offset + n <= bytes.count else { throw fail("unexpected end") }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    /// A possibly compressed name at `offset`; `offset` ends after its in-place part.
    mutating func name() throws(DNSWireError) -> DNSName {
        var wire: [UInt8] = []
        var position = offset
        var resumeAt: Int?
        // Every pointer must go strictly below the lowest position read so far: no loops.
        var floor = offset
        while true {
            guard position < bytes.count else { throw fail("name runs past the end", at: position) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    wire.append(0)
                    guard wire.count <= DNSName.maxLength else { throw fail("name longer than 255 bytes", at: position) }
                    offset = resumeAt ?? position + 1
                    return DNSName(validatedWire: wire)
                }
                let end = position + 1 + Int(length)
                guard end <= bytes.count else { throw fail("label runs past the end", at: position) }
                guard wire.count + 1 + Int(length) + 1 <= DNSName.maxLength else {
                    throw fail("name longer than 255 bytes", at: position)
                }
                wire.append(contentsOf: bytes[position..<end])
                position = end
            case 0xC0:
                guard position + 1 < bytes.count else { throw fail("compression pointer runs past the end", at: position) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < floor else { throw fail("compression pointer does not point backwards", at: position) }
                if resumeAt == nil { resumeAt = position + 2 }
                floor = target
                position = target
            default:
                throw fail("unsupported label type 0x\(String(length & 0xC0, radix: 16))", at: position)
            }
        }
    }

    mutating func message() throws(DNSWireError) -> DNSMessage {
        guard bytes.count >= 12 else {
            if bytes.count >= 2 { id = UInt16(bytes[0]) << 8 | UInt16(bytes[1]) }
            throw fail("shorter than a header", at: 0)
        }
        var m = DNSMessage()
        m.id = try u16()
        id = m.id
        let flags = try u16()
        m.isResponse = flags & 0x8000 != 0
        m.opcode = UInt8((flags >> 11) & 0xF)
        opcode = m.opcode
        m.authoritative = flags & 0x0400 != 0
        m.truncated = flags & 0x0200 != 0
        m.recursionDesired = flags & 0x0100 != 0
        m.recursionAvailable = flags & 0x0080 != 0
        m.authenticData = flags & 0x0020 != 0
        m.checkingDisabled = flags & 0x0010 != 0
        var rcode = flags & 0xF
        let qd = Int(try u16()), an = Int(try u16()), ns = Int(try u16()), ar = Int(try u16())
        // A question takes at least 5 bytes, a record at least 11: absurd counts fail here,
        // before any allocation is sized from them.
        guard qd * 5 + (an + ns + ar) * 11 <= bytes.count - offset else { throw fail("record counts exceed the message size") }
        m.questions.reserveCapacity(qd)
        for _ in 0..<qd {
            let name = try name()
            m.questions.append(DNSQuestion(name: name, type: DNSRecordType(rawValue: try u16()), questionClass: try u16()))
        }
        m.answers = try records(an)
        m.authority = try records(ns)
        var additional = try records(ar, allowOPT: true)
        if let index = additional.firstIndex(where: { $0.type == .opt }) {
            let opt = additional.remove(at: index)
            guard !additional.contains(where: { $0.type == .opt }) else { throw fail("more than one OPT record") }
            guard opt.name.isRoot else { throw fail("OPT record not owned by the root") }
            guard case .opaque(let data) = opt.data else { throw fail("bad OPT record") }
            rcode |= UInt16(opt.ttl >> 24) << 4
            m.edns = DNSMessage.EDNS(udpPayloadSize: opt.recordClass, version: UInt8((opt.ttl >> 16) & 0xFF),
                                     dnssecOK: opt.ttl & 0x8000 != 0, options: try Self.options(data, parser: self))
        }
        m.additional = additional
        m.responseCode = DNSResponseCode(rawValue: rcode)
        // Bytes after the last record are ignored, as most servers do.
        return m
    }

    mutating func records(_ count: Int, allowOPT: Bool = false) throws(DNSWireError) -> [DNSRecord] {
        var out: [DNSRecord] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let name = try name()
            let type = DNSRecordType(rawValue: try u16())
            if type == .opt && !allowOPT { throw fail("OPT record outside the additional section") }
            let recordClass = try u16()
            let ttl = try u32()
            let length = Int(try u16())
            let end = offset + length
            guard end <= bytes.count else { throw fail("RDATA runs past the end") }
            let data = try recordData(type, end: end)
            guard offset == end else { throw fail("RDATA shorter than its RDLENGTH") }
            out.append(DNSRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, data: data))
        }
        return out
    }

    mutating func recordData(_ type: DNSRecordType, end: Int) throws(DNSWireError) -> DNSRecordData {
        let length = end - offset
        func checkEnd(_ parser: DNSParser) throws(DNSWireError) {
            guard parser.offset <= end else { throw parser.fail("RDATA longer than its RDLENGTH") }
        }
        switch type {
        case .a:
            guard length == 4 else { throw fail("A record of \(length) bytes") }
            return .a(try take(4))
        case .aaaa:
            guard length == 16 else { throw fail("AAAA record of \(length) bytes") }
            return .aaaa(try take(16))
        case .cname, .ns, .ptr:
            let target = try name()
            try checkEnd(self)
            return type == .cname ? .cname(target) : type == .ns ? .ns(target) : .ptr(target)
        case .mx:
            let preference = try u16()
            let exchange = try name()
            try checkEnd(self)
            return .mx(preference: preference, exchange: exchange)
        case .srv:
            let priority = try u16(), weight = try u16(), port = try u16()
            let target = try name()
            try checkEnd(self)
            return .srv(priority: priority, weight: weight, port: port, target: target)
        case .soa:
            let mname = try name(), rname = try name()
            let soa = DNSRecordData.SOA(mname: mname, rname: rname, serial: try u32(), refresh: try u32(), retry: try u32(),
                                        expire: try u32(), minimum: try u32())
            try checkEnd(self)
            return .soa(soa)
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end {
                let n = Int(try u8())
                guard offset + n <= end else { throw fail("TXT string runs past its RDATA") }
                strings.append(try take(n))
            }
            return .txt(strings)
        default:
            return .opaque(try take(length))
        }
    }

    static func options(_ data: [UInt8], parser: DNSParser) throws(DNSWireError) -> [DNSMessage.EDNSOption] {
        var out: [DNSMessage.EDNSOption] = []
        var i = 0
        while i < data.count {
            guard i + 4 <= data.count else { throw parser.fail("truncated EDNS option") }
            let code = UInt16(data[i]) << 8 | UInt16(data[i + 1])
            let length = Int(data[i + 2]) << 8 | Int(data[i + 3])
            guard i + 4 + length <= data.count else { throw parser.fail("EDNS option runs past the OPT record") }
            out.append(DNSMessage.EDNSOption(code: code, data: Array(data[(i + 4)..<(i + 4 + length)])))
            i += 4 + length
        }
        return out
    }
}
