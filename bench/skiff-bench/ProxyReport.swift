import Foundation

/// The proxy benchmark's figures, rendered as the comparison table and its details.
struct ProxyReport {
    var bench: ProxyBench
    var machine: MachineInfo
    var nftVersion: String
    var nftStartup: UInt64 = 0
    var sizes: [ProxySizeRun.Result] = []
    var latency: ProxyConnectLatency.Result?

    private func verdict(_ ok: Bool) -> String { ok ? "met" : "MISSED" }
    private func mib(_ kb: Int) -> String { fmt(Double(kb) / 1024, 1) }
    private func times(_ a: Double, _ b: Double) -> String { b > 0 ? fmt(a / b, a / b >= 10 ? 0 : 1) + "×" : "—" }

    func render() -> String {
        var rows: [[String]] = [["metric", "skiff", "nft -f", "nft ÷ skiff", "target"]]
        var layout: ProxyLayout?
        for r in sizes {
            if r.layout != layout {
                layout = r.layout
                rows.append(["**\(r.layout.title)**", "", "", "", ""])
            }
            let w = r.workload
            // The targets are the product's: its default layout at 10k Services.
            let tenK = w.services == 10_000 && r.layout == .flat
            let full = r.skiff.full!
            let fullMS = ms(full.wallNanos), nftMS = ms(r.nftFull.wallNanos)
            var target = ""
            if tenK && w.endpointsPerService == 2 {
                target = "≤ 1 s: \(verdict(fullMS <= 1000)); ≥ 20×: \(verdict(nftMS / fullMS >= 20))"
            }
            rows.append(["full sync from empty, \(w.label) (ms)",
                         "\(fmt(fullMS)) (Swift \(fmt(ms(full.swiftNanos))) + kernel \(fmt(ms(full.kernelNanos))))",
                         fmt(nftMS), times(nftMS, fullMS), target])
            let sc = r.skiff.changes.map(\.wallNanos).sorted(), nc = r.nftChanges.map(\.wallNanos).sorted()
            let s50 = ms(percentile(sc, 50)), s99 = ms(percentile(sc, 99))
            let n50 = ms(percentile(nc, 50)), n99 = ms(percentile(nc, 99))
            rows.append(["one-Service change, \(w.label), p50 / p99 (ms)", "\(fmt(s50, 2)) / \(fmt(s99, 2))",
                         "\(fmt(n50)) / \(fmt(n99))", times(n50, s50) + " (p50)",
                         tenK ? "≤ 10 ms: p50 \(verdict(s50 <= 10)), p99 \(verdict(s99 <= 10))" : ""])
            let hwm = r.skiff.memEnd?.hwmKB ?? 0
            rows.append(["peak RSS, \(w.label) (MiB)", mib(hwm), mib(r.nftFull.maxRSSKB), times(Double(r.nftFull.maxRSSKB), Double(hwm)),
                         tenK ? "≤ 100 MiB: \(verdict(Double(hwm) / 1024 <= 100))" : ""])
        }
        if let l = latency {
            let s50 = Double(percentile(l.smallNanos, 50)) / 1e3, s99 = Double(percentile(l.smallNanos, 99)) / 1e3
            let b50 = Double(percentile(l.largeNanos, 50)) / 1e3, b99 = Double(percentile(l.largeNanos, 99)) / 1e3
            rows.append(["connect → first byte via ClusterIP, \(l.small) Services, p50 / p99 (µs)", "\(fmt(s50, 0)) / \(fmt(s99, 0))",
                         "(same kernel datapath)", "", ""])
            rows.append(["connect → first byte via ClusterIP, \(l.large) Services, p50 / p99 (µs)", "\(fmt(b50, 0)) / \(fmt(b99, 0))",
                         "(same kernel datapath)", "", ""])
            rows.append(["connection latency ratio \(l.large) ÷ \(l.small) Services, p50 / p99", "\(fmt(b50 / s50, 3)) / \(fmt(b99 / s99, 3))",
                         "", "", "≤ 1.1: p50 \(verdict(b50 / s50 <= 1.1)), p99 \(verdict(b99 / s99 <= 1.1))"])
        }

        var out = "\n## skiff-bench proxy — skiff over netlink vs `nft -f` of the same ruleset, one run\n\n"
        out += markdownTable(rows)
        out += "\nnft ÷ skiff: how many times longer (or more memory) `nft -f` took than skiff; > 1 favours skiff.\n\n"
        out += details()
        return out
    }

    private func details() -> String {
        var out = "Details\n"
        if !sizes.isEmpty {
            var rows: [[String]] = [["layout, size", "kernel table", "skiff full: msgs / MiB", "skiff change p50: Swift + kernel (ms), msgs",
                                     "nft full: script MiB, user + sys CPU s", "nft change: script KiB, p50 net of start-up (ms)",
                                     "skiff RSS: start / objects / after full / peak / live at end (MiB)", "others' CPU-s / wall s in timed phases: skiff, nft"]]
            for r in sizes {
                let full = r.skiff.full!
                let byWall = r.skiff.changes.sorted { $0.wallNanos < $1.wallNanos }
                let mid = byWall[byWall.count / 2]
                let nc = r.nftChanges.map(\.wallNanos).sorted()
                let net = Double(percentile(nc, 50)) - Double(nftStartup)
                let m = r.skiff
                rows.append([
                    "\(r.layout.rawValue) \(r.workload.label)",
                    "\(r.listingFinal.chains) chains, \(r.listingFinal.rules) rules, \(r.listingFinal.totalElements) elements",
                    "\(full.messages) / \(fmt(Double(full.bytes) / 1_048_576, 1))",
                    "\(fmt(ms(mid.swiftNanos), 2)) + \(fmt(ms(mid.kernelNanos), 2)), \(mid.messages)",
                    "\(fmt(Double(r.scriptBytes) / 1_048_576, 1)), \(fmt(r.nftFull.userSeconds, 2)) + \(fmt(r.nftFull.systemSeconds, 2))",
                    "\(fmt(Double(r.changeScriptBytes) / 1024, 1)), \(fmt(net / 1e6))",
                    [m.memStart, m.memObjects, m.memFull].map { $0.map { mib($0.rssKB) } ?? "?" }.joined(separator: " / ")
                        + " / " + (m.memEnd.map { mib($0.hwmKB) } ?? "?") + " / " + (m.memTrimmed.map { mib($0.rssKB) } ?? "?"),
                    "\(r.skiffOthers.summary), \(r.nftOthers.summary)",
                ])
            }
            out += markdownTable(rows).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
            out += "- others' CPU: CPU seconds the rest of the machine (other processes, kernel workers) used while each side's timed "
            out += "phases ran (skiff: the child's whole life but the pause for listing, so object building too; nft: each nft -f), "
            out += "against those phases' wall seconds; \(machine.nproc) CPUs give \(machine.nproc) CPU-s per wall second.\n"
            out += "- both sides' tables were listed (`nft list table ip skiff-proxy`) after the full load and after the last change, "
            out += "and matched: same chains, rules in the same order, same sets and elements (counts and a digest of every line).\n"
            out += "- skiff: `proxy-child` process per size; full sync = `ProxySyncer.syncNow(applying:)` from empty "
            out += "(model.apply, RulesetBuilder, plan, encode, one nfnetlink batch, acks); kernel = the batch's send and acknowledgements "
            out += "(`Report.commitDuration`), Swift = the rest. Recording the informer events beforehand (not in the sync time) took "
            out += sizes.map { "\($0.layout.rawValue) \($0.workload.label) \(fmt(ms($0.skiff.recordNanos))) ms" }.joined(separator: ", ") + ".\n"
            out += "- one-Service change: one endpoint of one EndpointSlice replaced (a different Service each time), then a partial sync; "
            out += "\(bench.changes) changes per size. nft -f gets a kube-proxy-style partial sync as text for the same change: in the "
            out += "dedicated layout every chain of the Service created/flushed/rewritten and the stale endpoint chain flushed and deleted; "
            out += "in both layouts the Service's map/set elements that are gone or changed deleted and the new ones added "
            out += "(unchanged ones left alone, as skiff does).\n"
            out += "- nft -f: `nsenter --net=… -- nft -f FILE`, timed from spawn to exit (posix_spawn + wait4); peak RSS is wait4's "
            out += "ru_maxrss (what GNU time -v reports). One empty `nft -f` costs \(fmt(ms(nftStartup), 2)) ms (median of 11): process start, "
            out += "libnftables, an empty transaction. Generating the full script from the model (Swift, not counted for nft) took "
            out += sizes.map { "\($0.layout.rawValue) \($0.workload.label) \(fmt(ms($0.scriptNanos))) ms" }.joined(separator: ", ") + ".\n"
            if let last = sizes.last {
                out += "- commands (\(last.layout.rawValue) \(last.workload.label)): skiff: \(last.skiffCommand); nft: \(last.nftCommand)\n"
            }
            out += "- skiff RSS: VmRSS at start, after building the Service/EndpointSlice objects and recording them, after the full sync; "
            out += "peak = VmHWM at the end (after the changes); live at end = VmRSS after malloc_trim(0) at the end (what the objects, "
            out += "the model and the programmed state still hold). The objects stay alive, as an informer cache holds them.\n"
        }
        if let l = latency {
            out += "- connection latency: node/pod/client namespaces joined by veths; a one-byte TCP server on both pod addresses; the client "
            out += "opens connections one at a time to the probe ClusterIP \(ProxyConnectLatency.probeIP):80 and times connect() → first byte. "
            out += "\(l.rounds) alternating rounds of \(l.connectionsPerRound) timed connections per size (after 50 untimed), "
            out += "\(l.smallNanos.count) + \(l.largeNanos.count) timed in all; failures \(l.failures.small) + \(l.failures.large)"
            out += l.firstError.map { " (first: \($0))" } ?? ""
            out += "; others' CPU-s / wall s while the clients ran: \(l.others.summary)"
            out += ". The rules are skiff's; `nft -f` would load the same table, so the datapath is the same for both.\n"
        }
        out += "- workload: Service i is team-(i%50)/svc-i, ClusterIP 10.96.0.10+i, TCP 80→8080, every 20th a NodePort; "
        out += "endpoints 10.128.0.0+… (cluster CIDR 10.128.0.0/9) on other nodes; one IPv4 table `ip skiff-proxy`.\n"
        out += "- machine: \(machine.nproc) CPUs (nproc), \(machine.cpuModel), \(machine.memTotal) RAM, Linux \(machine.kernel); \(nftVersion)\n"
        out += "- reproduce: bench/run-proxy   (or: " + CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ") + ")\n"
        out += "  with: --layouts \(bench.layouts.map(\.rawValue).joined(separator: " ")) --services \(bench.services.map(String.init).joined(separator: " ")) --endpoints \(bench.endpoints.map(String.init).joined(separator: " ")) "
        out += "--changes \(bench.changes) --latency-services \(bench.latencyServices.map(String.init).joined(separator: " ")) "
        out += "--connections \(bench.connections) --latency-rounds \(bench.latencyRounds)\n"
        return out
    }
}

extension ProxySizeRun.Result {
    /// A progress line for the log.
    var oneLine: String {
        let full = skiff.full!
        let sc = skiff.changes.map(\.wallNanos).sorted(), nc = nftChanges.map(\.wallNanos).sorted()
        return "\(layout.rawValue) \(workload.label): full skiff \(fmt(ms(full.wallNanos))) ms (kernel \(fmt(ms(full.kernelNanos))) ms) vs nft -f \(fmt(ms(nftFull.wallNanos))) ms; "
            + "change p50 skiff \(fmt(ms(percentile(sc, 50)), 2)) ms vs nft -f \(fmt(ms(percentile(nc, 50)), 1)) ms; "
            + "peak RSS skiff \(fmt(Double(skiff.memEnd?.hwmKB ?? 0) / 1024, 1)) MiB vs nft \(fmt(Double(nftFull.maxRSSKB) / 1024, 1)) MiB"
    }
}
