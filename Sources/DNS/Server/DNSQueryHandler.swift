import NIOCore
import Netlink

/// How a query came in: the transport decides the size an answer may have.
public enum DNSTransport: String, Sendable {
    case udp, tcp
}

/// Turns query bytes into response bytes: validates the message (FORMERR, NOTIMP, BADVERS as
/// RFC 1035/6891 say), answers names in the cluster zone from memory, and hands the rest to
/// the forwarder (or REFUSES them when forwarding is off). Synchronous for everything but the
/// upstream round trip, so a cluster answer never leaves the event loop it arrived on.
public final class DNSQueryHandler: Sendable {
    /// The UDP payload size we advertise (DNS flag day 2020: no fragmentation on any path).
    public static let advertisedUDPPayload = 1232
    /// The largest UDP answer we send when a client's EDNS size asks for more: its size is
    /// honoured up to this.
    public static let maxUDPPayload = 4096

    public let zone: ClusterZone
    public let metrics: DNSMetrics
    let upstream: Upstream?
    let searchCompletion: SearchCompletion?

    /// Where names outside the zone go, and the cache in front of it.
    public struct Upstream: Sendable {
        public var forwarder: DNSForwarder
        public var cache: DNSCache?
        public init(forwarder: DNSForwarder, cache: DNSCache?) {
            self.forwarder = forwarder
            self.cache = cache
        }
    }

    public init(zone: ClusterZone, upstream: Upstream?, searchCompletion: SearchCompletion? = nil,
                metrics: DNSMetrics = DNSMetrics()) {
        self.zone = zone
        self.upstream = upstream
        self.searchCompletion = searchCompletion
        self.metrics = metrics
    }

    /// What to do with a packet: send these bytes now, finish it asynchronously (`resolve`),
    /// or drop it silently.
    public enum Outcome: Sendable {
        case respond([UInt8])
        case deferred(Deferred)
        case drop
    }

    /// A query that needs an upstream round trip.
    public struct Deferred: Sendable {
        var query: DNSMessage
        var maxSize: Int
        /// Search completion: the candidates still to try, and the NXDOMAIN to send if none exists.
        var completion: (candidates: [DNSName], notFound: ZoneAnswer)?
    }

    public func handle(_ bytes: [UInt8], transport: DNSTransport, client: SocketAddress? = nil) -> Outcome {
        let start = ContinuousClock.now
        let query: DNSMessage
        do {
            query = try DNSParser.parse(bytes)
        } catch {
            // Without an ID there is nobody to answer; with one, FORMERR (RFC 1035 4.1.1).
            guard let id = error.id, bytes.count >= 12, bytes[2] & 0x80 == 0 else { return .drop }
            let opcode = error.opcode ?? 0
            return .respond(finish(DNSMessage(id: id, isResponse: true, opcode: opcode, responseCode: .formErr),
                                   maxSize: 512, start: start))
        }
        if query.isResponse { return .drop }
        let maxSize = transport == .tcp ? 65535
            : query.edns.map { max(512, min(Int($0.udpPayloadSize), Self.maxUDPPayload)) } ?? 512
        metrics.request(proto: transport.rawValue, type: query.questions.first?.type ?? DNSRecordType(rawValue: 0))
        var response = query.response()
        if query.edns != nil { response.edns = DNSMessage.EDNS(udpPayloadSize: UInt16(Self.advertisedUDPPayload)) }
        guard query.opcode == DNSMessage.opcodeQuery else {
            response.responseCode = .notImp
            response.questions = []
            return .respond(finish(response, maxSize: maxSize, start: start))
        }
        if let edns = query.edns, edns.version > 0 {
            response.responseCode = .badVers
            return .respond(finish(response, maxSize: maxSize, start: start))
        }
        guard query.questions.count == 1, let question = query.questions.first else {
            // Not echoed: thousands of hostile questions could not be compressed into a reply.
            response.questions = []
            response.responseCode = .formErr
            return .respond(finish(response, maxSize: maxSize, start: start))
        }
        if question.type == .axfr || question.type == .ixfr {
            response.responseCode = .refused
            return .respond(finish(response, maxSize: maxSize, start: start))
        }
        if let answer = zone.answer(question) {
            if answer.responseCode == .nxDomain, let completion = searchCompletion, let client = client?.ipAddress.flatMap(IPAddress.init),
               let candidates = completion.remainingSearch(after: question.name, client: client, zone: zone) {
                return complete(query, candidates: candidates[...], notFound: answer, maxSize: maxSize, start: start)
            }
            // Reverse names we answer are ours too (cluster addresses).
            response.authoritative = true
            response.responseCode = answer.responseCode
            response.answers = answer.answers
            response.authority = answer.authority
            response.additional = answer.additional
            return .respond(finish(response, maxSize: maxSize, start: start))
        }
        guard let upstream else {
            response.responseCode = .refused
            return .respond(finish(response, maxSize: maxSize, start: start))
        }
        if let cache = upstream.cache {
            if let hit = cache.lookup(query) {
                metrics.cacheHits.increment()
                return .respond(finish(relayed(hit, to: query), maxSize: maxSize, start: start))
            }
            metrics.cacheMisses.increment()
        }
        return .deferred(Deferred(query: query, maxSize: maxSize))
    }

    /// Walks the pod's remaining search list while the candidates are ours to answer; the first
    /// outside the zone (or reverse names we do not know) is left to `resolve`.
    private func complete(_ query: DNSMessage, candidates: ArraySlice<DNSName>, notFound: ZoneAnswer, maxSize: Int,
                          start: ContinuousClock.Instant) -> Outcome {
        let type = query.questions[0].type
        var rest = candidates
        while let candidate = rest.first {
            guard let answer = zone.answer(DNSQuestion(name: candidate, type: type)) else { break }
            rest = rest.dropFirst()
            if answer.responseCode != .nxDomain {
                return .respond(finish(completed(query, target: candidate, answer: answer, authoritative: true),
                                       maxSize: maxSize, start: start))
            }
        }
        if rest.isEmpty || upstream == nil {
            return .respond(finish(zoneResponse(query, notFound), maxSize: maxSize, start: start))
        }
        return .deferred(Deferred(query: query, maxSize: maxSize, completion: (Array(rest), notFound)))
    }

    /// The asked name as a CNAME to the search candidate that exists, then its records.
    private func completed(_ query: DNSMessage, target: DNSName, answer: ZoneAnswer, authoritative: Bool) -> DNSMessage {
        metrics.searchCompletions.increment()
        var response = zoneResponse(query, answer)
        response.authoritative = authoritative
        response.recursionAvailable = upstream != nil
        response.answers.insert(DNSRecord(name: query.questions[0].name, type: .cname, ttl: zone.ttl, data: .cname(target)),
                                at: 0)
        return response
    }

    private func zoneResponse(_ query: DNSMessage, _ answer: ZoneAnswer) -> DNSMessage {
        var response = query.response(code: answer.responseCode)
        if query.edns != nil { response.edns = DNSMessage.EDNS(udpPayloadSize: UInt16(Self.advertisedUDPPayload)) }
        response.authoritative = zone.contains(query.questions[0].name)
        response.answers = answer.answers
        response.authority = answer.authority
        response.additional = answer.additional
        return response
    }

    /// Finishes a deferred query: forwarding, or the rest of a search completion.
    public func resolve(_ deferred: Deferred) async -> [UInt8] {
        guard let (candidates, notFound) = deferred.completion else {
            return await forward(deferred.query, maxSize: deferred.maxSize)
        }
        let start = ContinuousClock.now
        let query = deferred.query
        let type = query.questions[0].type
        for candidate in candidates {
            if let answer = zone.answer(DNSQuestion(name: candidate, type: type)) {
                if answer.responseCode != .nxDomain {
                    return finish(completed(query, target: candidate, answer: answer, authoritative: false),
                                  maxSize: deferred.maxSize, start: start)
                }
                continue
            }
            var sub = query
            sub.questions = [DNSQuestion(name: candidate, type: type)]
            guard let answer = await upstreamAnswer(sub) else { break }
            if answer.responseCode == .nxDomain { continue }
            if answer.responseCode != .noError { break }
            let found = ZoneAnswer(responseCode: answer.responseCode, answers: answer.answers, authority: answer.authority,
                                   additional: answer.additional.filter { $0.type != .opt })
            return finish(completed(query, target: candidate, answer: found, authoritative: false),
                          maxSize: deferred.maxSize, start: start)
        }
        return finish(zoneResponse(query, notFound), maxSize: deferred.maxSize, start: start)
    }

    /// The cache's or the upstream's answer to `query`; nil when forwarding failed.
    private func upstreamAnswer(_ query: DNSMessage) async -> DNSMessage? {
        guard let upstream else { return nil }
        if let hit = upstream.cache?.lookup(query) {
            metrics.cacheHits.increment()
            return hit
        }
        if upstream.cache != nil { metrics.cacheMisses.increment() }
        let start = ContinuousClock.now
        guard let answer = try? await upstream.forwarder.forward(query) else { return nil }
        metrics.forwardDuration.recordNanoseconds(Int64((ContinuousClock.now - start).nanoseconds))
        upstream.cache?.store(answer, for: query)
        return answer
    }

    /// Forwards `query` upstream and returns the answer to send (SERVFAIL when upstreams fail).
    public func forward(_ query: DNSMessage, maxSize: Int) async -> [UInt8] {
        let start = ContinuousClock.now
        var response = query.response(code: .servFail)
        if query.edns != nil { response.edns = DNSMessage.EDNS(udpPayloadSize: UInt16(Self.advertisedUDPPayload)) }
        if let upstream {
            do {
                let answer = try await upstream.forwarder.forward(query)
                metrics.forwardDuration.recordNanoseconds(Int64((ContinuousClock.now - start).nanoseconds))
                upstream.cache?.store(answer, for: query)
                response = relayed(answer, to: query)
            } catch DNSForwardError.overloaded {
                metrics.forwardRefused.increment()
                response.responseCode = .refused
            } catch {}
        }
        return finish(response, maxSize: maxSize, start: start)
    }

    /// An upstream's (or the cache's) answer as we send it: the client's ID, question and EDNS,
    /// the upstream's code and records, RA set.
    private func relayed(_ answer: DNSMessage, to query: DNSMessage) -> DNSMessage {
        var response = query.response(code: answer.responseCode)
        if query.edns != nil { response.edns = DNSMessage.EDNS(udpPayloadSize: UInt16(Self.advertisedUDPPayload)) }
        response.recursionAvailable = true
        response.authenticData = answer.authenticData && (query.authenticData || query.edns?.dnssecOK == true)
        response.answers = answer.answers
        response.authority = answer.authority
        response.additional = answer.additional.filter { $0.type != .opt }
        return response
    }

    private func finish(_ response: DNSMessage, maxSize: Int, start: ContinuousClock.Instant) -> [UInt8] {
        metrics.response(response.responseCode)
        let bytes = DNSWriter.serialize(response, maxSize: maxSize)
        metrics.requestDuration.recordNanoseconds(Int64((ContinuousClock.now - start).nanoseconds))
        return bytes
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
