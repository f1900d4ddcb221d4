import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One upstream resolver that non-cluster names are forwarded to.
public struct DNSUpstream: Sendable, Hashable, CustomStringConvertible {
    /// The resolver's IP address and port; answers are accepted only from exactly this address.
    public var address: SocketAddress

    public init(address: SocketAddress) {
        self.address = address
    }

    /// "ip:port", or "[ipv6]:port".
    public var description: String {
        let ip = address.ipAddress ?? "?"
        let port = address.port ?? 0
        if case .v6(let v6) = address {
            let zone = v6.address.sin6_scope_id == 0 ? "" : "%\(v6.address.sin6_scope_id)"
            return "[\(ip)\(zone)]:\(port)"
        }
        return "\(ip):\(port)"
    }
}

/// Why an upstream specification could not be read.
public struct DNSUpstreamError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Reading the upstream list: a resolv.conf (the default is the host's, `/etc/resolv.conf`)
/// or explicit `host:port` strings (the `--upstream` flag).
public enum DNSUpstreams {
    public static let defaultPort = 53

    /// The `nameserver` lines of a resolv.conf, in order, on port 53. Comments (`#`, `;`),
    /// `search`, `domain`, `options` and lines we cannot read (e.g. scoped link-local IPv6
    /// like `fe80::1%eth0`, which glibc accepts but we cannot bind to portably) are skipped.
    /// `listen` is our own listen address: a nameserver that is it is left out, since
    /// forwarding to ourselves would loop (loop probes catch the indirect cases). A wildcard
    /// listen address (0.0.0.0, ::) makes every loopback nameserver on that port ourselves.
    public static func parseResolvConf(_ text: String, excluding listen: SocketAddress? = nil) -> [DNSUpstream] {
        var out: [DNSUpstream] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let comment = fields.firstIndex(where: { $0.hasPrefix("#") || $0.hasPrefix(";") }) {
                fields.removeSubrange(comment...)
            }
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            guard let address = ipAddress(fields[1], port: defaultPort) else { continue }
            let upstream = DNSUpstream(address: address)
            if let listen, isSelf(address, listen: listen) { continue }
            if !out.contains(upstream) { out.append(upstream) }
        }
        return out
    }

    /// Reads `path` (e.g. /etc/resolv.conf) and parses it as `parseResolvConf` does.
    public static func loadResolvConf(path: String, excluding listen: SocketAddress? = nil) throws -> [DNSUpstream] {
        guard let text = readFile(path) else { throw DNSUpstreamError(description: "cannot read \(path)") }
        return parseResolvConf(text, excluding: listen)
    }

    /// `1.2.3.4`, `1.2.3.4:5353`, `2001:db8::1`, `[2001:db8::1]:5353`: an IP literal with an
    /// optional port (53 when absent). Host names are refused: resolving them would need DNS.
    public static func parse(_ spec: String) throws -> DNSUpstream {
        let fail = DNSUpstreamError(description: "upstream '\(spec)' is not ip, ip:port or [ipv6]:port")
        var host = Substring(spec)
        var port = defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw fail }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else { throw fail }
                port = p
            }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            // Exactly one colon: IPv4 with a port. More than one is a bare IPv6 literal.
            guard let p = Int(host[host.index(after: colon)...]) else { throw fail }
            port = p
            host = host[..<colon]
        }
        guard (1...65535).contains(port), let address = ipAddress(host, port: port) else {
            throw fail
        }
        return DNSUpstream(address: address)
    }

    /// An IP literal; an IPv6 one may end in `%interface` (name or index), without which a
    /// link-local address cannot be sent to.
    static func ipAddress(_ text: Substring, port: Int) -> SocketAddress? {
        guard let percent = text.firstIndex(of: "%") else { return try? SocketAddress(ipAddress: String(text), port: port) }
        let zone = String(text[text.index(after: percent)...])
        guard let base = try? SocketAddress(ipAddress: String(text[..<percent]), port: port), case .v6(let v6) = base else {
            return nil
        }
        let index = UInt32(zone) ?? if_nametoindex(zone)
        guard index != 0 else { return nil }
        var raw = v6.address
        raw.sin6_scope_id = index
        return SocketAddress(raw)
    }

    /// Whether sending to `address` would reach our own listener at `listen`.
    static func isSelf(_ address: SocketAddress, listen: SocketAddress) -> Bool {
        guard address.port == listen.port, let ip = address.ipAddress, let listenIP = listen.ipAddress else { return false }
        if ip == listenIP { return true }
        let wildcard = listenIP == "0.0.0.0" || listenIP == "::"
        return wildcard && (ip.hasPrefix("127.") || ip == "::1")
    }

    private static func readFile(_ path: String) -> String? {
        guard let fd = fopen(path, "r") else { return nil }
        defer { fclose(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, fd)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
