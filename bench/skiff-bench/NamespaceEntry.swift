import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Moves the calling thread into the network namespace at `path`. The helpers call it first
/// thing on their main thread and do all their socket work there: `setns` moves only the
/// calling thread, and sockets stay in the namespace they were created in.
func enterNetworkNamespace(path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw BenchError("open \(path): errno \(errno)") }
    defer { close(fd) }
    // Glibc declares setns only under _GNU_SOURCE, which Swift's Glibc module does not set.
    typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(nil, "setns") else { throw BenchError("setns not found") }
    guard unsafeBitCast(symbol, to: SetNS.self)(fd, 0x4000_0000 /* CLONE_NEWNET */) == 0 else {
        throw BenchError("setns \(path): errno \(errno)")
    }
}
