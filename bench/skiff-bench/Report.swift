import Foundation

/// Everything measured in one run, rendered as the table and its notes.
struct Report {
    var bench: APIBench
    var machine: MachineInfo
    var etcdVersion: String
    var skiffCommand: String
    var etcdCommand: String
    var averagePodBytes: Int
    var expectedSelected: Int
    var skiffCreate: APIBench.WorkerResult
    var etcdCreate: APIBench.WorkerResult
    var skiffCreateCPU: Double
    var etcdCreateCPU: Double
    var skiffList: APIBench.ListResult
    var skiffSelector: APIBench.ListResult
    var etcdList: APIBench.ListResult
    var skiffListCPU: Double
    var etcdListCPU: Double
    var skiffWatch: WatchReport
    var etcdWatch: WatchReport
    var skiffMemLoaded: ProcMemory?
    var etcdMemLoaded: ProcMemory?
    var skiffMemEnd: ProcMemory?
    var etcdMemEnd: ProcMemory?
    /// CPU seconds the benchmark process itself used in each phase (it shares the CPUs with the servers).
    var clientCPU: [PhaseCPU]
    /// WAL fsyncs etcd did during its create phase, and their total duration.
    var etcdCreateFsyncs: (count: Double, seconds: Double)

    private func ratio(_ a: Double, _ b: Double) -> String { b > 0 ? fmt(a / b, 2) + "×" : "—" }
    private func mib(_ kb: Int?) -> String { kb.map { fmt(Double($0) / 1024, 1) } ?? "?" }
    private func mibValue(_ kb: Int?) -> Double { Double(kb ?? 0) / 1024 }
    private func verdict(_ ok: Bool) -> String { ok ? "met" : "MISSED" }
    private func thousands(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0, (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    func render() -> String {
        let b = bench
        var rows: [[String]] = [["metric", "skiff", "etcd", "skiff÷etcd", "target"]]
        rows.append(["creates/s (\(thousands(b.pods)) pods, \(b.concurrency) in flight) ↑",
                     fmt(skiffCreate.perSecond, 0), fmt(etcdCreate.perSecond, 0), ratio(skiffCreate.perSecond, etcdCreate.perSecond),
                     "≥ 2,000/s: \(verdict(skiffCreate.perSecond >= 2000))"])
        rows.append(["create latency p50 / p99 (ms) ↓",
                     "\(fmt(ms(percentile(skiffCreate.latencies, 50)))) / \(fmt(ms(percentile(skiffCreate.latencies, 99))))",
                     "\(fmt(ms(percentile(etcdCreate.latencies, 50)))) / \(fmt(ms(percentile(etcdCreate.latencies, 99))))",
                     ratio(ms(percentile(skiffCreate.latencies, 99)), ms(percentile(etcdCreate.latencies, 99))) + " (p99)", ""])
        let sl50 = ms(percentile(skiffList.latencies, 50)), sl99 = ms(percentile(skiffList.latencies, 99))
        let el50 = ms(percentile(etcdList.latencies, 50)), el99 = ms(percentile(etcdList.latencies, 99))
        rows.append(["LIST all \(thousands(b.pods)) pods p50 (ms) ↓", fmt(sl50), fmt(el50), ratio(sl50, el50), "≤ 150 ms: \(verdict(sl50 <= 150))"])
        rows.append(["LIST all \(thousands(b.pods)) pods p99 (ms) ↓", fmt(sl99), fmt(el99), ratio(sl99, el99), "≤ 150 ms: \(verdict(sl99 <= 150))"])
        rows.append(["LIST all: response size (MB)", fmt(Double(skiffList.bytes) / 1e6), fmt(Double(etcdList.bytes) / 1e6),
                     ratio(Double(skiffList.bytes), Double(etcdList.bytes)), ""])
        rows.append(["LIST app=web-3 (\(thousands(expectedSelected)) pods) p50 / p99 (ms) ↓",
                     "\(fmt(ms(percentile(skiffSelector.latencies, 50)))) / \(fmt(ms(percentile(skiffSelector.latencies, 99))))",
                     "n/a (no selectors)", "—", ""])
        rows.append(["watch: events delivered/s (\(b.watchers) watchers × \(thousands(b.events))) ↑",
                     fmt(skiffWatch.deliveredPerSecond, 0), fmt(etcdWatch.deliveredPerSecond, 0),
                     ratio(skiffWatch.deliveredPerSecond, etcdWatch.deliveredPerSecond), ""])
        let skiffWriteRate = Double(skiffWatch.events) / max(skiffWatch.writeSeconds, 1e-9)
        let etcdWriteRate = Double(etcdWatch.events) / max(etcdWatch.writeSeconds, 1e-9)
        rows.append(["watch: writes/s achieved (paced at \(b.rate)/s) ↑", fmt(skiffWriteRate, 0), fmt(etcdWriteRate, 0),
                     ratio(skiffWriteRate, etcdWriteRate), ""])
        rows.append(["watch delay p50 (ms) ↓", fmt(ms(skiffWatch.p50)), fmt(ms(etcdWatch.p50)), ratio(ms(skiffWatch.p50), ms(etcdWatch.p50)), ""])
        rows.append(["watch delay p99 (ms) ↓", fmt(ms(skiffWatch.p99)), fmt(ms(etcdWatch.p99)), ratio(ms(skiffWatch.p99), ms(etcdWatch.p99)),
                     "≤ 50 ms: \(verdict(ms(skiffWatch.p99) <= 50 && skiffWatch.complete == skiffWatch.watchers))"])
        rows.append(["watch delay max (ms) ↓", fmt(ms(skiffWatch.max)), fmt(ms(etcdWatch.max)), ratio(ms(skiffWatch.max), ms(etcdWatch.max)), ""])
        rows.append(["watchers that got every event exactly once", "\(skiffWatch.complete)/\(skiffWatch.watchers)",
                     "\(etcdWatch.complete)/\(etcdWatch.watchers)", "", "all: \(verdict(skiffWatch.complete == skiffWatch.watchers))"])
        rows.append(["RSS with \(thousands(b.pods)) pods loaded (MiB) ↓", mib(skiffMemLoaded?.rssKB), mib(etcdMemLoaded?.rssKB),
                     ratio(mibValue(skiffMemLoaded?.rssKB), mibValue(etcdMemLoaded?.rssKB)), "report"])
        rows.append(["VmHWM with \(thousands(b.pods)) pods loaded (MiB) ↓", mib(skiffMemLoaded?.hwmKB), mib(etcdMemLoaded?.hwmKB),
                     ratio(mibValue(skiffMemLoaded?.hwmKB), mibValue(etcdMemLoaded?.hwmKB)), "report"])
        rows.append(["RSS at end, after lists + watch (MiB) ↓", mib(skiffMemEnd?.rssKB), mib(etcdMemEnd?.rssKB),
                     ratio(mibValue(skiffMemEnd?.rssKB), mibValue(etcdMemEnd?.rssKB)), ""])
        rows.append(["VmHWM at end (MiB) ↓", mib(skiffMemEnd?.hwmKB), mib(etcdMemEnd?.hwmKB),
                     ratio(mibValue(skiffMemEnd?.hwmKB), mibValue(etcdMemEnd?.hwmKB)), ""])

        var out = "\n## skiff-bench api — skiff server vs etcd, one run\n\n"
        out += table(rows)
        out += "\n↑ higher is better, ↓ lower is better; skiff÷etcd is skiff's figure divided by etcd's.\n\n"
        out += "Details\n"
        out += "- pods: \(thousands(b.pods)) over \(b.namespaces) namespaces, \(averagePodBytes) B of JSON each on average; "
        out += "etcd gets the same bytes as values under /registry/pods/NS/NAME (base64 in the gateway's JSON).\n"
        out += "- server CPU seconds per phase: creates skiff \(fmt(skiffCreateCPU, 2)) s / etcd \(fmt(etcdCreateCPU, 2)) s; "
        out += "lists (\(b.lists + 1)×all\(", ")\(b.lists + 1)×selector for skiff; \(b.lists + 1)×range for etcd) skiff \(fmt(skiffListCPU, 2)) s / etcd \(fmt(etcdListCPU, 2)) s; "
        out += "watch skiff \(fmt(skiffWatch.serverCPU, 2)) s / etcd \(fmt(etcdWatch.serverCPU, 2)) s.\n"
        out += "- CPU seconds per phase (from /proc; \(machine.nproc) CPUs = \(machine.nproc) CPU-s per wall second; "
        out += "\"others\" is every other process on the machine, e.g. other people's builds):\n"
        var cpuRows: [[String]] = [["phase", "wall s", "bench client", "skiff", "etcd", "others"]]
        for p in clientCPU {
            cpuRows.append([p.name, fmt(p.wall, 2), fmt(p.client, 2), fmt(p.skiff, 2), fmt(p.etcd, 2), fmt(p.others, 2)])
        }
        out += table(cpuRows).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        out += "- lists: \(b.lists) timed sequential requests after one untimed warm-up whose body was checked (item count); "
        out += "time to the last byte of the body. skiff: GET /api/v1/pods (JSON, all namespaces); etcd: POST /v3/kv/range over /registry/pods/ (linearizable).\n"
        for (name, w) in [("skiff", skiffWatch), ("etcd", etcdWatch)] {
            out += "- watch \(name): \(thousands(w.events)) writes (\(b.watchWrite == .update ? (name == "skiff" ? "merge patches of an annotation on existing pods" : "puts of the whole pod to existing keys") : "new pods")) "
            out += "paced at \(b.rate)/s, \(b.concurrency) max in flight, took \(fmt(w.writeSeconds, 2)) s "
            out += "(write latency p50 \(fmt(ms(w.writeLatencyP50))) ms, p99 \(fmt(ms(w.writeLatencyP99))) ms); "
            out += "\(thousands(w.totalDelivered)) of \(thousands(w.watchers * w.events)) deliveries, \(w.duplicates) duplicates; "
            out += "delay = receive time − send time (the stamp is taken just before the write request is sent, so it includes the write).\n"
        }
        let allFailures = skiffWatch.failures + etcdWatch.failures
        if !allFailures.isEmpty {
            out += "- WATCH FAILURES (\(allFailures.count)):\n"
            for f in allFailures.prefix(20) { out += "    \(f)\n" }
        }
        out += "- durability: etcd runs with its defaults — its WAL is fsynced (fdatasync) for every raft commit before a put is acknowledged "
        out += "(concurrent puts share a commit: during the \(thousands(b.pods)) puts it did \(Int(etcdCreateFsyncs.count)) WAL fsyncs taking \(fmt(etcdCreateFsyncs.seconds, 2)) s in total, "
        out += "\(etcdCreateFsyncs.count > 0 ? fmt(etcdCreateFsyncs.seconds / etcdCreateFsyncs.count * 1000, 2) : "?") ms each). skiff's SQLite runs in WAL mode with synchronous=NORMAL — a commit is acknowledged "
        out += "without fsync; it survives kill -9 of the server, but the last commits can be lost on power loss or a kernel crash. "
        out += "The create figures are therefore not durability-equivalent.\n"
        out += "- transport: skiff is HTTPS (TLS 1.3, bearer token) and does full API work (admission, defaulting, validation, "
        out += "resourceVersion, JSON re-serialisation); etcd is plain HTTP through its JSON gRPC gateway and stores opaque bytes. "
        out += "All traffic is loopback; client and both servers share the same \(machine.nproc) CPUs.\n"
        out += "- RSS is VmRSS/VmHWM from /proc/PID/status. etcd's includes the bbolt file pages it has mmapped; "
        out += "skiff's includes SQLite's page cache but not the kernel's page cache of state.db.\n"
        out += "- machine: \(machine.nproc) CPUs (nproc), \(machine.cpuModel), \(machine.memTotal) RAM, Linux \(machine.kernel); "
        out += "etcd: \(etcdVersion)\n"
        out += "- skiff: \(skiffCommand)\n"
        out += "- etcd:  \(etcdCommand)\n"
        out += "- reproduce: bench/run-api   (or: " + CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ") + ")\n"
        out += "  with: --pods \(b.pods) --namespaces \(b.namespaces) --lists \(b.lists) --watchers \(b.watchers) --events \(b.events) "
        out += "--rate \(b.rate) --concurrency \(b.concurrency) --watch-write \(b.watchWrite.rawValue)\n"
        return out
    }

    private func table(_ rows: [[String]]) -> String { markdownTable(rows) }
}
