import Prometheus
import Synchronization

/// The DNS server's Prometheus metrics, shaped like CoreDNS's (`coredns_dns_requests_total`,
/// `…_responses_total`, `…_request_duration_seconds`, cache hits/misses, forward latency) under
/// a `skiff_dns_` prefix.
public final class DNSMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    // CoreDNS's buckets: 0.25 ms doubling to ~8 s.
    static let buckets: [Duration] = (0..<16).map { .microseconds(250 << $0) }

    let requestDuration: DurationHistogram
    let forwardDuration: DurationHistogram
    let cacheHits: Counter
    let cacheMisses: Counter
    let forwardRefused: Counter
    let searchCompletions: Counter
    private let requests = Mutex<[String: Counter]>([:])
    private let responses = Mutex<[String: Counter]>([:])
    /// The common types' and codes' counters, made up front so the per-query path takes no lock.
    private let udpRequests: [UInt16: Counter]
    private let tcpRequests: [UInt16: Counter]
    private let commonResponses: [UInt16: Counter]
    static let commonTypes: [DNSRecordType] = [.a, .aaaa, .srv, .ptr, .txt, .cname, .soa, .ns, .mx, .any]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        requestDuration = registry.makeDurationHistogram(name: "skiff_dns_request_duration_seconds", labels: [],
                                                         buckets: Self.buckets, help: "Time to answer a query, in seconds")
        forwardDuration = registry.makeDurationHistogram(name: "skiff_dns_forward_request_duration_seconds", labels: [],
                                                         buckets: Self.buckets, help: "Time an upstream took to answer, in seconds")
        cacheHits = registry.makeCounter(name: "skiff_dns_cache_hits_total", labels: [], help: "Forwarded answers served from the cache")
        cacheMisses = registry.makeCounter(name: "skiff_dns_cache_misses_total", labels: [], help: "Forwarded queries not in the cache")
        func requestCounters(_ proto: String) -> [UInt16: Counter] {
            Dictionary(uniqueKeysWithValues: Self.commonTypes.map { type in
                (type.rawValue, registry.makeCounter(name: "skiff_dns_requests_total", labels: [("proto", proto), ("type", type.description)],
                                                     help: "Queries received, by transport and type"))
            })
        }
        udpRequests = requestCounters("udp")
        tcpRequests = requestCounters("tcp")
        commonResponses = Dictionary(uniqueKeysWithValues: (0...5).map { code in
            (UInt16(code), registry.makeCounter(name: "skiff_dns_responses_total", labels: [("rcode", DNSResponseCode(rawValue: UInt16(code)).description)],
                                                help: "Responses sent, by response code"))
        })
        searchCompletions = registry.makeCounter(name: "skiff_dns_search_completions_total", labels: [],
                                                 help: "Queries answered by completing the asking pod's search list")
        forwardRefused = registry.makeCounter(name: "skiff_dns_forward_overload_total", labels: [],
                                              help: "Queries refused because too many were in flight upstream")
    }

    /// One query received over `proto` ("udp", "tcp") asking for `type`.
    func request(proto: String, type: DNSRecordType) {
        if let counter = (proto == "udp" ? udpRequests : tcpRequests)[type.rawValue] {
            counter.increment()
            return
        }
        let name = type.description
        let key = proto + "/" + name
        requests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(name: "skiff_dns_requests_total", labels: [("proto", proto), ("type", name)],
                                               help: "Queries received, by transport and type")
            counters[key] = counter
            return counter
        }.increment()
    }

    func response(_ code: DNSResponseCode) {
        if let counter = commonResponses[code.rawValue] {
            counter.increment()
            return
        }
        let name = code.description
        responses.withLock { counters in
            if let counter = counters[name] { return counter }
            let counter = registry.makeCounter(name: "skiff_dns_responses_total", labels: [("rcode", name)],
                                               help: "Responses sent, by response code")
            counters[name] = counter
            return counter
        }.increment()
    }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] {
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }
}
