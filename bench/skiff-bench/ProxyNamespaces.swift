import Foundation

/// The network namespaces the proxy benchmark programs. Every rule it writes goes into one of
/// these, never into the root namespace. Each is deleted when its phase ends, and all that are
/// left when the run ends, fails, or gets SIGINT/SIGTERM/SIGHUP (through `Cleanup`);
/// `bench/run-proxy` deletes any left after a crash by their common prefix.
final class NetworkNamespaces: @unchecked Sendable {
    /// `skiff-bench-<run id>`: every namespace of this run starts with it.
    let prefix: String
    private let lock = NSLock()
    private var live: [String] = []

    init(prefix: String) {
        self.prefix = prefix
        Cleanup.shared.register { [self] in deleteAll() }
    }

    static func path(_ name: String) -> String { "/var/run/netns/\(name)" }

    /// Creates `prefix-suffix` (with loopback up) and returns its name.
    func create(_ suffix: String) throws -> String {
        let name = "\(prefix)-\(suffix)"
        try ProxyProcess.run(["/usr/sbin/ip", "netns", "add", name])
        lock.withLock { live.append(name) }
        try ProxyProcess.run(ProxyProcess.inNamespace(name, ["/usr/sbin/ip", "link", "set", "lo", "up"]))
        return name
    }

    /// Deletes one namespace (the kernel frees its tables once no process is left inside).
    func delete(_ name: String) {
        _ = try? ProxyProcess.run(["/usr/sbin/ip", "netns", "del", name])
        lock.withLock { live.removeAll { $0 == name } }
    }

    func deleteAll() {
        for name in lock.withLock({ live }).reversed() { delete(name) }
    }

    /// Namespaces with our prefix that still exist (should be none at the end).
    func leftovers() -> [String] {
        let list = (try? ProxyProcess.run(["/usr/sbin/ip", "netns", "list"])) ?? ""
        return list.split(separator: "\n").map { String($0.split(separator: " ")[0]) }.filter { $0.hasPrefix(prefix) }
    }
}
