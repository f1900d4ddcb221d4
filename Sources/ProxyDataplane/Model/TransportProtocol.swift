/// The L4 protocol of a service port or endpoint port. Kubernetes allows exactly these three;
/// anything else cannot be expressed as an nftables `meta l4proto` match, so such a port is
/// skipped rather than guessed at.
public enum TransportProtocol: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    /// Parses the API spelling; an absent protocol is TCP, the API default.
    /// Nil for anything else (the API is case-sensitive here, and so are we).
    public init?(apiValue: String?) {
        guard let apiValue else { self = .tcp; return }
        guard let p = TransportProtocol(rawValue: apiValue) else { return nil }
        self = p
    }

    /// The API spelling (`TCP`, `UDP`, `SCTP`).
    public var apiValue: String { rawValue }

    /// The IANA protocol number, what `meta l4proto` and conntrack tuples compare against.
    public var ipProtocolNumber: UInt8 {
        switch self {
        case .tcp: return 6
        case .udp: return 17
        case .sctp: return 132
        }
    }

    public static func < (lhs: TransportProtocol, rhs: TransportProtocol) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }
}
