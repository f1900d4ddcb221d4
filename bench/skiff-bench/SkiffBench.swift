import ArgumentParser
import AsyncHTTPClient
import Foundation
import KubeAPI
import NIOCore
import NIOHTTP1

@main
struct SkiffBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff-bench",
        abstract: "Skiff benchmarks, each measured side by side with a peer in one run.",
        subcommands: [APIBench.self, ProxyBench.self,
                      // Helpers the proxy benchmark runs as child processes.
                      ProxyChildCommand.self, ProxyServeCommand.self, ProxyConnectCommand.self])
}

enum WatchWrite: String, ExpressibleByArgument, Sendable {
    /// Merge-patch an annotation on existing pods (etcd: put the whole pod to an existing key).
    case update
    /// Create new pods (etcd: put new keys).
    case create
}

struct APIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "API server vs etcd: create throughput, list latency, watch fan-out, memory.")

    @Option(help: "The release `skiff` binary.")
    var skiff: String = ".build-bench/release/skiff"
    @Option(help: "The etcd binary.")
    var etcd: String = "/usr/bin/etcd"
    @Option(help: "Pods to create (and etcd keys to put).")
    var pods: Int = 10_000
    @Option(help: "Namespaces the pods are spread over.")
    var namespaces: Int = 10
    @Option(help: "Timed repetitions of each list.")
    var lists: Int = 20
    @Option(help: "Concurrent watchers.")
    var watchers: Int = 100
    @Option(help: "Writes (hence events per watcher) in the watch benchmark.")
    var events: Int = 2_000
    @Option(help: "Writes per second in the watch benchmark.")
    var rate: Int = 500
    @Option(help: "Requests in flight (and HTTP/1.1 connections) for creates and watch-phase writes.")
    var concurrency: Int = 32
    @Option(name: .customLong("watch-write"), help: "update (merge-patch existing pods) or create (new pods).")
    var watchWrite: WatchWrite = .update
    @Option(name: .customLong("watch-timeout"), help: "Seconds watchers may lag behind the last write before they count as failed.")
    var watchTimeout: Double = 30
    @Option(name: .customLong("work-dir"), help: "Parent of the temporary server directories (default: a new /tmp/skiff-bench.XXXXXX, removed at exit).")
    var workDir: String?

    func validate() throws {
        guard pods > 0, namespaces > 0, lists > 0, watchers > 0, events > 0, rate > 0, concurrency > 0 else {
            throw ValidationError("sizes must be positive")
        }
    }

    func run() async throws {
        Cleanup.shared.installSignalHandlers()
        let machine = MachineInfo.current()
        let root: String
        if let workDir {
            root = workDir + "/run-\(getpid())"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } else {
            var template = Array("/tmp/skiff-bench.XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp failed: \(errno)") }
            root = String(cString: made)
        }
        Cleanup.shared.register(directory: root)
        var failed = false
        do {
            failed = try await benchmark(root: root, machine: machine)
        } catch {
            log("FAILED: \(error)")
            failed = true
        }
        Cleanup.shared.run()
        // Whatever happened: nothing we started may survive the run.
        let leftovers = processesMentioning(root)
        if leftovers.isEmpty {
            print("cleanup: both servers stopped; no process mentions \(root); temp dirs removed (\(FileManager.default.fileExists(atPath: root) ? "NOT removed" : "gone")).")
        } else {
            for p in leftovers {
                print("cleanup: LEFTOVER pid \(p.pid): \(p.cmdline) — killing")
                kill(p.pid, SIGKILL)
            }
            failed = true
        }
        if failed { throw ExitCode(1) }
    }

    // MARK: - The run

    private func benchmark(root: String, machine: MachineInfo) async throws -> Bool {
        let skiffDir = root + "/skiff", etcdDir = root + "/etcd"
        for dir in [skiffDir, etcdDir] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let skiffPort = try freeLoopbackPort()
        let etcdPort = try freeLoopbackPort(), peerPort = try freeLoopbackPort()

        // Servers.
        let skiffPath = URL(fileURLWithPath: skiff).standardizedFileURL.path
        let skiffChild = try Child(name: "skiff", executable: skiffPath,
                                   arguments: ["server", "--data-dir", skiffDir + "/data", "--listen", "127.0.0.1:\(skiffPort)",
                                               "--log-level", "warning"],
                                   logPath: skiffDir + "/server.log")
        let clientURL = "http://127.0.0.1:\(etcdPort)", peerURL = "http://127.0.0.1:\(peerPort)"
        let etcdChild = try Child(name: "etcd", executable: etcd,
                                  arguments: ["--name", "bench", "--data-dir", etcdDir + "/data",
                                              "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
                                              "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                                              "--initial-cluster", "bench=\(peerURL)"],
                                  logPath: etcdDir + "/etcd.log")
        let etcdVersion = Self.commandOutput(etcd, ["--version"]).split(separator: "\n").filter { !$0.hasPrefix("Git SHA") }.prefix(2).joined(separator: ", ")

        let skiffConfig = try await waitForSkiff(child: skiffChild, dataDir: skiffDir + "/data")
        let skiffClient = try Endpoint.makeClient(caPEM: skiffConfig.certificateAuthorityPEM, connections: concurrency)
        let etcdClient = try Endpoint.makeClient(caPEM: nil, connections: concurrency)
        let result: Bool
        do {
            result = try await measure(machine: machine, skiffChild: skiffChild, etcdChild: etcdChild, skiffConfig: skiffConfig,
                                       skiffClient: skiffClient, etcdClient: etcdClient, clientURL: clientURL, etcdVersion: etcdVersion)
        } catch {
            try? await skiffClient.shutdown()
            try? await etcdClient.shutdown()
            throw error
        }
        try await skiffClient.shutdown()
        try await etcdClient.shutdown()
        return result
    }

    private func measure(machine: MachineInfo, skiffChild: Child, etcdChild: Child, skiffConfig: KubeClientConfig,
                         skiffClient: HTTPClient, etcdClient: HTTPClient, clientURL: String, etcdVersion: String) async throws -> Bool {
        var skiffHeaders = HTTPHeaders([("Accept", "application/json"), ("User-Agent", "skiff-bench")])
        skiffHeaders.add(name: "Authorization", value: "Bearer \(skiffConfig.token ?? "")")
        let sk = Endpoint(client: skiffClient, base: skiffConfig.server, headers: skiffHeaders)
        let ed = Endpoint(client: etcdClient, base: clientURL, headers: HTTPHeaders([("User-Agent", "skiff-bench")]))
        try await waitForEtcd(child: etcdChild, endpoint: ed)
        log("both servers up: skiff \(sk.base), etcd \(ed.base)")

        // Namespaces (not timed).
        for n in 0..<namespaces {
            let body = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench-\(n)\"}}"
            try await sk.expect(201, .POST, "/api/v1/namespaces", body: ByteBuffer(string: body))
        }

        // The same serialized pods for both.
        let podBodies = (0..<pods).map { PodFactory.json(index: $0, namespaces: namespaces) }
        let averagePodBytes = podBodies.reduce(0) { $0 + $1.utf8.count } / pods
        let skiffBodies = podBodies.map { ByteBuffer(string: $0) }
        let etcdBodies = podBodies.enumerated().map { i, pod in
            ByteBuffer(string: "{\"key\":\"\(base64(PodFactory.etcdKey(index: i, namespaces: namespaces)))\",\"value\":\"\(base64(pod))\"}")
        }
        let ns = namespaces

        // 1. Create throughput.
        log("creates: \(pods) pods into skiff, \(concurrency) in flight")
        // Where the CPU went in each phase: this benchmark, each server, and everything else on the machine.
        var clientCPU: [PhaseCPU] = []
        let meterPIDs = (skiffChild.pid, etcdChild.pid)
        func snapshot() -> CPUSnapshot { CPUSnapshot.take(skiff: meterPIDs.0, etcd: meterPIDs.1) }
        var self0 = snapshot()
        func clientPhase(_ name: String) { let now = snapshot(); clientCPU.append(PhaseCPU(name: name, from: self0, to: now)); self0 = now }
        var cpu0 = procCPUSeconds(pid: skiffChild.pid)
        let skiffCreate = try await runWorkers(count: pods, concurrency: concurrency) { i in
            try await sk.expect(201, .POST, "/api/v1/namespaces/\(PodFactory.namespace(i, namespaces: ns))/pods", body: skiffBodies[i])
        }
        let skiffCreateCPU = procCPUSeconds(pid: skiffChild.pid) - cpu0
        clientPhase("skiff creates")
        log("creates: \(pods) puts into etcd")
        cpu0 = procCPUSeconds(pid: etcdChild.pid)
        let fsync0 = await etcdFsyncs(ed)
        let etcdCreate = try await runWorkers(count: pods, concurrency: concurrency) { i in
            try await ed.expect(200, .POST, "/v3/kv/put", body: etcdBodies[i])
        }
        let etcdCreateCPU = procCPUSeconds(pid: etcdChild.pid) - cpu0
        let fsync1 = await etcdFsyncs(ed)
        let etcdCreateFsyncs = (count: fsync1.count - fsync0.count, seconds: fsync1.seconds - fsync0.seconds)
        clientPhase("etcd puts")
        let skiffMemLoaded = procMemory(pid: skiffChild.pid), etcdMemLoaded = procMemory(pid: etcdChild.pid)

        // 2. List latency.
        log("lists: GET /api/v1/pods ×\(lists)")
        let expectedSelected = (0..<pods).filter { $0 % 10 == 3 }.count
        self0 = snapshot()
        cpu0 = procCPUSeconds(pid: skiffChild.pid)
        let skiffList = try await timedLists(lists) {
            try await sk.expect(200, .GET, "/api/v1/pods")
        } verify: { body in
            let count = try parseJSON(body)["items"]?.arrayValue?.count ?? -1
            guard count == pods else { throw BenchError("skiff list returned \(count) pods, wanted \(pods)") }
        }
        let skiffSelector = try await timedLists(lists) {
            try await sk.expect(200, .GET, "/api/v1/pods?labelSelector=app%3Dweb-3")
        } verify: { body in
            let count = try parseJSON(body)["items"]?.arrayValue?.count ?? -1
            guard count == expectedSelected else { throw BenchError("skiff selector list returned \(count) pods, wanted \(expectedSelected)") }
        }
        let skiffListCPU = procCPUSeconds(pid: skiffChild.pid) - cpu0
        clientPhase("skiff lists")
        log("lists: etcd range /registry/pods/ ×\(lists)")
        let rangeBody = ByteBuffer(string: "{\"key\":\"\(base64("/registry/pods/"))\",\"range_end\":\"\(base64("/registry/pods0"))\"}")
        cpu0 = procCPUSeconds(pid: etcdChild.pid)
        let etcdList = try await timedLists(lists) {
            try await ed.expect(200, .POST, "/v3/kv/range", body: rangeBody)
        } verify: { body in
            let count = try parseJSON(body)["count"]?.stringValue.flatMap { Int($0) } ?? -1
            guard count == pods else { throw BenchError("etcd range returned count \(count), wanted \(pods)") }
        }
        let etcdListCPU = procCPUSeconds(pid: etcdChild.pid) - cpu0
        clientPhase("etcd ranges")

        // 3. Watch fan-out.
        let skiffWatch = try await watchPhase(
            system: "skiff", endpoint: sk, caPEM: skiffConfig.certificateAuthorityPEM, pid: skiffChild.pid, wire: .kubernetes,
            openRequest: { endpoint in
                let listed = try await endpoint.expect(200, .GET, "/api/v1/pods?limit=1")
                guard let rv = try parseJSON(listed)[path: ["metadata", "resourceVersion"]]?.stringValue else {
                    throw BenchError("skiff list has no resourceVersion")
                }
                return endpoint.request(.GET, "/api/v1/pods?watch=1&resourceVersion=\(rv)")
            },
            write: { [watchWrite, pods] seq, stamp in
                switch watchWrite {
                case .update:
                    let i = seq % pods
                    try await sk.expect(200, .PATCH, "/api/v1/namespaces/\(PodFactory.namespace(i, namespaces: ns))/pods/\(PodFactory.name(i))",
                                        body: ByteBuffer(string: PodFactory.stampPatch(stamp)), contentType: "application/merge-patch+json")
                case .create:
                    let i = pods + seq
                    try await sk.expect(201, .POST, "/api/v1/namespaces/\(PodFactory.namespace(i, namespaces: ns))/pods",
                                        body: ByteBuffer(string: PodFactory.json(index: i, namespaces: ns, stamp: stamp)))
                }
            })
        clientPhase("skiff watch")
        let etcdWatch = try await watchPhase(
            system: "etcd", endpoint: ed, caPEM: nil, pid: etcdChild.pid, wire: .etcd,
            openRequest: { endpoint in
                let probe = ByteBuffer(string: "{\"key\":\"\(base64("/registry/pods/"))\",\"range_end\":\"\(base64("/registry/pods0"))\",\"limit\":1,\"keys_only\":true}")
                let ranged = try await endpoint.expect(200, .POST, "/v3/kv/range", body: probe)
                guard let rev = try parseJSON(ranged)[path: ["header", "revision"]]?.stringValue.flatMap({ Int64($0) }) else {
                    throw BenchError("etcd range has no header.revision")
                }
                let body = "{\"create_request\":{\"key\":\"\(base64("/registry/pods/"))\",\"range_end\":\"\(base64("/registry/pods0"))\",\"start_revision\":\(rev + 1)}}"
                return endpoint.request(.POST, "/v3/watch", body: ByteBuffer(string: body))
            },
            write: { [watchWrite, pods] seq, stamp in
                let i = watchWrite == .update ? seq % pods : pods + seq
                let body = "{\"key\":\"\(base64(PodFactory.etcdKey(index: i, namespaces: ns)))\",\"value\":\"\(base64(PodFactory.json(index: i, namespaces: ns, stamp: stamp)))\"}"
                try await ed.expect(200, .POST, "/v3/kv/put", body: ByteBuffer(string: body))
            })
        clientPhase("etcd watch")
        let skiffMemEnd = procMemory(pid: skiffChild.pid), etcdMemEnd = procMemory(pid: etcdChild.pid)

        // 4. Report.
        let report = Report(
            bench: self, machine: machine, etcdVersion: etcdVersion, skiffCommand: skiffChild.commandLine, etcdCommand: etcdChild.commandLine,
            averagePodBytes: averagePodBytes, expectedSelected: expectedSelected,
            skiffCreate: skiffCreate, etcdCreate: etcdCreate, skiffCreateCPU: skiffCreateCPU, etcdCreateCPU: etcdCreateCPU,
            skiffList: skiffList, skiffSelector: skiffSelector, etcdList: etcdList, skiffListCPU: skiffListCPU, etcdListCPU: etcdListCPU,
            skiffWatch: skiffWatch, etcdWatch: etcdWatch,
            skiffMemLoaded: skiffMemLoaded, etcdMemLoaded: etcdMemLoaded, skiffMemEnd: skiffMemEnd, etcdMemEnd: etcdMemEnd, clientCPU: clientCPU, etcdCreateFsyncs: etcdCreateFsyncs)
        print(report.render())
        fflush(nil)
        return !skiffWatch.failures.isEmpty || !etcdWatch.failures.isEmpty
    }

    // MARK: - Phases

    struct WorkerResult {
        var seconds: Double
        var latencies: [UInt64]
        var perSecond: Double { Double(latencies.count) / seconds }
    }

    /// `count` operations, `concurrency` at a time, as fast as they complete.
    private func runWorkers(count: Int, concurrency: Int,
                            _ op: @escaping @Sendable (Int) async throws -> Void) async throws -> WorkerResult {
        let next = Counter()
        let start = monoNanos()
        let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [UInt64] = []
                    while true {
                        let i = next.next()
                        if i >= count { break }
                        let t0 = monoNanos()
                        try await op(i)
                        mine.append(monoNanos() - t0)
                    }
                    return mine
                }
            }
            var all: [UInt64] = []
            for try await part in group { all += part }
            return all
        }
        return WorkerResult(seconds: Double(monoNanos() - start) / 1e9, latencies: latencies.sorted())
    }

    struct ListResult {
        var latencies: [UInt64]
        var bytes: Int
    }

    /// One untimed warm-up (whose body is verified), then `times` timed requests, one at a time.
    private func timedLists(_ times: Int, _ fetch: () async throws -> ByteBuffer,
                            verify: (ByteBuffer) throws -> Void) async throws -> ListResult {
        let warm = try await fetch()
        try verify(warm)
        var latencies: [UInt64] = []
        for _ in 0..<times {
            let t0 = monoNanos()
            let body = try await fetch()
            latencies.append(monoNanos() - t0)
            guard body.readableBytes == warm.readableBytes else {
                throw BenchError("list size changed between runs: \(body.readableBytes) vs \(warm.readableBytes)")
            }
        }
        return ListResult(latencies: latencies.sorted(), bytes: warm.readableBytes)
    }

    private func watchPhase(system: String, endpoint: Endpoint, caPEM: String?, pid: Int32, wire: WatchWire,
                            openRequest: (Endpoint) async throws -> HTTPClientRequest,
                            write: @escaping @Sendable (Int, String) async throws -> Void) async throws -> WatchReport {
        let watchClient = try Endpoint.makeClient(caPEM: caPEM, connections: watchers + 4)
        let watchEndpoint = Endpoint(client: watchClient, base: endpoint.base, headers: endpoint.headers)
        let request: HTTPClientRequest
        do { request = try await openRequest(watchEndpoint) } catch {
            try? await watchClient.shutdown()
            throw error
        }
        let ready = Counter()
        let (events, rate, watchers, concurrency, timeout) = (self.events, self.rate, self.watchers, self.concurrency, self.watchTimeout)
        log("watch: \(watchers) watchers on \(system), \(events) writes at \(rate)/s")
        let cpu0 = procCPUSeconds(pid: pid)

        var results: [WatcherResult] = []
        var writes = WorkerResult(seconds: 0, latencies: [])
        var firstSend: UInt64 = 0
        var writeError: String?
        await withTaskGroup(of: WatcherResult?.self) { group in
            for id in 0..<watchers {
                group.addTask { await runWatcher(id: id, endpoint: watchEndpoint, request: request, wire: wire, events: events, ready: ready) }
            }
            let waitStart = monoNanos()
            while ready.current < watchers, monoNanos() - waitStart < 60_000_000_000 { try? await Task.sleep(for: .milliseconds(10)) }
            if ready.current < watchers { writeError = "only \(ready.current)/\(watchers) watchers started within 60 s" }
            log("watch: \(ready.current)/\(watchers) watchers open after \(fmt(Double(monoNanos() - waitStart) / 1e9, 2)) s")
            // Let the last watch registrations settle before the clock starts.
            try? await Task.sleep(for: .milliseconds(500))
            firstSend = monoNanos()
            if writeError == nil {
                do {
                    writes = try await pacedWrites(count: events, rate: rate, concurrency: concurrency, start: firstSend, write)
                } catch {
                    writeError = "writes failed: \(error)"
                }
            }
            log("watch: \(events) writes sent in \(fmt(Double(monoNanos() - firstSend) / 1e9, 2)) s")
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            for await result in group {
                guard let result else {
                    group.cancelAll()
                    continue
                }
                results.append(result)
                if results.count == watchers {
                    log("watch: all watchers done \(fmt(Double(monoNanos() - firstSend) / 1e9, 2)) s after the first write")
                    group.cancelAll()
                }
            }
        }
        let serverCPU = procCPUSeconds(pid: pid) - cpu0
        let closing = monoNanos()
        try? await watchClient.shutdown()
        log("watch: watch connections closed in \(fmt(Double(monoNanos() - closing) / 1e9, 2)) s")
        var failures: [String] = []
        if let writeError { failures.append("\(system): \(writeError)") }
        var delays: [UInt64] = []
        delays.reserveCapacity(watchers * events)
        var complete = 0, delivered = 0, duplicates = 0
        var lastReceive: UInt64 = 0
        for r in results.sorted(by: { $0.id < $1.id }) {
            delays += r.delays
            delivered += r.distinct
            duplicates += r.duplicates
            lastReceive = max(lastReceive, r.lastReceive)
            if r.distinct == events && r.duplicates == 0 {
                complete += 1
            } else {
                failures.append("\(system) watcher \(r.id): got \(r.distinct)/\(events) events, \(r.duplicates) duplicates\(r.error.map { "; \($0)" } ?? "")")
            }
        }
        if results.count < watchers { failures.append("\(system): only \(results.count)/\(watchers) watchers reported") }
        for failure in failures.prefix(10) { log("FAIL: \(failure)") }
        if failures.count > 10 { log("FAIL: … and \(failures.count - 10) more") }
        delays.sort()
        let span = Double(lastReceive > firstSend ? lastReceive - firstSend : 1) / 1e9
        return WatchReport(watchers: watchers, events: events, complete: complete, totalDelivered: delivered, duplicates: duplicates,
                           p50: percentile(delays, 50), p99: percentile(delays, 99), max: delays.last ?? 0,
                           deliveredPerSecond: Double(delivered) / span, writeSeconds: writes.seconds,
                           writeLatencyP50: percentile(writes.latencies, 50), writeLatencyP99: percentile(writes.latencies, 99),
                           failures: failures, serverCPU: serverCPU)
    }

    /// Write `seq` is sent at `start + seq/rate`, each stamped with the time it was actually sent.
    private func pacedWrites(count: Int, rate: Int, concurrency: Int, start: UInt64,
                             _ write: @escaping @Sendable (Int, String) async throws -> Void) async throws -> WorkerResult {
        let next = Counter()
        let interval = 1e9 / Double(rate)
        let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [UInt64] = []
                    while true {
                        let seq = next.next()
                        if seq >= count { break }
                        let due = start + UInt64(Double(seq) * interval)
                        let now = monoNanos()
                        if due > now { try await Task.sleep(nanoseconds: due - now) }
                        let sent = monoNanos()
                        try await write(seq, "\(seq):\(sent)")
                        mine.append(monoNanos() - sent)
                    }
                    return mine
                }
            }
            var all: [UInt64] = []
            for try await part in group { all += part }
            return all
        }
        return WorkerResult(seconds: Double(monoNanos() - start) / 1e9, latencies: latencies.sorted())
    }

    // MARK: - Servers

    private func waitForSkiff(child: Child, dataDir: String) async throws -> KubeClientConfig {
        let deadline = monoNanos() + 60_000_000_000
        let kubeconfig = dataDir + "/admin.kubeconfig"
        while monoNanos() < deadline {
            guard child.isRunning else { throw BenchError("skiff server exited early:\n\(child.logTail())") }
            if FileManager.default.fileExists(atPath: kubeconfig),
               let config = try? Kubeconfig.load(path: kubeconfig).clientConfig() {
                let client = try Endpoint.makeClient(caPEM: config.certificateAuthorityPEM, connections: 1)
                let probe = Endpoint(client: client, base: config.server, headers: HTTPHeaders())
                let status = (try? await probe.call(.GET, "/readyz"))?.status
                try? await client.shutdown()
                if status == 200 { return config }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("skiff server not ready within 60 s:\n\(child.logTail())")
    }

    private func waitForEtcd(child: Child, endpoint: Endpoint) async throws {
        let deadline = monoNanos() + 60_000_000_000
        while monoNanos() < deadline {
            guard child.isRunning else { throw BenchError("etcd exited early:\n\(child.logTail())") }
            if let (status, body) = try? await endpoint.call(.GET, "/health"), status == 200,
               String(buffer: body).contains("true") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("etcd not ready within 60 s:\n\(child.logTail())")
    }

    /// etcd's WAL fsync counter and total seconds, from its Prometheus metrics.
    private func etcdFsyncs(_ endpoint: Endpoint) async -> (count: Double, seconds: Double) {
        guard let (status, body) = try? await endpoint.call(.GET, "/metrics"), status == 200 else { return (0, 0) }
        var count = 0.0, seconds = 0.0
        for line in String(buffer: body).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            if parts[0] == "etcd_disk_wal_fsync_duration_seconds_count" { count = Double(parts[1]) ?? 0 }
            if parts[0] == "etcd_disk_wal_fsync_duration_seconds_sum" { seconds = Double(parts[1]) ?? 0 }
        }
        return (count, seconds)
    }

    static func commandOutput(_ executable: String, _ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return "?" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
