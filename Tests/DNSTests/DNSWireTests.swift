import DNS
import XCTest

final class DNSWireTests: XCTestCase {
    func name(_ s: String) -> DNSName { DNSName(s)! }

    func testNamesCompareWithoutCaseAndKeepTheirCase() {
        XCTAssertEqual(name("Web.Default.svc.cluster.local."), name("web.default.SVC.cluster.local"))
        XCTAssertEqual(name("Web.Default.svc.cluster.local").description, "Web.Default.svc.cluster.local.")
        XCTAssertEqual(name("Web.Default.svc.cluster.local").key, "web.default.svc.cluster.local")
        XCTAssertTrue(name("a.b.cluster.local").isSubdomain(of: name("Cluster.Local")))
        XCTAssertFalse(name("a.bcluster.local").isSubdomain(of: name("cluster.local")))
        XCTAssertEqual(name("a.b.c").dropFirst(2), name("c"))
        XCTAssertNil(DNSName(String(repeating: "a", count: 64) + ".com"))
        XCTAssertNil(DNSName(Array(repeating: "abcdefghi", count: 26).joined(separator: ".")))
        XCTAssertNil(DNSName("a..b"))
        XCTAssertEqual(DNSName.root.description, ".")
    }

    func testRoundTripWithCompressionAndEDNS() throws {
        var m = DNSMessage(id: 0x1234, isResponse: true, authoritative: true, recursionDesired: true,
                           questions: [DNSQuestion(name: name("_http._tcp.web.default.svc.cluster.local"), type: .srv)])
        let target = name("web.default.svc.cluster.local")
        m.answers = [DNSRecord(name: name("_http._tcp.web.default.svc.cluster.local"), type: .srv, ttl: 5,
                               data: .srv(priority: 0, weight: 100, port: 80, target: target))]
        m.additional = [DNSRecord.a(target, [10, 96, 0, 10], ttl: 5)]
        m.authority = [DNSRecord(name: name("cluster.local"), type: .soa, ttl: 5, data: .soa(.init(
            mname: name("ns.dns.cluster.local"), rname: name("hostmaster.cluster.local"), serial: 7, refresh: 7200,
            retry: 1800, expire: 86400, minimum: 5)))]
        m.edns = DNSMessage.EDNS(udpPayloadSize: 1232, options: [.init(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])])
        let wire = DNSWriter.serialize(m)
        let back = try DNSParser.parse(wire)
        XCTAssertEqual(back, m)
        // "cluster" is spelled out twice: in the question and in the SRV target, which RFC 2782
        // says not to compress; every other name points into them.
        let cluster = Array("cluster".utf8)
        let spelled = (0...(wire.count - cluster.count)).filter { Array(wire[$0..<($0 + cluster.count)]) == cluster }.count
        XCTAssertEqual(spelled, 2)
    }

    func testTruncationCutsWholeRecordsAndSetsTC() throws {
        let owner = name("big.default.svc.cluster.local")
        var m = DNSMessage(id: 1, isResponse: true, questions: [DNSQuestion(name: owner, type: .a)])
        m.answers = (0..<100).map { DNSRecord.a(owner, [10, 0, UInt8($0 / 256), UInt8($0 % 256)], ttl: 5) }
        let wire = DNSWriter.serialize(m, maxSize: 512)
        XCTAssertLessThanOrEqual(wire.count, 512)
        let back = try DNSParser.parse(wire)
        XCTAssertTrue(back.truncated)
        XCTAssertGreaterThan(back.answers.count, 10)
        XCTAssertLessThan(back.answers.count, 100)
        XCTAssertEqual(back.answers, Array(m.answers.prefix(back.answers.count)))
        // With EDNS the OPT record always fits.
        m.edns = DNSMessage.EDNS(udpPayloadSize: 512)
        let withOPT = try DNSParser.parse(DNSWriter.serialize(m, maxSize: 512))
        XCTAssertTrue(withOPT.truncated)
        XCTAssertNotNil(withOPT.edns)
        // Additional records that do not fit are dropped without TC.
        var extra = DNSMessage(id: 2, isResponse: true, questions: [DNSQuestion(name: owner, type: .a)],
                               answers: [DNSRecord.a(owner, [1, 2, 3, 4], ttl: 5)])
        extra.additional = m.answers
        let cut = try DNSParser.parse(DNSWriter.serialize(extra, maxSize: 512))
        XCTAssertFalse(cut.truncated)
        XCTAssertEqual(cut.answers.count, 1)
    }

    /// Past a few dozen names the writer switches from a linear scan to a hash of the suffixes
    /// it wrote; both must point at the same places, and records taken back for truncation must
    /// not leave pointers to bytes that were cut.
    func testCompressionHoldsAcrossManyNamesAndTruncation() throws {
        let service = name("db.default.svc.cluster.local")
        var m = DNSMessage(id: 3, isResponse: true, questions: [DNSQuestion(name: service, type: .a)])
        // 200 distinct owners (one new suffix each) under one service name, each named twice.
        let hosts = (0..<200).map { name("host-\($0).db.default.svc.cluster.local") }
        m.answers = hosts.flatMap { [DNSRecord.a($0, [10, 0, 0, 1], ttl: 5), DNSRecord.a($0, [10, 0, 0, 2], ttl: 5)] }
        let whole = DNSWriter.serialize(m)
        XCTAssertEqual(try DNSParser.parse(whole), m)
        // Exactly: each new owner is its first label plus a pointer to the question's name, each
        // repeat a 2-byte pointer (type, class, TTL, length and an IPv4 address are 14 bytes).
        let owners = (0..<200).reduce(0) { $0 + (1 + "host-\($1)".utf8.count + 2) + 2 }
        XCTAssertEqual(whole.count, 12 + service.wire.count + 4 + owners + 400 * 14)

        // Cut below and above the switch to hashing, with the OPT record written after the
        // records taken back.
        m.edns = DNSMessage.EDNS(udpPayloadSize: 4096)
        for limit in [512, 1500, 4000] {
            let wire = DNSWriter.serialize(m, maxSize: limit)
            XCTAssertLessThanOrEqual(wire.count, limit)
            let cut = try DNSParser.parse(wire)
            XCTAssertTrue(cut.truncated)
            XCTAssertNotNil(cut.edns)
            XCTAssertGreaterThan(cut.answers.count, limit / 40)
            XCTAssertEqual(cut.answers, Array(m.answers.prefix(cut.answers.count)))
        }
    }

    func testMalformedInputIsRejectedWithTheID() {
        func reason(_ bytes: [UInt8]) -> DNSWireError? {
            do { _ = try DNSParser.parse(bytes); return nil } catch { return error }
        }
        XCTAssertNil(reason([0x12, 0x34, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
        XCTAssertEqual(reason([0x12, 0x34, 1])?.id, 0x1234)
        XCTAssertNil(reason([0x12])?.id)
        // A question whose name points at itself.
        let loop: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        XCTAssertEqual(reason(loop)?.id, 1)
        XCTAssertTrue(reason(loop)!.reason.contains("backwards"))
        // 65535 answers in a 30-byte packet.
        let absurd: [UInt8] = [0, 2, 0x81, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0] + Array(repeating: 0, count: 18)
        XCTAssertTrue(reason(absurd)!.reason.contains("counts"))
        // A label claiming 64 bytes (label type 01: reserved).
        let badLabel: [UInt8] = [0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1]
        XCTAssertNotNil(reason(badLabel))
        // A name over 255 bytes built from pointers to pointers backwards is still bounded.
        var long: [UInt8] = [0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { long += [63] + Array(repeating: UInt8(ascii: "a"), count: 63) }
        long += [0, 0, 1, 0, 1]
        XCTAssertTrue(reason(long)!.reason.contains("255"))
    }

    /// Thousands of long, different questions never make an answer a TCP frame cannot carry.
    func testAnAnswerNeverExceedsAMessage() throws {
        let questions = (0..<2000).map { i in
            DNSQuestion(name: DNSName("\(i)-" + String(repeating: "q", count: 50) + ".x\(i)-" + String(repeating: "r", count: 50))!,
                        type: .a)
        }
        let m = DNSMessage(id: 9, isResponse: true, responseCode: .formErr, questions: questions,
                           edns: DNSMessage.EDNS(udpPayloadSize: 1232))
        let wire = DNSWriter.serialize(m)
        XCTAssertLessThanOrEqual(wire.count, 65535)
        let back = try DNSParser.parse(wire)
        XCTAssertTrue(back.truncated)
        XCTAssertNotNil(back.edns)
        XCTAssertGreaterThan(back.questions.count, 100)
    }
}
