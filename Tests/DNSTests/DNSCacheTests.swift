@testable import DNS
import Synchronization
import XCTest

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
    let nanoseconds = Mutex<UInt64>(1_000_000_000_000)
    func advance(seconds: Double) { nanoseconds.withLock { $0 += UInt64(seconds * 1e9) } }
    var now: DNSCache.Clock { { self.nanoseconds.withLock { $0 } } }
}

final class DNSCacheTests: XCTestCase {
    private func dnsName(_ s: String) -> DNSName { DNSName(s)! }

    private func query(_ name: String, _ type: DNSRecordType = .a, id: UInt16 = 1, dnssecOK: Bool? = nil) -> DNSMessage {
        var q = DNSMessage(id: id, recursionDesired: true, questions: [DNSQuestion(name: dnsName(name), type: type)])
        if let dnssecOK { q.edns = DNSMessage.EDNS(dnssecOK: dnssecOK) }
        return q
    }

    private func positive(_ q: DNSMessage, ttls: [UInt32], additionalTTL: UInt32? = nil) -> DNSMessage {
        var r = q.response()
        r.answers = ttls.enumerated().map { DNSRecord.a(q.questions[0].name, [10, 0, 0, UInt8($0.offset)], ttl: $0.element) }
        if let additionalTTL { r.additional = [DNSRecord.a(dnsName("ns.example"), [10, 9, 9, 9], ttl: additionalTTL)] }
        return r
    }

    private func negative(_ q: DNSMessage, code: DNSResponseCode, soaTTL: UInt32 = 300, minimum: UInt32 = 60) -> DNSMessage {
        var r = q.response(code: code)
        r.authority = [DNSRecord(name: dnsName("example."), type: .soa, ttl: soaTTL, data: .soa(.init(
            mname: dnsName("ns.example."), rname: dnsName("hostmaster.example."), serial: 1, refresh: 3600, retry: 600,
            expire: 86400, minimum: minimum)))]
        return r
    }

    func testPositiveAnswerIsCachedForItsSmallestAnswerTTL() {
        let clock = ManualClock()
        let cache = DNSCache(now: clock.now)
        let q = query("www.example.com")
        XCTAssertNil(cache.lookup(q))
        cache.store(positive(q, ttls: [300, 30, 600]), for: q)
        let hit = try! XCTUnwrap(cache.lookup(query("www.example.com", id: 99)))
        XCTAssertEqual(hit.id, 99)
        XCTAssertEqual(hit.answers.map(\.ttl), [30, 30, 30], "nothing is advertised beyond the entry's own life")
        clock.advance(seconds: 29.9)
        XCTAssertNotNil(cache.lookup(q))
        clock.advance(seconds: 0.1)
        XCTAssertNil(cache.lookup(q), "expired at exactly its TTL")
        XCTAssertEqual(cache.statistics, DNSCache.Statistics(hits: 2, misses: 2, entries: 0, evictions: 0))
    }

    func testTTLsAreLoweredByTheTimeHeldInEverySection() throws {
        let clock = ManualClock()
        let cache = DNSCache(now: clock.now)
        let q = query("www.example.com")
        var response = positive(q, ttls: [100, 120], additionalTTL: 5)
        response.authority = [DNSRecord(name: dnsName("example.com"), type: .ns, ttl: 200, data: .ns(dnsName("ns.example")))]
        cache.store(response, for: q)
        clock.advance(seconds: 10.7)
        let hit = try XCTUnwrap(cache.lookup(q))
        XCTAssertEqual(hit.answers.map(\.ttl), [90, 90])
        XCTAssertEqual(hit.authority.map(\.ttl), [90])
        XCTAssertEqual(hit.additional.map(\.ttl), [0], "never below 0")
        clock.advance(seconds: 89.3)
        XCTAssertNil(cache.lookup(q))
    }

    func testMaxTTLCapsLongAnswers() throws {
        let clock = ManualClock()
        let cache = DNSCache(.init(maxTTL: 60), now: clock.now)
        let q = query("long.example")
        cache.store(positive(q, ttls: [86400]), for: q)
        XCTAssertEqual(try XCTUnwrap(cache.lookup(q)).answers.first?.ttl, 60)
        clock.advance(seconds: 60)
        XCTAssertNil(cache.lookup(q))
    }

    func testNegativeAnswersLiveForTheSOAMinimumOrTTL() throws {
        let clock = ManualClock()
        let cache = DNSCache(now: clock.now)
        let nx = query("nope.example")
        cache.store(negative(nx, code: .nxDomain, soaTTL: 300, minimum: 60), for: nx)
        let nodata = query("www.example", .aaaa)
        cache.store(negative(nodata, code: .noError, soaTTL: 20, minimum: 60), for: nodata)
        let hit = try XCTUnwrap(cache.lookup(nx))
        XCTAssertEqual(hit.responseCode, .nxDomain)
        XCTAssertEqual(hit.authority.first?.ttl, 60)
        XCTAssertEqual(try XCTUnwrap(cache.lookup(nodata)).authority.first?.ttl, 20)
        clock.advance(seconds: 20)
        XCTAssertNil(cache.lookup(nodata), "NODATA: the SOA's TTL was the smaller")
        XCTAssertEqual(try XCTUnwrap(cache.lookup(nx)).authority.first?.ttl, 40)
        clock.advance(seconds: 40)
        XCTAssertNil(cache.lookup(nx), "NXDOMAIN: the SOA MINIMUM was the smaller")
    }

    func testNegativeTTLIsCapped() throws {
        let clock = ManualClock()
        let cache = DNSCache(.init(maxNegativeTTL: 10), now: clock.now)
        let q = query("nope.example")
        cache.store(negative(q, code: .nxDomain, soaTTL: 3600, minimum: 3600), for: q)
        XCTAssertNotNil(cache.lookup(q))
        clock.advance(seconds: 10)
        XCTAssertNil(cache.lookup(q))
    }

    func testUncacheableAnswersAreNotStored() {
        let cache = DNSCache(now: ManualClock().now)
        let q = query("x.example")
        cache.store(q.response(code: .nxDomain), for: q)  // no SOA
        cache.store(q.response(code: .servFail), for: q)
        cache.store(q.response(code: .refused), for: q)
        cache.store(positive(q, ttls: [0]), for: q)
        var truncated = positive(q, ttls: [60])
        truncated.truncated = true
        cache.store(truncated, for: q)
        cache.store(positive(query("other.example"), ttls: [60]), for: q)  // answers another question
        XCTAssertNil(cache.lookup(q))
        XCTAssertEqual(cache.statistics.entries, 0)
    }

    func testKeyIgnoresCaseButEchoesTheClientsSpelling() throws {
        let cache = DNSCache(now: ManualClock().now)
        let q = query("WWW.Example.com")
        cache.store(positive(q, ttls: [60]), for: q)
        let hit = try XCTUnwrap(cache.lookup(query("www.EXAMPLE.com.")))
        XCTAssertEqual(hit.questions.first?.name.description, "www.EXAMPLE.com.")
        XCTAssertNil(cache.lookup(query("www.example.com", .aaaa)), "type is part of the key")
        var chaos = query("www.example.com")
        chaos.questions[0].questionClass = 3
        XCTAssertNil(cache.lookup(chaos), "class is part of the key")
    }

    func testDNSSECOKIsPartOfTheKey() {
        let cache = DNSCache(now: ManualClock().now)
        let plain = query("signed.example", dnssecOK: false)
        cache.store(positive(plain, ttls: [60]), for: plain)
        XCTAssertNotNil(cache.lookup(query("signed.example")), "no EDNS is DO=0")
        XCTAssertNil(cache.lookup(query("signed.example", dnssecOK: true)))
    }

    func testCapacityIsBoundedByEviction() {
        let clock = ManualClock()
        let cache = DNSCache(.init(capacity: 100), now: clock.now)
        for i in 0..<1000 {
            let q = query("h\(i).example")
            cache.store(positive(q, ttls: [60]), for: q)
        }
        let stats = cache.statistics
        XCTAssertEqual(stats.entries, 100)
        XCTAssertEqual(stats.evictions, 900)
        let present = (0..<1000).filter { cache.lookup(query("h\($0).example")) != nil }
        XCTAssertEqual(present.count, 100)
        // Replacing an entry does not evict.
        let q = query("h\(present[0]).example")
        cache.store(positive(q, ttls: [30]), for: q)
        XCTAssertEqual(cache.statistics.evictions, 900)
        XCTAssertEqual(cache.lookup(q)?.answers.first?.ttl, 30)
    }

    func testEvictionPrefersExpiredEntries() {
        let clock = ManualClock()
        let cache = DNSCache(.init(capacity: 1000), now: clock.now)
        // 500 long-lived entries and 500 that expire; then 500 more inserts.
        for i in 0..<1000 {
            let q = query("h\(i).example")
            cache.store(positive(q, ttls: [i % 2 == 0 ? 3600 : 1]), for: q)
        }
        clock.advance(seconds: 2)
        for i in 1000..<1500 {
            let q = query("h\(i).example")
            cache.store(positive(q, ttls: [3600]), for: q)
        }
        let longLived = (0..<1000).filter { $0 % 2 == 0 }.filter { cache.lookup(query("h\($0).example")) != nil }.count
        // The soonest to expire of those under the hand goes: most of the 500 survive (random
        // eviction would keep about 300).
        XCTAssertGreaterThan(longLived, 400)
    }

    func testConcurrentUse() async {
        let cache = DNSCache(.init(capacity: 500))
        let pairs = (0..<1000).map { i in
            let q = query("h\(i).example")
            return (q, positive(q, ttls: [60]))
        }
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for i in 0..<2000 {
                        let (q, r) = pairs[(i * 7 + t) % 1000]
                        if cache.lookup(q) == nil { cache.store(r, for: q) }
                    }
                }
            }
        }
        let stats = cache.statistics
        XCTAssertEqual(stats.hits + stats.misses, 16000)
        XCTAssertLessThanOrEqual(stats.entries, 500)
    }
}
