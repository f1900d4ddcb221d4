import NIOCore
import Synchronization

/// A cache of forwarded answers, keyed by question (name without case, type, class) and the
/// query's DO bit, since a DNSSEC-aware client gets a different answer (RRSIGs) than one that
/// is not.
///
/// - Positive answers (NOERROR with answers) live for the smallest TTL in the answer section,
///   capped by `maxTTL`.
/// - Negative answers (NXDOMAIN, and NODATA: NOERROR without answers) live for
///   min(SOA TTL, SOA MINIMUM) of the SOA in the authority section (RFC 2308 §5), capped by
///   `maxNegativeTTL`; without a SOA they are not cached (RFC 2308 §5: "SHOULD NOT").
/// - SERVFAIL, REFUSED, other codes, truncated answers and TTL 0 are not cached: a failure
///   is retried upstream next time rather than pinned for seconds.
///
/// A hit comes back with every record's TTL lowered by the whole seconds the entry has been
/// held (never below 0, and never above what the entry itself has left, so a TTL capped by
/// `maxTTL` is not advertised beyond it); an entry whose time has run out is a miss.
///
/// Capacity is bounded: inserting into a full cache evicts, of the 8 entries under a sweeping
/// hand, the one that expires soonest (so expired and nearly expired entries go first; an
/// LRU list would cost two pointers per entry and a write on every hit). Every operation is
/// O(1). All methods are thread-safe (one mutex: a lookup holds it for a dictionary probe).
public final class DNSCache: Sendable {
    public struct Configuration: Sendable {
        public var capacity: Int
        public var maxTTL: UInt32
        public var maxNegativeTTL: UInt32

        public init(capacity: Int = 10_000, maxTTL: UInt32 = 3600, maxNegativeTTL: UInt32 = 1800) {
            self.capacity = capacity
            self.maxTTL = maxTTL
            self.maxNegativeTTL = maxNegativeTTL
        }
    }

    /// Counters for /metrics. `hits + misses` is the number of `lookup` calls.
    public struct Statistics: Sendable, Hashable {
        public var hits: Int
        public var misses: Int
        public var entries: Int
        public var evictions: Int
    }

    /// Nanoseconds on a monotonic clock (wall-clock jumps must not expire or revive entries).
    public typealias Clock = @Sendable () -> UInt64

    public let configuration: Configuration
    private let now: Clock
    private let state: Mutex<State>

    /// `now` is injectable for tests; the default is the monotonic uptime clock.
    public init(_ configuration: Configuration = Configuration(),
                now: @escaping Clock = { NIODeadline.now().uptimeNanoseconds }) {
        self.configuration = configuration
        self.now = now
        self.state = Mutex(State())
    }

    /// The cached response for `query`, with `query`'s ID and question (so the client's
    /// spelling of the name is echoed) and TTLs lowered by the time held; nil on a miss.
    public func lookup(_ query: DNSMessage) -> DNSMessage? {
        guard let key = Key(query) else { return nil }
        let now = self.now()
        let found: (DNSMessage, UInt64, UInt32)? = state.withLock { state in
            guard let i = state.index[key] else {
                state.misses += 1
                return nil
            }
            let entry = state.entries[i]
            guard now < entry.expiresAt else {
                state.remove(at: i)
                state.misses += 1
                return nil
            }
            state.hits += 1
            return (entry.response, entry.storedAt, entry.ttl)
        }
        guard let (stored, storedAt, ttl) = found else { return nil }
        let elapsed = UInt32(clamping: (now &- storedAt) / 1_000_000_000)
        let remaining = ttl - min(elapsed, ttl)
        var response = stored
        response.id = query.id
        response.questions = query.questions
        func age(_ records: inout [DNSRecord]) {
            for i in records.indices {
                records[i].ttl = min(records[i].ttl - min(elapsed, records[i].ttl), remaining)
            }
        }
        age(&response.answers)
        age(&response.authority)
        age(&response.additional)
        return response
    }

    /// Stores `response` (the answer to `query`) when it is cacheable; see the type's comment.
    public func store(_ response: DNSMessage, for query: DNSMessage) {
        guard let key = Key(query), !response.truncated, let ttl = cacheTTL(response) else { return }
        if let question = response.questions.first {
            // Never file an answer under a question it does not answer.
            guard response.questions.count == 1, question.name == key.name, question.type == key.type,
                  question.questionClass == key.questionClass else { return }
        }
        let now = self.now()
        var response = response
        response.id = 0
        let entry = Entry(key: key, response: response, storedAt: now,
                          expiresAt: now &+ UInt64(ttl) * 1_000_000_000, ttl: ttl)
        let capacity = configuration.capacity
        state.withLock { state in
            if let i = state.index[key] {
                state.entries[i] = entry
                return
            }
            guard capacity > 0 else { return }
            while state.entries.count >= capacity { state.evictOne() }
            state.index[key] = state.entries.count
            state.entries.append(entry)
        }
    }

    /// How long `response` may be cached, or nil when it may not be.
    func cacheTTL(_ response: DNSMessage) -> UInt32? {
        let ttl: UInt32
        switch response.responseCode {
        case .noError where !response.answers.isEmpty:
            ttl = min(response.answers.lazy.map(\.ttl).min() ?? 0, configuration.maxTTL)
        case .noError, .nxDomain:
            guard let soa = response.authority.first(where: { $0.type == .soa }),
                  case .soa(let data) = soa.data else { return nil }
            ttl = min(soa.ttl, data.minimum, configuration.maxNegativeTTL)
        default:
            return nil
        }
        return ttl > 0 ? ttl : nil
    }

    public var statistics: Statistics {
        state.withLock { Statistics(hits: $0.hits, misses: $0.misses, entries: $0.entries.count, evictions: $0.evictions) }
    }

    public func removeAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.index.removeAll()
        }
    }

    struct Key: Hashable {
        /// DNSName compares and hashes without ASCII case, so no lowercased copy is needed.
        var name: DNSName
        var type: DNSRecordType
        var questionClass: UInt16
        var dnssecOK: Bool

        init?(_ query: DNSMessage) {
            guard query.questions.count == 1, let q = query.questions.first else { return nil }
            name = q.name
            type = q.type
            questionClass = q.questionClass
            dnssecOK = query.edns?.dnssecOK ?? false
        }
    }

    struct Entry {
        var key: Key
        var response: DNSMessage
        var storedAt: UInt64
        var expiresAt: UInt64
        var ttl: UInt32
    }

    /// Entries in an array (for O(1) random choice) with a key → position index; removal
    /// moves the last entry into the hole.
    struct State {
        var entries: [Entry] = []
        var index: [Key: Int] = [:]
        var hits = 0
        var misses = 0
        var evictions = 0
        /// Where the next eviction looks: a hand sweeping the entries like a clock's.
        var hand = 0

        mutating func remove(at i: Int) {
            let key = entries[i].key
            let last = entries.count - 1
            if i != last {
                entries[i] = entries[last]
                index[entries[i].key] = i
            }
            entries.removeLast()
            index[key] = nil
        }

        /// Evicts the entry expiring soonest among the next `window` under the hand (so
        /// expired entries go first), then moves the hand past them: bounded work per insert,
        /// and over successive evictions every entry is looked at.
        mutating func evictOne(window: Int = 8) {
            var victim = hand % entries.count
            for step in 1..<min(window, entries.count) {
                let i = (hand + step) % entries.count
                if entries[i].expiresAt < entries[victim].expiresAt { victim = i }
            }
            hand = (hand + window) % entries.count
            remove(at: victim)
            evictions += 1
        }
    }
}
