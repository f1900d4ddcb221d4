import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Why a query could not be forwarded. The server answers `.overloaded` with REFUSED (the
/// issue's "bound on queries in flight") and everything else with SERVFAIL.
public enum DNSForwardError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `maxInFlight` queries are already being forwarded.
    case overloaded
    /// No upstream is configured, or loop detection disabled them all.
    case noUpstream
    /// The query is one of our own loop probes coming back: the upstream it was sent to
    /// forwards to us. That upstream is now disabled.
    case loopDetected
    /// No upstream answered (each timed out or failed). When one answered SERVFAIL or
    /// REFUSED, that answer is returned instead of this error.
    case noAnswer
    /// Not exactly one question.
    case malformedQuery
    /// One try timed out (internal: `forward` moves on to the next upstream).
    case timeout
    /// A TCP answer that did not match the query (internal, as above).
    case badResponse
    /// The TCP connection closed before a whole answer (internal, as above).
    case connectionClosed
    /// `shutdown()` was called.
    case shutDown

    public var description: String {
        switch self {
        case .overloaded: "too many queries in flight"
        case .noUpstream: "no upstream resolver to forward to"
        case .loopDetected: "forwarding loop detected"
        case .noAnswer: "no upstream resolver answered"
        case .malformedQuery: "a forwarded query needs exactly one question"
        case .timeout: "upstream timed out"
        case .badResponse: "upstream answer does not match the query"
        case .connectionClosed: "upstream closed the connection"
        case .shutDown: "forwarder shut down"
        }
    }
}

/// Forwards queries for names outside the cluster to upstream resolvers.
///
/// A query goes over UDP (see `UDPQueryMux`: shared long-lived sockets, random IDs, answers
/// checked against sender, ID and question) to one upstream at a time, each try bounded by
/// `timeout`; a truncated answer is asked again over TCP of the same upstream. An upstream
/// that times out, fails, or answers SERVFAIL/REFUSED makes `forward` try the next one; the
/// last upstream that answered well is tried first next time, so a dead first nameserver
/// costs one timeout, not one per query. When all fail, the last SERVFAIL/REFUSED answer is
/// returned if there was one, else `DNSForwardError.noAnswer` is thrown.
///
/// Loops (as CoreDNS's loop plugin): `probeForLoop()` sends each upstream an HINFO query for
/// a random name under `skiff-loop.`; if the upstream sends it back to us, the server hands
/// it to `forward`, which recognises the name, disables that upstream with an error log, and
/// throws `.loopDetected` (so the probe is answered SERVFAIL instead of circling). Unlike
/// CoreDNS, which exits, the other upstreams keep working.
public final class DNSForwarder: Sendable {
    public struct Configuration: Sendable {
        public var upstreams: [DNSUpstream]
        /// How long one try (one upstream, UDP or TCP) may take.
        public var timeout: TimeAmount
        /// Queries being forwarded at once; past it `forward` throws `.overloaded` at once.
        public var maxInFlight: Int
        /// Long-lived UDP sockets per address family that queries are spread over.
        public var udpSockets: Int
        /// The EDNS payload size forwarded queries advertise: 1232 avoids IP fragmentation on
        /// any path (DNS flag day 2020) while sparing most TC-then-TCP round trips.
        public var udpPayloadSize: UInt16

        public init(upstreams: [DNSUpstream], timeout: TimeAmount = .seconds(2), maxInFlight: Int = 1000,
                    udpSockets: Int = 4, udpPayloadSize: UInt16 = 1232) {
            self.upstreams = upstreams
            self.timeout = timeout
            self.maxInFlight = maxInFlight
            self.udpSockets = udpSockets
            self.udpPayloadSize = udpPayloadSize
        }
    }

    /// The zone loop probes are sent under: no real name lives there.
    static let probeZone = DNSName("skiff-loop.")!
    static let hinfo = DNSRecordType(rawValue: 13)

    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let udp: UDPQueryMux
    private let state = Mutex(State())

    struct State {
        var inFlight = 0
        /// Index into `configuration.upstreams` of the upstream tried first.
        var preferred = 0
        /// Upstreams found to forward back to us.
        var looping: Set<Int> = []
        /// Probe names sent, to the upstream each went to.
        var probes: [DNSName: Int] = [:]
    }

    public init(_ configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "skiff.dns.forward")) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.udp = UDPQueryMux(group: group, socketsPerFamily: configuration.udpSockets)
    }

    /// Forwards `query` and returns the upstream's response with `query`'s ID and question
    /// (the client's spelling of the name). The response keeps the upstream's EDNS record,
    /// minus options other than Extended DNS Errors, when the query had one (the server should
    /// put its own payload size in), and has none when the query had none (RFC 6891 §7). Throws `DNSForwardError` (`.overloaded` →
    /// REFUSED, the rest → SERVFAIL) or CancellationError.
    public func forward(_ query: DNSMessage) async throws -> DNSMessage {
        guard query.questions.count == 1, let question = query.questions.first else { throw DNSForwardError.malformedQuery }
        let isProbe = question.name.isSubdomain(of: Self.probeZone)
        let admission = state.withLock { state -> Result<[Int], DNSForwardError> in
            if isProbe, let upstream = state.probes[question.name] {
                state.looping.insert(upstream)
                return .failure(.loopDetected)
            }
            guard state.inFlight < configuration.maxInFlight else { return .failure(.overloaded) }
            let count = configuration.upstreams.count
            let order = (0..<count).map { (state.preferred + $0) % count }.filter { !state.looping.contains($0) }
            guard !order.isEmpty else { return .failure(.noUpstream) }
            state.inFlight += 1
            return .success(order)
        }
        if case .failure(.loopDetected) = admission, let upstream = state.withLock({ $0.probes[question.name] }) {
            logger.error("forwarding loop: upstream \(configuration.upstreams[upstream]) sent our probe \(question.name) back to us; no longer forwarding to it")
        }
        let order = try admission.get()
        defer { state.withLock { $0.inFlight -= 1 } }

        var outgoing = query
        outgoing.isResponse = false
        outgoing.truncated = false
        // Our own EDNS: the client's payload size is for its link to us, and its options
        // (cookies, padding) are for us, not the upstream. DO is the client's to choose.
        outgoing.edns = DNSMessage.EDNS(udpPayloadSize: configuration.udpPayloadSize,
                                        dnssecOK: query.edns?.dnssecOK ?? false)
        var failedAnswer: DNSMessage?
        for index in order {
            let upstream = configuration.upstreams[index]
            do {
                var response = try await udp.query(outgoing, to: upstream.address, timeout: configuration.timeout)
                if response.truncated {
                    do {
                        response = try await TCPExchange.query(outgoing, to: upstream.address, group: group,
                                                               timeout: configuration.timeout)
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        // The truncated answer still stands: the client sees TC and retries over TCP.
                        logger.debug("TCP retry to \(upstream) failed: \(error)")
                    }
                }
                if response.responseCode == .servFail || response.responseCode == .refused {
                    failedAnswer = response
                    continue
                }
                state.withLock { $0.preferred = index }
                return finish(response, for: query)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.debug("forwarding \(question.name) \(question.type) to \(upstream) failed: \(error)")
            }
        }
        if let failedAnswer { return finish(failedAnswer, for: query) }
        throw DNSForwardError.noAnswer
    }

    private func finish(_ response: DNSMessage, for query: DNSMessage) -> DNSMessage {
        var response = response
        response.id = query.id
        response.questions = query.questions
        if query.edns == nil {
            response.edns = nil
        } else if var edns = response.edns {
            // The upstream's options (its cookie, padding) were for us; Extended DNS Errors
            // (RFC 8914, code 15) still explain a failure to the client.
            edns.options.removeAll { $0.code != 15 }
            response.edns = edns
        }
        return response
    }

    /// Sends one loop probe to every enabled upstream and waits for the answers (or the
    /// timeout). Call it once the server listens: a probe that comes back reaches `forward`,
    /// which disables the upstream it went to. Returns the upstreams disabled so far.
    @discardableResult
    public func probeForLoop() async -> [DNSUpstream] {
        let targets = state.withLock { state in
            configuration.upstreams.indices.filter { !state.looping.contains($0) }
        }
        await withTaskGroup(of: Void.self) { group in
            for index in targets {
                let name = Self.probeZone.prepending(Self.randomLabel())!.prepending(Self.randomLabel())!
                state.withLock { $0.probes[name] = index }
                let probe = DNSMessage(id: 0, recursionDesired: true,
                                       questions: [DNSQuestion(name: name, type: Self.hinfo)])
                let upstream = configuration.upstreams[index]
                group.addTask {
                    _ = try? await self.udp.query(probe, to: upstream.address, timeout: self.configuration.timeout)
                }
            }
        }
        return loopingUpstreams
    }

    /// Whether `name` is one of our loop probes (for logging; `forward` already acts on it).
    public func isLoopProbe(_ name: DNSName) -> Bool {
        name.isSubdomain(of: Self.probeZone) && state.withLock { $0.probes[name] != nil }
    }

    /// Upstreams disabled by loop detection.
    public var loopingUpstreams: [DNSUpstream] {
        state.withLock { state in state.looping.sorted().map { configuration.upstreams[$0] } }
    }

    /// Queries being forwarded now (a gauge for /metrics).
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Closes the UDP sockets; queries waiting fail with `.shutDown`.
    public func shutdown() async {
        await udp.shutdown()
    }

    private static func randomLabel() -> String {
        String(UInt64.random(in: .min ... .max), radix: 36)
    }
}
