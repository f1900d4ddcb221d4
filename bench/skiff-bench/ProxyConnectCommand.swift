import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The client of the connection-latency measurement, run inside the client namespace: opens
/// `count` TCP connections one after the other to `to` (a ClusterIP), each timed from just before
/// `connect` to the arrival of the server's first byte, and prints the times (ns) as one JSON
/// array. Failed connections (timeout, refused) are counted, not timed.
struct ProxyConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy-connect",
        abstract: "Internal to `skiff-bench proxy`: timed sequential TCP connects.",
        shouldDisplay: false)

    @Option(help: "Network namespace to connect from, e.g. /var/run/netns/NAME.")
    var netns: String
    @Option(help: "IPv4:port to connect to.")
    var to: String
    @Option var count: Int = 500
    @Option(help: "Untimed connections first (ARP, route and conntrack caches warm).")
    var warmup: Int = 50

    struct Output: Codable {
        var nanos: [UInt64]
        var failures: Int
        var firstError: String?
    }

    func run() throws {
        try enterNetworkNamespace(path: netns)
        guard let colon = to.lastIndex(of: ":"), let port = UInt16(to[to.index(after: colon)...]) else {
            throw BenchError("--to wants IPv4:port")
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, String(to[..<colon]), &addr.sin_addr) == 1 else { throw BenchError("bad address \(to)") }

        var out = Output(nanos: [], failures: 0)
        out.nanos.reserveCapacity(count)
        for i in 0..<(warmup + count) {
            switch once(&addr) {
            case .success(let nanos):
                if i >= warmup { out.nanos.append(nanos) }
            case .failure(let error):
                if i >= warmup { out.failures += 1 }
                if out.firstError == nil { out.firstError = error.description }
            }
        }
        FileHandle.standardOutput.write(try JSONEncoder().encode(out) + Data("\n".utf8))
    }

    private func once(_ addr: inout sockaddr_in) -> Result<UInt64, BenchError> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(BenchError("socket: errno \(errno)")) }
        defer { close(fd) }
        // A lost SYN would otherwise wait for the 1 s retransmit and the default minutes-long timeout.
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let start = monoNanos()
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return .failure(BenchError("connect: errno \(errno)")) }
        var byte: UInt8 = 0
        let got = read(fd, &byte, 1)
        let end = monoNanos()
        guard got == 1 else { return .failure(BenchError("read: \(got), errno \(errno)")) }
        return .success(end - start)
    }
}
