import Netlink

/// A slice's endpoints as DNS keeps them: one byte buffer instead of an array of structs. Most
/// endpoints are an IPv4 address, three conditions and no hostname: 6 bytes here against 48 as
/// `Endpoint` values, which at the 100k endpoints of the memory target is 4 MiB.
///
/// Each endpoint: a flags byte (address present, IPv6, and ready/serving/terminating as
/// unset/false/true in two bits each), the address (4 or 16 bytes, network order), then the
/// hostname's length plus one (0: none) and its bytes. Hostnames are DNS labels (at most 63
/// bytes, validated by the API server); a longer one is not a name DNS can serve and is dropped.
public struct PackedEndpoints: Sendable, Hashable, Sequence {
    private var bytes: [UInt8] = []
    public private(set) var count = 0

    public init() {}

    public init(_ endpoints: some Sequence<DNSEndpointSlice.Endpoint>) {
        for endpoint in endpoints { append(endpoint) }
        bytes = bytes.map { $0 }  // the exact size, not the doubling growth's slack
    }

    public mutating func append(_ endpoint: DNSEndpointSlice.Endpoint) {
        var flags: UInt8 = 0
        if let address = endpoint.address {
            flags |= 0x01
            if address.family == .ipv6 { flags |= 0x02 }
        }
        flags |= Self.pack(endpoint.conditions?.ready) << 2
        flags |= Self.pack(endpoint.conditions?.serving) << 4
        flags |= Self.pack(endpoint.conditions?.terminating) << 6
        bytes.append(flags)
        if let address = endpoint.address { bytes.append(contentsOf: address.bytes) }
        if let hostname = endpoint.hostname, hostname.utf8.count <= 63 {
            bytes.append(UInt8(hostname.utf8.count + 1))
            bytes.append(contentsOf: hostname.utf8)
        } else {
            bytes.append(0)
        }
        count += 1
    }

    private static func pack(_ condition: Bool?) -> UInt8 {
        switch condition {
        case nil: 0
        case false?: 1
        case true?: 2
        }
    }

    private static func unpack(_ bits: UInt8) -> Bool? {
        switch bits & 0x3 {
        case 1: false
        case 2: true
        default: nil
        }
    }

    public struct Iterator: IteratorProtocol {
        let bytes: [UInt8]
        var at = 0

        public mutating func next() -> DNSEndpointSlice.Endpoint? {
            guard at < bytes.count else { return nil }
            let flags = bytes[at]
            at += 1
            var address: IPAddress?
            if flags & 0x01 != 0 {
                let width = flags & 0x02 != 0 ? 16 : 4
                address = IPAddress(bytes: Array(bytes[at..<(at + width)]))
                at += width
            }
            let conditions = flags >> 2 == 0 ? nil : DNSEndpointSlice.Conditions(
                ready: PackedEndpoints.unpack(flags >> 2), serving: PackedEndpoints.unpack(flags >> 4),
                terminating: PackedEndpoints.unpack(flags >> 6))
            let length = Int(bytes[at])
            at += 1
            var hostname: String?
            if length > 0 {
                hostname = String(decoding: bytes[at..<(at + length - 1)], as: UTF8.self)
                at += length - 1
            }
            return DNSEndpointSlice.Endpoint(address: address, conditions: conditions, hostname: hostname)
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }
}
