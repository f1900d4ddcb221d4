import Foundation

/// Everything measured in one run, rendered as the table and its notes.
struct Report {
    var bench: APIBench
    var machine: MachineInfo
    var etcdVersion: String
    /// Each process's label and command line.
    var commands: [(String, String)]
    var averagePodBytes: Int
    var expectedSelected: Int
    /// skiff on its embedded SQLite store.
    var sqlite: SkiffRun
    /// skiff on an etcd of its own.
    var onEtcd: SkiffRun
    /// The bare etcd the benchmark talks to directly.
    var etcd: EtcdRun
    /// CPU seconds per phase of the client, each server process and everything else.
    var meter: PhaseMeter

    private func ratio(_ a: Double, _ b: Double) -> String { b > 0 && a >= 0 ? fmt(a / b, 2) + "×" : "—" }
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

    private func p(_ sorted: [UInt64], _ pct: Double) -> Double { ms(percentile(sorted, pct)) }
    private func p50p99(_ sorted: [UInt64]) -> String { "\(fmt(p(sorted, 50))) / \(fmt(p(sorted, 99)))" }
    private func writeRate(_ w: WatchReport) -> Double { Double(w.events) / max(w.writeSeconds, 1e-9) }
    private func watchOK(_ w: WatchReport) -> Bool { ms(w.p99) <= 50 && w.complete == w.watchers }

    /// A memory cell for skiff on etcd: the server, its etcd, and the pair.
    private func pair(_ server: Int?, _ backing: Int?) -> String {
        "\(mib(server)) + \(mib(backing)) = \(fmt(mibValue(server) + mibValue(backing), 1))"
    }

    func render() -> String {
        let b = bench
        let sq = sqlite, oe = onEtcd, ed = etcd
        // One row: metric, the three figures, SQLite ÷ etcd-backed, SQLite ÷ bare etcd, target (SQLite).
        func row(_ metric: String, _ s: String, _ o: String, _ e: String, _ rOnEtcd: String, _ rEtcd: String, _ target: String = "") -> [String] {
            [metric, s, o, e, rOnEtcd, rEtcd, target]
        }
        func numbers(_ metric: String, _ s: Double, _ o: Double, _ e: Double?, digits: Int = 1, target: String = "") -> [String] {
            row(metric, fmt(s, digits), fmt(o, digits), e.map { fmt($0, digits) } ?? "n/a", ratio(s, o), e.map { ratio(s, $0) } ?? "—", target)
        }
        var rows: [[String]] = [["metric", "skiff (SQLite)", "skiff (etcd)", "etcd (bare)", "SQLite÷etcd-backed", "skiff(SQLite)÷etcd", "target (skiff SQLite)"]]
        rows.append(numbers("creates/s (\(thousands(b.pods)) pods, \(b.concurrency) in flight) ↑",
                            sq.create.perSecond, oe.create.perSecond, ed.create.perSecond, digits: 0,
                            target: "≥ 2,000/s: \(verdict(sq.create.perSecond >= 2000))"))
        rows.append(row("create latency p50 / p99 (ms) ↓", p50p99(sq.create.latencies), p50p99(oe.create.latencies), p50p99(ed.create.latencies),
                        ratio(p(sq.create.latencies, 99), p(oe.create.latencies, 99)) + " (p99)",
                        ratio(p(sq.create.latencies, 99), p(ed.create.latencies, 99)) + " (p99)"))
        let sl50 = p(sq.list.latencies, 50), sl99 = p(sq.list.latencies, 99)
        rows.append(numbers("LIST all \(thousands(b.pods)) pods p50 (ms) ↓", sl50, p(oe.list.latencies, 50), p(ed.list.latencies, 50),
                            target: "≤ 150 ms: \(verdict(sl50 <= 150))"))
        rows.append(numbers("LIST all \(thousands(b.pods)) pods p99 (ms) ↓", sl99, p(oe.list.latencies, 99), p(ed.list.latencies, 99),
                            target: "≤ 150 ms: \(verdict(sl99 <= 150))"))
        rows.append(numbers("LIST all: response size (MB)", Double(sq.list.bytes) / 1e6, Double(oe.list.bytes) / 1e6, Double(ed.list.bytes) / 1e6))
        rows.append(row("LIST app=web-3 (\(thousands(expectedSelected)) pods) p50 / p99 (ms) ↓",
                        p50p99(sq.selector.latencies), p50p99(oe.selector.latencies), "n/a (no selectors)",
                        ratio(p(sq.selector.latencies, 99), p(oe.selector.latencies, 99)) + " (p99)", "—"))
        rows.append(numbers("watch: events delivered/s (\(b.watchers) watchers × \(thousands(b.events))) ↑",
                            sq.watch.deliveredPerSecond, oe.watch.deliveredPerSecond, ed.watch.deliveredPerSecond, digits: 0))
        rows.append(numbers("watch: writes/s achieved (paced at \(b.rate)/s) ↑", writeRate(sq.watch), writeRate(oe.watch), writeRate(ed.watch), digits: 0))
        rows.append(numbers("watch delay p50 (ms) ↓", ms(sq.watch.p50), ms(oe.watch.p50), ms(ed.watch.p50)))
        rows.append(numbers("watch delay p99 (ms) ↓", ms(sq.watch.p99), ms(oe.watch.p99), ms(ed.watch.p99),
                            target: "≤ 50 ms: \(verdict(watchOK(sq.watch)))"))
        rows.append(numbers("watch delay max (ms) ↓", ms(sq.watch.max), ms(oe.watch.max), ms(ed.watch.max)))
        rows.append(row("watchers that got every event exactly once", "\(sq.watch.complete)/\(sq.watch.watchers)",
                        "\(oe.watch.complete)/\(oe.watch.watchers)", "\(ed.watch.complete)/\(ed.watch.watchers)", "", "",
                        "all: \(verdict(sq.watch.complete == sq.watch.watchers))"))
        // Memory: skiff on etcd is the server plus its etcd (what a user runs); SQLite÷etcd-backed divides by the pair.
        let memoryRows: [(String, (ProcMemory?) -> Int?, (SkiffRun) -> (ProcMemory?, ProcMemory?), ProcMemory?, String)] = [
            ("RSS with \(thousands(b.pods)) pods loaded (MiB) ↓", { $0?.rssKB }, { ($0.memLoaded, $0.backingMemLoaded) }, ed.memLoaded, "report"),
            ("VmHWM with \(thousands(b.pods)) pods loaded (MiB) ↓", { $0?.hwmKB }, { ($0.memLoaded, $0.backingMemLoaded) }, ed.memLoaded, "report"),
            ("RSS at end, after lists + watch (MiB) ↓", { $0?.rssKB }, { ($0.memEnd, $0.backingMemEnd) }, ed.memEnd, ""),
            ("VmHWM at end (MiB) ↓", { $0?.hwmKB }, { ($0.memEnd, $0.backingMemEnd) }, ed.memEnd, ""),
        ]
        for (metric, field, when, bare, target) in memoryRows {
            let s = field(when(sq).0), server = field(when(oe).0), backing = field(when(oe).1), e = field(bare)
            rows.append(row(metric, mib(s), pair(server, backing), mib(e),
                            ratio(mibValue(s), mibValue(server) + mibValue(backing)), ratio(mibValue(s), mibValue(e)), target))
        }

        var out = "\n## skiff-bench api — skiff on SQLite, skiff on etcd, bare etcd: one run\n\n"
        out += markdownTable(rows)
        out += "\n↑ higher is better, ↓ lower is better. SQLite÷etcd-backed is skiff (SQLite)'s figure divided by skiff (etcd)'s; "
        out += "skiff(SQLite)÷etcd divides it by bare etcd's. Memory of skiff (etcd) is \"server + its etcd = the pair\", "
        out += "and SQLite÷etcd-backed divides by the pair. Targets are judged on skiff (SQLite).\n\n"

        out += "Details\n"
        out += "- pods: \(thousands(b.pods)) over \(b.namespaces) namespaces, \(averagePodBytes) B of JSON each on average, the same bytes to both skiff servers; "
        out += "bare etcd gets them as values under /registry/pods/NS/NAME (base64 in the gateway's JSON).\n"
        out += "- targets judged on skiff (etcd) instead: creates ≥ 2,000/s: \(verdict(oe.create.perSecond >= 2000)); "
        out += "LIST all p99 ≤ 150 ms: \(verdict(p(oe.list.latencies, 99) <= 150)); "
        out += "watch p99 ≤ 50 ms with every event: \(verdict(watchOK(oe.watch))).\n"
        out += "- settling: with its controllers on, a skiff server writes every new pod once more (the scheduler records PodScheduled=False, "
        out += "there being no nodes, and a FailedScheduling Event), partly after the creates end; the lists wait until no pod has changed for a second. "
        out += "Pod events seen after the creates: skiff (SQLite) \(thousands(sq.settleEvents)), the last \(fmt(sq.settleSeconds, 2)) s after them; "
        out += "skiff (etcd) \(thousands(oe.settleEvents)), the last \(fmt(oe.settleSeconds, 2)) s after.\n"
        out += "- each skiff server (with its etcd) is stopped as soon as its phases are done, so its controllers' background work "
        out += "(the scheduler retries every pod that fits nowhere each minute and records a FailedScheduling Event for it) does not run during the next system's phases.\n"
        if !b.serverArgs.isEmpty { out += "- extra flags for both skiff servers: \(b.serverArgs.joined(separator: " "))\n" }
        out += "- server CPU seconds per phase:"
        out += " creates: skiff (SQLite) \(fmt(sq.createCPU, 2)) s, skiff (etcd) \(fmt(oe.createCPU, 2)) s + its etcd \(fmt(oe.createBackingCPU, 2)) s, etcd (bare) \(fmt(ed.createCPU, 2)) s;"
        out += " lists (\(b.lists + 1)× all + \(b.lists + 1)× selector on skiff; \(b.lists + 1)× range on etcd): skiff (SQLite) \(fmt(sq.listCPU, 2)) s, "
        out += "skiff (etcd) \(fmt(oe.listCPU, 2)) s + its etcd \(fmt(oe.listBackingCPU, 2)) s, etcd (bare) \(fmt(ed.listCPU, 2)) s;"
        out += " watch: skiff (SQLite) \(fmt(sq.watch.serverCPU, 2)) s, skiff (etcd) \(fmt(oe.watch.serverCPU, 2)) s + its etcd \(fmt(oe.watch.backingCPU, 2)) s, "
        out += "etcd (bare) \(fmt(ed.watch.serverCPU, 2)) s.\n"
        out += "- CPU seconds per phase (from /proc; \(machine.nproc) CPUs = \(machine.nproc) CPU-s per wall second; "
        out += "\"others\" is every other process on the machine, e.g. other people's builds):\n"
        var cpuRows: [[String]] = [["phase", "wall s", "bench client"] + meter.names + ["others"]]
        for phase in meter.phases {
            cpuRows.append([phase.name, fmt(phase.wall, 2), fmt(phase.client, 2)] + phase.processes.map { fmt($0, 2) } + [fmt(phase.others, 2)])
        }
        out += markdownTable(cpuRows).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        out += "- lists: \(b.lists) timed sequential requests after one untimed warm-up whose body was checked (item count); "
        out += "time to the last byte of the body. skiff: GET /api/v1/pods (JSON, all namespaces); etcd: POST /v3/kv/range over /registry/pods/ (linearizable).\n"
        for (name, w, isEtcd) in [(sq.label, sq.watch, false), (oe.label, oe.watch, false), ("etcd (bare)", ed.watch, true)] {
            let what = b.watchWrite == .update
                ? (isEtcd ? "puts of the whole pod to existing keys" : "merge patches of an annotation on existing pods") : "new pods"
            out += "- watch \(name): \(thousands(w.events)) writes (\(what)) "
            out += "paced at \(b.rate)/s, \(b.concurrency) max in flight, took \(fmt(w.writeSeconds, 2)) s "
            out += "(write latency p50 \(fmt(ms(w.writeLatencyP50))) ms, p99 \(fmt(ms(w.writeLatencyP99))) ms); "
            out += "\(thousands(w.totalDelivered)) of \(thousands(w.watchers * w.events)) deliveries, \(w.duplicates) duplicates.\n"
        }
        out += "  delay = receive time − send time (the stamp is taken just before the write request is sent, so it includes the write).\n"
        let allFailures = sq.watch.failures + oe.watch.failures + ed.watch.failures
        if !allFailures.isEmpty {
            out += "- WATCH FAILURES (\(allFailures.count)):\n"
            for f in allFailures.prefix(20) { out += "    \(f)\n" }
        }
        out += "- durability: both etcds run with their defaults — the WAL is fsynced (fdatasync) for every raft commit before a write is acknowledged "
        out += "(concurrent writes share a commit). During the \(thousands(b.pods)) creates bare etcd did \(Int(ed.createFsyncs.count)) WAL fsyncs "
        out += "taking \(fmt(ed.createFsyncs.seconds, 2)) s in total (\(ed.createFsyncs.millisecondsEach) ms each)"
        if let f = oe.createFsyncs {
            out += "; skiff (etcd)'s etcd did \(Int(f.count)) taking \(fmt(f.seconds, 2)) s (\(f.millisecondsEach) ms each)"
        }
        out += ". skiff on SQLite runs in WAL mode with synchronous=NORMAL — a commit is acknowledged without fsync; it survives kill -9 "
        out += "of the server, but the last commits can be lost on power loss or a kernel crash. So skiff (etcd) and etcd (bare) are "
        out += "durability-equivalent; skiff (SQLite) is not.\n"
        out += "- transport: skiff is HTTPS (TLS 1.3, bearer token) and does full API work (admission, defaulting, validation, "
        out += "resourceVersion, JSON re-serialisation); skiff (etcd) then talks plain HTTP to its etcd through etcd's JSON gRPC gateway. "
        out += "etcd (bare) is plain HTTP through the same gateway and stores opaque bytes. "
        out += "All traffic is loopback; the client and all four server processes share the same \(machine.nproc) CPUs.\n"
        out += "- RSS is VmRSS/VmHWM from /proc/PID/status. etcd's includes the bbolt file pages it has mmapped; "
        out += "skiff (SQLite)'s includes SQLite's page cache but not the kernel's page cache of state.db.\n"
        out += "- machine: \(machine.nproc) CPUs (nproc), \(machine.cpuModel), \(machine.memTotal) RAM, Linux \(machine.kernel); "
        out += "etcd: \(etcdVersion)\n"
        let width = commands.map(\.0.count).max() ?? 0
        for (name, command) in commands {
            out += "- \(name):\(String(repeating: " ", count: width - name.count + 1))\(command)\n"
        }
        out += "- reproduce: bench/run-api   (or: " + CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ") + ")\n"
        out += "  with: --pods \(b.pods) --namespaces \(b.namespaces) --lists \(b.lists) --watchers \(b.watchers) --events \(b.events) "
        out += "--rate \(b.rate) --concurrency \(b.concurrency) --watch-write \(b.watchWrite.rawValue)"
        out += b.serverArgs.map { " --server-arg=\($0)" }.joined() + "\n"
        return out
    }
}
