import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The backend of the connection-latency measurement, run inside the pod namespace: accepts a
/// TCP connection, sends one byte, closes. Single-threaded and minimal so that the time a
/// client sees is the network path (and the proxy's rules), not the server.
struct ProxyServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy-serve",
        abstract: "Internal to `skiff-bench proxy`: a one-byte TCP server for the latency measurement.",
        shouldDisplay: false)

    @Option(help: "Network namespace to serve in, e.g. /var/run/netns/NAME.")
    var netns: String
    @Option var port: Int = 8080

    func run() throws {
        try enterNetworkNamespace(path: netns)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchError("bind :\(port): errno \(errno)") }
        guard listen(fd, 1024) == 0 else { throw BenchError("listen: errno \(errno)") }
        FileHandle.standardOutput.write(Data("listening\n".utf8))
        var byte: UInt8 = 0x2A
        while true {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { continue }
            _ = write(c, &byte, 1)
            close(c)
        }
    }
}
