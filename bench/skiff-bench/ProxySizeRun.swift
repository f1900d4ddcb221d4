import Foundation
import ProxyDataplane

/// One size (Services × endpoints) of the proxy benchmark, both sides in fresh namespaces:
///
/// 1. skiff (`proxy-child`, its own process): full sync from empty; it then waits.
/// 2. `nft -f` (the parent, from its own copy of the same model): the same ruleset as a script,
///    loaded from empty into the second namespace.
/// 3. Both tables listed and compared; any difference fails the run.
/// 4. skiff: the one-Service changes; the child reports times and VmHWM and exits.
/// 5. `nft -f`: the same changes, each written as a kube-proxy-style partial sync.
/// 6. Both tables listed and compared again.
/// The two sides never run at the same time.
struct ProxySizeRun {
    var workload: ProxyWorkload
    var layout: ProxyLayout
    var changes: Int
    var namespaces: NetworkNamespaces
    var workDir: String

    struct Result {
        var workload: ProxyWorkload
        var layout: ProxyLayout
        var skiff: ProxyChildResult
        var skiffCommand: String
        var nftFull: TimedRun
        var nftChanges: [TimedRun]
        var scriptBytes: Int
        var changeScriptBytes: Int
        var scriptNanos: UInt64
        var listingFull: ProxyListing
        var listingFinal: ProxyListing
        var nftCommand: String
        /// CPU other processes used during each side's timed phases.
        var skiffOthers: OtherCPUMeter
        var nftOthers: OtherCPUMeter
    }

    func run() throws -> Result {
        var skiffOthers = OtherCPUMeter(), nftOthers = OtherCPUMeter()
        let tag = "\(layout.rawValue)-\(workload.services)x\(workload.endpointsPerService)"
        let skiffNS = try namespaces.create("\(tag)-skiff")
        let nftNS = try namespaces.create("\(tag)-nft")
        defer { tearDown([skiffNS, nftNS]) }

        // 1. skiff: full sync.
        log("\(label): skiff full sync (proxy-child)")
        let child = try HelperProcess(arguments: [
            "proxy-child", "--services", "\(workload.services)", "--endpoints", "\(workload.endpointsPerService)",
            "--changes", "\(changes)", "--layout", layout.rawValue, "--netns", NetworkNamespaces.path(skiffNS)])
        skiffOthers.begin(helpers: [child.pid])
        guard try child.readLine().contains("full") else { throw BenchError("proxy-child: unexpected first report") }
        skiffOthers.end(helpers: [child.pid])

        // 2. nft -f: the same ruleset as text, from empty (the skiff child waits meanwhile).
        var model = ProxyModel(config: ProxyWorkload.modelConfig)
        var cache = ObjectCache()
        workload.load(into: &model, cache: &cache)
        _ = model.apply()
        let generator = ProxyNftScript(config: layout.rulesetConfig)
        let g0 = monoNanos()
        let script = try generator.full(model: model)
        let scriptNanos = monoNanos() - g0
        let fullPath = workDir + "/\(tag)-full.nft"
        try Data(script.utf8).write(to: URL(fileURLWithPath: fullPath))
        log("\(label): nft -f full load (\(script.utf8.count / 1024) KiB script)")
        let nftArgv = ProxyProcess.inNamespace(nftNS, ["/usr/sbin/nft", "-f", fullPath])
        nftOthers.begin()
        let nftFull = try ProxyProcess.timed(nftArgv, logPath: workDir + "/nft.log")
        nftOthers.end()
        guard nftFull.status == 0 else { throw BenchError("nft -f \(fullPath) failed (\(nftFull.status)):\n\(nftLogTail())") }

        // 3. Both sides hold the same table.
        let (skiffFull, _) = try listBoth(skiffNS, nftNS, when: "after the full load")

        // 4. skiff: the one-Service changes.
        log("\(label): skiff one-Service changes ×\(changes)")
        skiffOthers.begin(helpers: [child.pid])
        child.send("go")
        let skiffLine = try child.readLine()
        skiffOthers.end(helpers: [child.pid])
        let skiff = try JSONDecoder().decode(ProxyChildResult.self, from: Data(skiffLine.utf8))
        try child.waitForExit()

        // 5. nft -f: the same changes, each as its own script.
        log("\(label): nft -f one-Service changes ×\(changes)")
        var nftChanges: [TimedRun] = []
        var changeBytes: [Int] = []
        for k in 0..<changes {
            let i = workload.changedService(k)
            let port = ServicePortName(namespace: ProxyWorkload.namespace(i), name: ProxyWorkload.name(i), port: "http", protocol: .tcp)
            guard let info = model.services[port], let endpoints = model.categorizedEndpoints(for: port, family: .ipv4) else {
                throw BenchError("\(port) is not in the model")
            }
            workload.applyChange(k, to: &model, cache: &cache)
            _ = model.apply()
            let text = try generator.change(port, previous: (info, endpoints), model: model)
            changeBytes.append(text.utf8.count)
            let path = workDir + "/\(tag)-change-\(k).nft"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            nftOthers.begin()
            let run = try ProxyProcess.timed(ProxyProcess.inNamespace(nftNS, ["/usr/sbin/nft", "-f", path]), logPath: workDir + "/nft.log")
            nftOthers.end()
            guard run.status == 0 else { throw BenchError("nft -f \(path) failed (\(run.status)):\n\(nftLogTail())") }
            nftChanges.append(run)
        }

        // 6. Same end state on both sides.
        let (skiffFinal, _) = try listBoth(skiffNS, nftNS, when: "after the changes")
        guard skiffFinal.digest != skiffFull.digest else { throw BenchError("\(label): the changes changed nothing") }
        withExtendedLifetime(cache) {}

        return Result(workload: workload, layout: layout, skiff: skiff, skiffCommand: child.commandLine, nftFull: nftFull, nftChanges: nftChanges,
                      scriptBytes: script.utf8.count, changeScriptBytes: changeBytes.sorted()[changeBytes.count / 2],
                      scriptNanos: scriptNanos, listingFull: skiffFull, listingFinal: skiffFinal,
                      nftCommand: nftArgv.joined(separator: " "), skiffOthers: skiffOthers, nftOthers: nftOthers)
    }
}

extension ProxySizeRun {
    var label: String { "\(layout.rawValue) \(workload.label)" }

    /// Deletes the tables first, synchronously (`nft delete table` returns once the kernel has
    /// committed it), then the namespaces: a namespace's own teardown runs later in a kernel
    /// worker and would otherwise still be freeing a big table while the next size is timed.
    func tearDown(_ names: [String]) {
        let t0 = monoNanos()
        for ns in names {
            _ = try? ProxyProcess.run(ProxyProcess.inNamespace(ns, ["/usr/sbin/nft", "delete", "table", "ip", ProxyWorkload.tableName]))
            namespaces.delete(ns)
        }
        log("\(label): tables and namespaces deleted in \(fmt(ms(monoNanos() - t0), 0)) ms")
        sleep(2)
    }

    /// Lists both tables, side by side (a big table takes minutes to dump, mostly in the kernel;
    /// nothing is timed meanwhile), and fails the run unless they hold the same objects.
    func listBoth(_ skiffNS: String, _ nftNS: String, when: String) throws -> (ProxyListing, ProxyListing) {
        log("\(label): listing both tables \(when)")
        let table = ProxyWorkload.tableName
        let results = ListingResults()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            results.set(i, Swift.Result { try ProxyListing.read(namespace: i == 0 ? skiffNS : nftNS, table: table) })
        }
        let skiff = try results.get(0), nft = try results.get(1)
        log("\(label): skiff table \(when): \(skiff.summary)")
        guard skiff == nft else {
            throw BenchError("\(label): \(when) the tables differ:\n  skiff:  \(skiff.summary)\n  nft -f: \(nft.summary)")
        }
        return (skiff, nft)
    }

    /// The end of nft's output (the temp dir is gone once the run ends).
    func nftLogTail() -> String {
        let text = (try? String(contentsOfFile: workDir + "/nft.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }
}

/// Two listings filled in from two threads.
private final class ListingResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<ProxyListing, Error>] = [:]
    func set(_ i: Int, _ r: Result<ProxyListing, Error>) { lock.withLock { results[i] = r } }
    func get(_ i: Int) throws -> ProxyListing { try lock.withLock { results[i]! }.get() }
}

/// CPU seconds of this process and of every child it has reaped (the skiff child, nft, nsenter).
func ownCPUSeconds() -> Double {
    var children = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &children)
    return selfCPUSeconds() + Double(children.ru_utime.tv_sec) + Double(children.ru_utime.tv_usec) / 1e6
        + Double(children.ru_stime.tv_sec) + Double(children.ru_stime.tv_usec) / 1e6
}
