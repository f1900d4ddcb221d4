import Netlink

/// Moves the calling thread into the network namespace at `path`. The helpers call it first
/// thing on their main thread and do all their socket work there: `setns` moves only the
/// calling thread, and sockets stay in the namespace they were created in.
func enterNetworkNamespace(path: String) throws {
    try NetworkNamespace(path: path).enter()
}
