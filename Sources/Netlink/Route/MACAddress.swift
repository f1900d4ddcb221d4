/// A 48-bit Ethernet (link-layer) address: what IFLA_ADDRESS, NDA_LLADDR and the bridge FDB
/// carry. The overlay gives each node's VXLAN device a fixed MAC (flannel publishes it in the
/// Node's `backend-data` annotation) and programs neighbour and FDB entries with peers' MACs.
public struct MACAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// From exactly six bytes; nil otherwise (an InfiniBand or tunnel address is not one).
    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (also with `-`), as `ip link` prints it.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let groups = parts.count == 6 ? parts : text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for group in groups {
            guard (1...2).contains(group.count), let byte = UInt8(group, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    /// A random locally administered unicast address (the kernel's eth_random_addr rule:
    /// bit 1 of the first byte set, bit 0 clear), for a device whose MAC must be known before
    /// it exists and must not change when it is re-created.
    public static func randomLocal() -> MACAddress {
        var bytes = (0..<6).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = (bytes[0] & 0xFE) | 0x02
        return MACAddress(bytes: bytes)!
    }

    /// Lower-case, colon-separated, as iproute2 prints it.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
