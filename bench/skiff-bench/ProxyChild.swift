import ArgumentParser
import Foundation
import ProxyDataplane

/// The skiff side of one size, in a process of its own so that its peak RSS (VmHWM) is the
/// proxy's alone: it holds the Service and EndpointSlice objects (as the informer cache would),
/// feeds them to the model, does the full sync from empty into `--netns`, then the one-Service
/// changes, and reports timings and memory as one JSON line on stdout.
///
/// Between the full sync and the changes it waits for a line on stdin, so the parent can list
/// and check the table as the full sync left it.
struct ProxyChildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy-child",
        abstract: "Internal to `skiff-bench proxy`: the skiff side of one size.",
        shouldDisplay: false)

    @Option var services: Int
    @Option var endpoints: Int
    @Option var changes: Int
    @Option var layout: ProxyLayout = .flat
    @Option(help: "Network namespace to program, e.g. /var/run/netns/NAME.")
    var netns: String

    func run() throws {
        let workload = ProxyWorkload(services: services, endpointsPerService: endpoints)
        var result = ProxyChildResult()
        result.memStart = procMemory(pid: getpid()).map(ProxyChildResult.Memory.init)

        // Informer events: every object recorded in the model (not part of the sync time).
        var model = ProxyModel(config: ProxyWorkload.modelConfig)
        var cache = ObjectCache()
        let t0 = monoNanos()
        workload.load(into: &model, cache: &cache)
        result.recordNanos = monoNanos() - t0
        result.memObjects = procMemory(pid: getpid()).map(ProxyChildResult.Memory.init)

        let syncer = try ProxySyncer(configs: [layout.rulesetConfig], networkNamespace: netns)

        // Full sync from empty: model.apply(), the whole ruleset built, encoded, committed.
        let f0 = monoNanos()
        let full = try syncer.syncNow(applying: &model)
        let f1 = monoNanos()
        guard full.mode == .rebuild else { throw BenchError("first sync was \(full.mode), expected a rebuild") }
        result.full = ProxyChildResult.Sync(report: full, wallNanos: f1 - f0)
        result.memFull = procMemory(pid: getpid()).map(ProxyChildResult.Memory.init)
        emit(["phase": "full"])
        // The parent lists the table now; it says when to go on.
        guard readLine() != nil else { throw BenchError("parent went away") }

        for k in 0..<changes {
            workload.applyChange(k, to: &model, cache: &cache)
            let c0 = monoNanos()
            let report = try syncer.syncNow(applying: &model)
            let c1 = monoNanos()
            guard report.mode == .partial else { throw BenchError("change \(k) synced as \(report.mode), expected partial") }
            result.changes.append(ProxyChildResult.Sync(report: report, wallNanos: c1 - c0))
        }
        result.memEnd = procMemory(pid: getpid()).map(ProxyChildResult.Memory.init)
        // What is live: freed heap handed back to the kernel, so VmRSS drops to what the
        // objects, the model and the programmed state hold (VmHWM above is the peak).
        releaseFreeHeap()
        result.memTrimmed = procMemory(pid: getpid()).map(ProxyChildResult.Memory.init)
        // Keep the objects alive to the end, as a running proxy would.
        withExtendedLifetime(cache) {}
        FileHandle.standardOutput.write(try JSONEncoder().encode(result) + Data("\n".utf8))
    }

    private func emit(_ fields: [String: String]) {
        // Unbuffered: the parent waits for this line.
        FileHandle.standardOutput.write(try! JSONSerialization.data(withJSONObject: fields) + Data("\n".utf8))
    }
}

/// What `proxy-child` reports (its last stdout line).
struct ProxyChildResult: Codable {
    struct Memory: Codable {
        var rssKB: Int
        var hwmKB: Int
        init(_ m: ProcMemory) { rssKB = m.rssKB; hwmKB = m.hwmKB }
    }

    struct Sync: Codable {
        /// Around `syncNow(applying:)`: apply, build, diff, encode, commit.
        var wallNanos: UInt64
        /// Send and acknowledgements of the batch: the kernel's part.
        var kernelNanos: UInt64
        var messages: Int
        var bytes: Int
        var chainsTouched: Int
        var elementsTouched: Int

        init(report: ProxySyncer.Report, wallNanos: UInt64) {
            self.wallNanos = wallNanos
            kernelNanos = UInt64(report.commitDuration.components.seconds) * 1_000_000_000
                + UInt64(report.commitDuration.components.attoseconds / 1_000_000_000)
            messages = report.messages
            bytes = report.bytes
            chainsTouched = report.chainsTouched
            elementsTouched = report.elementsTouched
        }

        var swiftNanos: UInt64 { wallNanos > kernelNanos ? wallNanos - kernelNanos : 0 }
    }

    var recordNanos: UInt64 = 0
    var full: Sync?
    var changes: [Sync] = []
    var memStart: Memory?
    var memObjects: Memory?
    var memFull: Memory?
    var memEnd: Memory?
    var memTrimmed: Memory?
}

/// glibc's malloc_trim(0): returns free heap pages to the kernel (looked up at run time: Swift's
/// Glibc module does not import malloc.h).
func releaseFreeHeap() {
    typealias Trim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(nil, "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
}
