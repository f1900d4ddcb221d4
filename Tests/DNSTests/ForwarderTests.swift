@testable import DNS
import NIOCore
import NIOPosix
import Synchronization
import XCTest

fileprivate func dnsName(_ s: String) -> DNSName { DNSName(s)! }

fileprivate func makeQuery(_ name: String, _ type: DNSRecordType = .a, id: UInt16 = 0x4242) -> DNSMessage {
    DNSMessage(id: id, recursionDesired: true, questions: [DNSQuestion(name: dnsName(name), type: type)])
}

/// The answer a well-behaved upstream gives: A records for the question.
fileprivate func makeAnswer(_ q: DNSMessage, _ addresses: [[UInt8]] = [[10, 0, 0, 1]], ttl: UInt32 = 60) -> DNSMessage {
    var r = q.response()
    r.recursionAvailable = true
    r.answers = addresses.map { DNSRecord.a(q.questions[0].name, $0, ttl: ttl) }
    return r
}

fileprivate func makeSOA() -> DNSRecord {
    DNSRecord(name: dnsName("example."), type: .soa, ttl: 300, data: .soa(.init(
        mname: dnsName("ns.example."), rname: dnsName("hostmaster.example."), serial: 1, refresh: 3600, retry: 600,
        expire: 86400, minimum: 60)))
}


/// The forwarder against fake upstreams on loopback (real UDP and TCP sockets).
final class ForwarderTests: XCTestCase {
    static func answering() async throws -> FakeUpstream {
        try await FakeUpstream.start { q, _ in [.message(makeAnswer(q))] }
    }

    static func silent() async throws -> FakeUpstream {
        try await FakeUpstream.start { _, _ in [] }
    }

    func forwarder(_ upstreams: [FakeUpstream], timeout: TimeAmount = .milliseconds(300),
                   maxInFlight: Int = 1000) -> DNSForwarder {
        DNSForwarder(.init(upstreams: upstreams.map(\.upstream), timeout: timeout, maxInFlight: maxInFlight))
    }

    func testForwardsAnAnswerWithTheClientsIDAndSpelling() async throws {
        let upstream = try await Self.answering()
        let forwarder = forwarder([upstream])
        let response = try await forwarder.forward(makeQuery("WwW.Example.COM", id: 0x1234))
        XCTAssertEqual(response.id, 0x1234)
        XCTAssertEqual(response.questions.first?.name.description, "WwW.Example.COM.")
        XCTAssertEqual(response.answers, [DNSRecord.a(dnsName("www.example.com"), [10, 0, 0, 1], ttl: 60)])
        XCTAssertNil(response.edns, "a query without EDNS must not get an OPT record back")
        // The upstream got our EDNS (1232 bytes) and RD, not the client's ID (with 1/65536 luck).
        let sent = try XCTUnwrap(upstream.queries.first)
        XCTAssertEqual(sent.edns?.udpPayloadSize, 1232)
        XCTAssertTrue(sent.recursionDesired)
        XCTAssertEqual(upstream.udpCount, 1)
        // IDs are random per query.
        _ = try await forwarder.forward(makeQuery("www.example.com", id: 0x1234))
        _ = try await forwarder.forward(makeQuery("www.example.com", id: 0x1234))
        XCTAssertGreaterThan(Set(upstream.queries.map(\.id)).count, 1)
        await forwarder.shutdown()
        await upstream.stop()
    }

    func testDNSSECOKIsForwardedAndEDNSKeptWhenTheClientSentIt() async throws {
        let upstream = try await FakeUpstream.start { q, _ in
            var r = makeAnswer(q)
            r.edns = DNSMessage.EDNS(udpPayloadSize: 4096, dnssecOK: q.edns?.dnssecOK ?? false,
                                     options: [.init(code: 10, data: Array(repeating: 9, count: 16)), .init(code: 15, data: [0, 3])])
            return [.message(r)]
        }
        let forwarder = forwarder([upstream])
        var query = makeQuery("example.org")
        query.edns = DNSMessage.EDNS(udpPayloadSize: 4096, dnssecOK: true, options: [.init(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])])
        let response = try await forwarder.forward(query)
        XCTAssertEqual(response.edns?.dnssecOK, true)
        XCTAssertEqual(response.edns?.options, [.init(code: 15, data: [0, 3])], "the upstream's cookie stays with us, EDE goes on")
        let sent = try XCTUnwrap(upstream.queries.first)
        XCTAssertEqual(sent.edns, DNSMessage.EDNS(udpPayloadSize: 1232, dnssecOK: true), "the client's cookie stays with us")
        await forwarder.shutdown()
        await upstream.stop()
    }

    func testNXDOMAINPassesThroughWithItsSOA() async throws {
        let upstream = try await FakeUpstream.start { q, _ in
            var r = q.response(code: .nxDomain)
            r.authority = [makeSOA()]
            return [.message(r)]
        }
        let forwarder = forwarder([upstream])
        let response = try await forwarder.forward(makeQuery("nope.example"))
        XCTAssertEqual(response.responseCode, .nxDomain)
        XCTAssertEqual(response.authority, [makeSOA()])
        await forwarder.shutdown()
        await upstream.stop()
    }

    func testTruncatedUDPAnswerIsAskedAgainOverTCP() async throws {
        let many = (0..<100).map { [10, 1, 0, UInt8($0)] }
        let upstream = try await FakeUpstream.start { q, tcp in
            if tcp { return [.message(makeAnswer(q, many))] }
            var r = q.response()
            r.truncated = true
            return [.message(r)]
        }
        let forwarder = forwarder([upstream])
        let response = try await forwarder.forward(makeQuery("big.example"))
        XCTAssertFalse(response.truncated)
        XCTAssertEqual(response.answers.count, 100)
        XCTAssertEqual(upstream.udpCount, 1)
        XCTAssertEqual(upstream.tcpCount, 1)
        await forwarder.shutdown()
        await upstream.stop()
    }

    func testTruncatedAnswerStandsWhenTCPFails() async throws {
        // TCP answers with the wrong question: the truncated UDP answer is returned (the client retries over TCP).
        let upstream = try await FakeUpstream.start { q, tcp in
            if tcp { return [.message(makeAnswer(makeQuery("other.example", id: q.id)))] }
            var r = q.response()
            r.truncated = true
            return [.message(r)]
        }
        let forwarder = forwarder([upstream])
        let response = try await forwarder.forward(makeQuery("big.example"))
        XCTAssertTrue(response.truncated)
        XCTAssertEqual(upstream.tcpCount, 1)
        await forwarder.shutdown()
        await upstream.stop()
    }

    func testTimeoutMovesOnToTheNextUpstreamWhichIsThenTriedFirst() async throws {
        let dead = try await Self.silent()
        let good = try await Self.answering()
        let forwarder = forwarder([dead, good], timeout: .milliseconds(500))
        let clock = ContinuousClock()
        var start = clock.now
        let first = try await forwarder.forward(makeQuery("a.example"))
        XCTAssertEqual(first.answers.count, 1)
        XCTAssertGreaterThanOrEqual(clock.now - start, .milliseconds(500))
        start = clock.now
        _ = try await forwarder.forward(makeQuery("b.example"))
        XCTAssertLessThan(clock.now - start, .milliseconds(450), "the upstream that answered is tried first")
        XCTAssertEqual(dead.udpCount, 1)
        XCTAssertEqual(good.udpCount, 2)
        await forwarder.shutdown()
        await dead.stop()
        await good.stop()
    }

    func testNoAnswerFromAnyUpstreamThrows() async throws {
        let dead = try await Self.silent()
        let forwarder = forwarder([dead, dead], timeout: .milliseconds(100))
        do {
            _ = try await forwarder.forward(makeQuery("a.example"))
            XCTFail("expected noAnswer")
        } catch let error as DNSForwardError {
            XCTAssertEqual(error, .noAnswer)
        }
        XCTAssertEqual(dead.udpCount, 2)
        await forwarder.shutdown()
        await dead.stop()
    }

    func testServFailTriesTheNextUpstreamAndIsReturnedWhenAllFail() async throws {
        let failing = try await FakeUpstream.start { q, _ in [.message(q.response(code: .servFail))] }
        let good = try await Self.answering()
        let forwarder1 = forwarder([failing, good])
        let response = try await forwarder1.forward(makeQuery("a.example"))
        XCTAssertEqual(response.responseCode, .noError)
        XCTAssertEqual(response.answers.count, 1)
        let forwarder2 = forwarder([failing])
        let failed = try await forwarder2.forward(makeQuery("a.example", id: 7))
        XCTAssertEqual(failed.responseCode, .servFail)
        XCTAssertEqual(failed.id, 7)
        await forwarder1.shutdown()
        await forwarder2.shutdown()
        await failing.stop()
        await good.stop()
    }

    func testAnswersWithWrongIDQuestionOrSenderAreIgnored() async throws {
        let upstream = try await FakeUpstream.start { q, _ in
            var wrongID = makeAnswer(q, [[6, 6, 6, 1]])
            wrongID.id = q.id &+ 1
            var wrongName = makeAnswer(makeQuery("evil.example", id: q.id), [[6, 6, 6, 2]])
            wrongName.id = q.id
            var wrongType = makeAnswer(q, [[6, 6, 6, 3]])
            wrongType.questions[0].type = .aaaa
            var notAResponse = makeAnswer(q, [[6, 6, 6, 4]])
            notAResponse.isResponse = false
            return [.message(wrongID), .message(wrongName), .message(wrongType), .message(notAResponse),
                    .fromElsewhere(makeAnswer(q, [[6, 6, 6, 5]])), .message(makeAnswer(q, [[10, 0, 0, 7]]))]
        }
        let forwarder = forwarder([upstream])
        for i in 0..<20 {
            let response = try await forwarder.forward(makeQuery("host\(i).example"))
            XCTAssertEqual(response.answers.map(\.data), [.a([10, 0, 0, 7])])
        }
        await forwarder.shutdown()
        await upstream.stop()
    }

    func testOnlySpoofedAnswersTimeOut() async throws {
        let upstream = try await FakeUpstream.start { q, _ in
            [.fromElsewhere(makeAnswer(q, [[6, 6, 6, 6]]))]
        }
        let forwarder = forwarder([upstream], timeout: .milliseconds(200))
        do {
            _ = try await forwarder.forward(makeQuery("a.example"))
            XCTFail("a spoofed answer was accepted")
        } catch let error as DNSForwardError {
            XCTAssertEqual(error, .noAnswer)
        }
        await forwarder.shutdown()
        await upstream.stop()
    }

    func testQueriesInFlightAreBoundedAndRefusedAtOnce() async throws {
        let dead = try await Self.silent()
        let forwarder = forwarder([dead], timeout: .seconds(5), maxInFlight: 10)
        let tasks = (0..<10).map { i in
            Task { try await forwarder.forward(makeQuery("q\(i).example")) }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while forwarder.inFlight < 10, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertEqual(forwarder.inFlight, 10)
        let start = clock.now
        do {
            _ = try await forwarder.forward(makeQuery("eleventh.example"))
            XCTFail("the 11th query was accepted")
        } catch let error as DNSForwardError {
            XCTAssertEqual(error, .overloaded)
        }
        XCTAssertLessThan(clock.now - start, .milliseconds(100))
        // Cancelled queries give their slots back.
        for task in tasks { task.cancel() }
        for task in tasks {
            do {
                _ = try await task.value
                XCTFail("a query to a silent upstream answered")
            } catch {
                XCTAssertTrue(error is CancellationError, "\(error)")
            }
        }
        XCTAssertEqual(forwarder.inFlight, 0)
        await forwarder.shutdown()
        await dead.stop()
    }

    func testManyConcurrentQueriesShareTheSockets() async throws {
        let upstream = try await Self.answering()
        let forwarder = forwarder([upstream], timeout: .seconds(2))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<500 {
                group.addTask {
                    let r = try await forwarder.forward(makeQuery("h\(i).example", id: UInt16(i)))
                    XCTAssertEqual(r.id, UInt16(i))
                    XCTAssertEqual(r.answers.first?.name, dnsName("h\(i).example"))
                }
            }
            try await group.waitForAll()
        }
        // At most the configured four sockets talked to the upstream.
        XCTAssertLessThanOrEqual(upstream.udpSourcePorts.count, 4)
        XCTAssertEqual(upstream.udpCount, 500)
        await forwarder.shutdown()
        await upstream.stop()
    }

    func testIPv6Upstream() async throws {
        let upstream: FakeUpstream
        do {
            upstream = try await FakeUpstream.start(host: "::1") { q, _ in [.message(makeAnswer(q))] }
        } catch {
            throw XCTSkip("no IPv6 loopback: \(error)")
        }
        let forwarder = forwarder([upstream])
        let response = try await forwarder.forward(makeQuery("v6.example"))
        XCTAssertEqual(response.answers.count, 1)
        await forwarder.shutdown()
        await upstream.stop()
    }

    /// Our "server": what the lead's server does with a forwarded query (forward or SERVFAIL).
    static func selfServer(_ forwarder: @escaping @Sendable () -> DNSForwarder?) async throws -> FakeUpstream {
        try await FakeUpstream.start { q, _ in
            guard let forwarder = forwarder() else { return [] }
            do {
                return [.message(try await forwarder.forward(q))]
            } catch {
                return [.message(q.response(code: .servFail))]
            }
        }
    }

    func testLoopProbeDisablesTheUpstreamThatSendsItBack() async throws {
        // Upstream 0 is (a stand-in for) ourselves: whatever it gets, it forwards with our forwarder.
        let holder = ForwarderHolder()
        let loop = try await Self.selfServer { holder.forwarder }
        let good = try await Self.answering()
        let forwarder = forwarder([loop, good], timeout: .milliseconds(500))
        holder.forwarder = forwarder
        let looping = await forwarder.probeForLoop()
        XCTAssertEqual(looping, [loop.upstream])
        XCTAssertEqual(forwarder.loopingUpstreams, [loop.upstream])
        // The probe reached "us" once through the loop, and the good upstream once directly.
        XCTAssertEqual(loop.udpCount, 1)
        XCTAssertEqual(good.udpCount, 1)
        XCTAssertTrue(forwarder.isLoopProbe(try XCTUnwrap(loop.queries.first?.questions.first?.name)))
        XCTAssertFalse(forwarder.isLoopProbe(dnsName("a.b.skiff-loop")))
        XCTAssertFalse(forwarder.isLoopProbe(dnsName("example.com")))
        // From now on queries skip the looping upstream.
        let response = try await forwarder.forward(makeQuery("a.example"))
        XCTAssertEqual(response.answers.count, 1)
        XCTAssertEqual(loop.udpCount, 1)
        await forwarder.shutdown()
        await loop.stop()
        await good.stop()
    }

    func testLoopWithTheOnlyUpstreamLeavesNoUpstream() async throws {
        let holder = ForwarderHolder()
        let loop = try await Self.selfServer { holder.forwarder }
        let forwarder = forwarder([loop], timeout: .milliseconds(500))
        holder.forwarder = forwarder
        let looping = await forwarder.probeForLoop()
        XCTAssertEqual(looping, [loop.upstream])
        do {
            _ = try await forwarder.forward(makeQuery("a.example"))
            XCTFail("forwarded to a looping upstream")
        } catch let error as DNSForwardError {
            XCTAssertEqual(error, .noUpstream)
        }
        await forwarder.shutdown()
        await loop.stop()
    }

    func testNoLoopLeavesUpstreamsEnabled() async throws {
        let good = try await FakeUpstream.start { q, _ in
            var r = q.response(code: .nxDomain)
            r.authority = [makeSOA()]
            return [.message(r)]
        }
        let forwarder = forwarder([good])
        let looping = await forwarder.probeForLoop()
        XCTAssertEqual(looping, [])
        let probe = try XCTUnwrap(good.queries.first?.questions.first)
        XCTAssertEqual(probe.type.rawValue, 13, "HINFO, as CoreDNS's loop plugin")
        XCTAssertTrue(probe.name.isSubdomain(of: dnsName("skiff-loop")))
        XCTAssertEqual(probe.name.labelCount, 3)
        await forwarder.shutdown()
        await good.stop()
    }

    func testQueryWithoutExactlyOneQuestionIsRejected() async throws {
        let forwarder = DNSForwarder(.init(upstreams: []))
        do {
            _ = try await forwarder.forward(DNSMessage(id: 1))
            XCTFail("forwarded a query without a question")
        } catch let error as DNSForwardError {
            XCTAssertEqual(error, .malformedQuery)
        }
        do {
            _ = try await forwarder.forward(makeQuery("a.example"))
            XCTFail("forwarded without upstreams")
        } catch let error as DNSForwardError {
            XCTAssertEqual(error, .noUpstream)
        }
    }
}

/// Lets a fake upstream reach a forwarder created after it.
final class ForwarderHolder: Sendable {
    private let value = Mutex<DNSForwarder?>(nil)
    var forwarder: DNSForwarder? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
