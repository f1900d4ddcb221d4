import Glibc

/// One direction of a tracked connection, as ctnetlink's CTA_TUPLE_ORIG / CTA_TUPLE_REPLY
/// carry it. For a DNATed service flow the original tuple is client → service address and the
/// reply tuple is endpoint → client (or → node, when masqueraded): the reply source is the
/// endpoint the flow is pinned to, which is what stale-entry clean-up looks at.
public struct ConntrackTuple: Sendable, Hashable, CustomStringConvertible {
    public var source: IPAddress
    public var destination: IPAddress
    /// The IP protocol number (IPPROTO_UDP is 17).
    public var l4Protocol: UInt8
    /// 0 for protocols without ports (ICMP has ids and types instead; they are not kept).
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(source: IPAddress, destination: IPAddress, l4Protocol: UInt8,
                sourcePort: UInt16, destinationPort: UInt16) {
        precondition(source.family == destination.family, "a conntrack tuple has one family")
        self.source = source
        self.destination = destination
        self.l4Protocol = l4Protocol
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    public var family: IPFamily { source.family }

    /// Whether the protocol carries ports at the offsets TCP does (the kernel's
    /// nf_ct_port_nlattr_to_tuple protocols).
    var hasPorts: Bool {
        switch l4Protocol {
        case UInt8(IPPROTO_TCP), UInt8(IPPROTO_UDP), UInt8(IPPROTO_UDPLITE), UInt8(IPPROTO_SCTP), UInt8(IPPROTO_DCCP): true
        default: false
        }
    }

    /// `udp 10.0.0.1:40000 -> 10.96.0.10:53`, `udp [fd00::1]:40000 -> [fd00::a]:53`.
    public var description: String {
        let name = switch l4Protocol {
        case UInt8(IPPROTO_TCP): "tcp"
        case UInt8(IPPROTO_UDP): "udp"
        case UInt8(IPPROTO_SCTP): "sctp"
        case UInt8(IPPROTO_ICMP): "icmp"
        case UInt8(IPPROTO_ICMPV6): "icmpv6"
        default: "proto \(l4Protocol)"
        }
        func endpoint(_ address: IPAddress, _ port: UInt16) -> String {
            guard hasPorts else { return address.description }
            return family == .ipv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
        }
        return "\(name) \(endpoint(source, sourcePort)) -> \(endpoint(destination, destinationPort))"
    }
}
