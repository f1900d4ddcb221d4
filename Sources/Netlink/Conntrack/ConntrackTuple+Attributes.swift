internal import CNetfilter

/// A tuple to and from its CTA_TUPLE_* nest:
///
///     CTA_TUPLE_ORIG
///       CTA_TUPLE_IP     { CTA_IP_V4_SRC | CTA_IP_V6_SRC, CTA_IP_V4_DST | CTA_IP_V6_DST }
///       CTA_TUPLE_PROTO  { CTA_PROTO_NUM (u8), CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT (be16) }
extension ConntrackTuple {
    /// From the contents of a CTA_TUPLE_ORIG or CTA_TUPLE_REPLY nest; nil when addresses or the
    /// protocol are missing, or the two addresses are of different families.
    init?(attributes: NetlinkAttributes) {
        var source: IPAddress?, destination: IPAddress?
        var l4Protocol: UInt8?
        var sourcePort: UInt16 = 0, destinationPort: UInt16 = 0
        for attribute in attributes {
            switch UInt32(attribute.type) {
            case CTA_TUPLE_IP.rawValue:
                for ip in attribute.nested {
                    switch UInt32(ip.type) {
                    case CTA_IP_V4_SRC.rawValue, CTA_IP_V6_SRC.rawValue:
                        source = IPAddress(networkOrder: ip.payload)
                    case CTA_IP_V4_DST.rawValue, CTA_IP_V6_DST.rawValue:
                        destination = IPAddress(networkOrder: ip.payload)
                    default: break
                    }
                }
            case CTA_TUPLE_PROTO.rawValue:
                for proto in attribute.nested {
                    switch UInt32(proto.type) {
                    case CTA_PROTO_NUM.rawValue: l4Protocol = proto.u8
                    case CTA_PROTO_SRC_PORT.rawValue: sourcePort = proto.bigEndian16 ?? 0
                    case CTA_PROTO_DST_PORT.rawValue: destinationPort = proto.bigEndian16 ?? 0
                    default: break
                    }
                }
            default: break
            }
        }
        guard let source, let destination, let l4Protocol, source.family == destination.family else { return nil }
        self.init(source: source, destination: destination, l4Protocol: l4Protocol,
                  sourcePort: sourcePort, destinationPort: destinationPort)
    }

    /// Appends the tuple as a nest of `type` (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY). The kernel
    /// needs every field to look an entry up (both addresses, the protocol, both ports), so all
    /// are written; protocols without ports cannot be named this way.
    func put(into message: UnsafeMutablePointer<nlmsghdr>, as type: UInt32) {
        let tuple = mnl_attr_nest_start(message, UInt16(type))
        let ip = mnl_attr_nest_start(message, UInt16(CTA_TUPLE_IP.rawValue))
        let (sourceType, destinationType) = family == .ipv4
            ? (CTA_IP_V4_SRC.rawValue, CTA_IP_V4_DST.rawValue)
            : (CTA_IP_V6_SRC.rawValue, CTA_IP_V6_DST.rawValue)
        source.withNetworkOrderBytes { mnl_attr_put(message, UInt16(sourceType), $0.count, $0.baseAddress) }
        destination.withNetworkOrderBytes { mnl_attr_put(message, UInt16(destinationType), $0.count, $0.baseAddress) }
        mnl_attr_nest_end(message, ip)
        let proto = mnl_attr_nest_start(message, UInt16(CTA_TUPLE_PROTO.rawValue))
        mnl_attr_put_u8(message, UInt16(CTA_PROTO_NUM.rawValue), l4Protocol)
        if hasPorts {
            mnl_attr_put_u16(message, UInt16(CTA_PROTO_SRC_PORT.rawValue), sourcePort.bigEndian)
            mnl_attr_put_u16(message, UInt16(CTA_PROTO_DST_PORT.rawValue), destinationPort.bigEndian)
        }
        mnl_attr_nest_end(message, proto)
        mnl_attr_nest_end(message, tuple)
    }

    /// The most bytes `put` writes: three nest headers, two IPv6 addresses, three small values.
    static let maximumEncodedSize = 3 * 4 + 2 * (4 + 16) + 3 * 8
}
