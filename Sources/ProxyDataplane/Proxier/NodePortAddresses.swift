import Foundation
import KubeAPI
import Netlink

/// `--nodeport-addresses`: which of this node's addresses answer NodePorts. Upstream's default
/// (`primary`) is the node's primary IPs; otherwise a list of CIDRs selects the addresses of
/// the node's interfaces inside them. Loopback addresses never qualify (nftables-mode
/// kube-proxy cannot DNAT locally-routed loopback traffic either).
public enum NodePortAddresses: Sendable, Hashable {
    case primary
    case cidrs([IPPrefix])

    /// Parses the flag: empty or `primary`, or comma-separated CIDRs.
    public init?(flag: String) {
        let items = flag.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if items.isEmpty || items == ["primary"] {
            self = .primary
            return
        }
        let prefixes = items.compactMap(IPPrefix.init)
        guard prefixes.count == items.count else { return nil }
        self = .cidrs(prefixes)
    }

    /// The addresses for this node. `node` supplies the primary IPs (its InternalIPs); without
    /// it, the source address the kernel would use toward the default route stands in.
    public func resolve(node: Node?, families: [IPFamily]) -> [IPAddress] {
        switch self {
        case .cidrs(let prefixes):
            return Self.interfaceAddresses().filter { ip in
                families.contains(ip.family) && !ip.isLoopback && prefixes.contains { $0.contains(ip) }
            }
        case .primary:
            let fromNode = (node?.status?.addresses ?? [])
                .filter { $0.type == "InternalIP" }
                .compactMap { $0.address.flatMap(IPAddress.init) }
                .filter { families.contains($0.family) && !$0.isLoopback }
            if !fromNode.isEmpty { return fromNode }
            return families.compactMap(Self.defaultRouteSource)
        }
    }

    /// Every address configured on this network namespace's interfaces.
    public static func interfaceAddresses() -> [IPAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var result: [IPAddress] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let sa = entry.pointee.ifa_addr, let ip = IPAddress(socketAddress: sa) else { continue }
            result.append(ip)
        }
        return result
    }

    /// The source address of a route to a documentation address (RFC 5737 / 3849): what a
    /// connected UDP socket is bound to. Sends nothing.
    static func defaultRouteSource(_ family: IPFamily) -> IPAddress? {
        let fd = socket(family == .ipv4 ? AF_INET : AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var storage = sockaddr_storage()
        var length: socklen_t
        if family == .ipv4 {
            var target = sockaddr_in()
            target.sin_family = sa_family_t(AF_INET)
            target.sin_port = UInt16(53).bigEndian
            target.sin_addr.s_addr = UInt32(0xC000_0201).bigEndian   // 192.0.2.1
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) == 0 }
            }
            guard ok else { return nil }
        } else {
            var target = sockaddr_in6()
            target.sin6_family = sa_family_t(AF_INET6)
            target.sin6_port = UInt16(53).bigEndian
            withUnsafeMutableBytes(of: &target.sin6_addr) { bytes in
                for (i, b) in [0x20, 0x01, 0x0d, 0xb8].enumerated() { bytes[i] = UInt8(b) }
                bytes[15] = 1                                          // 2001:db8::1
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let ok = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) == 0 }
            }
            guard ok else { return nil }
        }
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard named else { return nil }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { IPAddress(socketAddress: $0) }
        }
    }
}

extension IPAddress {
    /// An AF_INET or AF_INET6 socket address's IP; nil for other families.
    init?(socketAddress sa: UnsafePointer<sockaddr>) {
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            let v = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            self.init(ipv4: v)
        case AF_INET6:
            let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
            }
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self.init(ipv6High: high, low: low)
        default:
            return nil
        }
    }
}
