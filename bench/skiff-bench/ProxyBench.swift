import ArgumentParser
import Foundation

/// `skiff-bench proxy`: the service proxy programming nftables over netlink, against `nft -f`
/// loading the same ruleset as text (upstream kube-proxy's mechanism), in one run. Everything is
/// programmed into network namespaces this run creates and deletes; never the root namespace.
struct ProxyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Proxy vs nft -f: full sync, one-Service change, peak memory, connection latency.")

    @Option(parsing: .upToNextOption, help: "Service counts to measure.")
    var services: [Int] = [1_000, 10_000, 30_000]
    @Option(parsing: .upToNextOption, help: "Endpoints per Service to measure (each with every service count).")
    var endpoints: [Int] = [2, 10]
    @Option(parsing: .upToNextOption, help: "Ruleset layouts to measure: flat (skiff's default) and/or dedicated (a chain per Service and endpoint, as upstream kube-proxy).")
    var layouts: [ProxyLayout] = [.flat]
    @Option(help: "One-Service changes per size (p50/p99 over these).")
    var changes: Int = 20
    @Option(name: .customLong("latency-services"), parsing: .upToNextOption,
            help: "The two Service counts of the connection-latency measurement.")
    var latencyServices: [Int] = [10, 10_000]
    @Option(help: "Timed connections per latency size (spread over the rounds).")
    var connections: Int = 2_000
    @Option(name: .customLong("latency-rounds"), help: "Alternating rounds of the two latency sizes.")
    var latencyRounds: Int = 4
    @Flag(name: .customLong("no-latency"), help: "Skip the connection-latency measurement.")
    var noLatency = false
    @Flag(name: .customLong("no-sizes"), help: "Skip the sync and memory measurements (latency only).")
    var noSizes = false
    @Option(name: .customLong("netns-prefix"), help: "Prefix of the network namespaces this run creates (default skiff-bench-<pid>).")
    var netnsPrefix: String?
    @Option(name: .customLong("work-dir"), help: "Parent of the temporary directory for nft scripts and logs (default /tmp).")
    var workDir: String = "/tmp"

    func validate() throws {
        guard getuid() == 0 else { throw ValidationError("the proxy benchmark creates network namespaces: run it as root") }
        guard !services.isEmpty, !endpoints.isEmpty, !layouts.isEmpty, services.allSatisfy({ $0 > 0 }), endpoints.allSatisfy({ $0 > 0 }),
              changes > 0, connections > 0, latencyRounds > 0 else { throw ValidationError("sizes must be positive") }
        guard latencyServices.count == 2, latencyServices.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--latency-services wants two counts, e.g. 10 10000")
        }
        guard services.allSatisfy({ $0 <= 60_000 }) else { throw ValidationError("at most 60,000 services (ClusterIP and NodePort ranges)") }
    }

    func run() throws {
        Cleanup.shared.installSignalHandlers()
        let machine = MachineInfo.current()
        var template = Array("\(workDir)/skiff-bench-proxy.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp failed: \(errno)") }
        let dir = String(cString: made)
        Cleanup.shared.register(directory: dir)
        let namespaces = NetworkNamespaces(prefix: netnsPrefix ?? "skiff-bench-\(getpid())")

        var report = ProxyReport(bench: self, machine: machine,
                                 nftVersion: (try? ProxyProcess.run(["/usr/sbin/nft", "--version"]))?
                                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?")
        var failed = false
        do {
            report.nftStartup = try measureNftStartup(namespaces: namespaces, dir: dir)
            if !noSizes {
                for layout in layouts {
                    for s in services {
                        for e in endpoints {
                            let run = ProxySizeRun(workload: ProxyWorkload(services: s, endpointsPerService: e), layout: layout,
                                                   changes: changes, namespaces: namespaces, workDir: dir)
                            report.sizes.append(try run.run())
                            log(report.sizes.last!.oneLine)
                        }
                    }
                }
            }
            if !noLatency {
                let latency = ProxyConnectLatency(namespaces: namespaces, sizes: (latencyServices[0], latencyServices[1]),
                                                  connections: connections, rounds: latencyRounds)
                report.latency = try latency.run()
            }
        } catch {
            log("FAILED: \(error)")
            failed = true
        }
        if !report.sizes.isEmpty || report.latency != nil { print(report.render()) }
        Cleanup.shared.run()
        let left = namespaces.leftovers()
        if left.isEmpty {
            print("cleanup: every network namespace of this run (\(namespaces.prefix)-*) deleted; \(dir) removed.")
        } else {
            print("cleanup: LEFTOVER namespaces: \(left.joined(separator: ", "))")
            failed = true
        }
        if failed { throw ExitCode(1) }
    }

    /// The fixed cost of one `nft -f` (nsenter, exec, libnftables start-up, an empty transaction),
    /// median of 11, so small changes can be read net of it.
    private func measureNftStartup(namespaces: NetworkNamespaces, dir: String) throws -> UInt64 {
        let ns = try namespaces.create("nft-startup")
        defer { namespaces.delete(ns) }
        let path = dir + "/empty.nft"
        try Data().write(to: URL(fileURLWithPath: path))
        var times: [UInt64] = []
        for _ in 0..<11 {
            let run = try ProxyProcess.timed(ProxyProcess.inNamespace(ns, ["/usr/sbin/nft", "-f", path]), logPath: dir + "/nft.log")
            guard run.status == 0 else { throw BenchError("nft -f of an empty script failed") }
            times.append(run.wallNanos)
        }
        return times.sorted()[times.count / 2]
    }
}
