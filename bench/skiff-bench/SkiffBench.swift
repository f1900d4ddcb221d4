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
        abstract: "skiff on SQLite vs skiff on etcd vs bare etcd: create throughput, list latency, watch fan-out, memory.")

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
    @Option(name: .customLong("server-arg"), parsing: .unconditionalSingleValue,
            help: "An extra flag for both skiff servers (repeatable), e.g. --server-arg=--controllers=-* to measure the API without the controllers.")
    var serverArgs: [String] = []
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
            print("cleanup: all servers stopped (skiff on SQLite, skiff on etcd, its etcd, bare etcd); no process mentions \(root); temp dirs removed (\(FileManager.default.fileExists(atPath: root) ? "NOT removed" : "gone")).")
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
        // skiff on SQLite; skiff on an etcd of its own; and a bare etcd the benchmark talks to
        // directly. The two etcds are separate processes with separate data dirs and ports, so
        // the bare-etcd figures never share a database (or a WAL) with skiff's keys.
        let skiffDir = root + "/skiff-sqlite", skiffEtcdDir = root + "/skiff-etcd"
        let backingDir = root + "/etcd-for-skiff", etcdDir = root + "/etcd-bare"
        for dir in [skiffDir, skiffEtcdDir, backingDir, etcdDir] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let etcdVersion = Self.commandOutput(etcd, ["--version"]).split(separator: "\n").filter { !$0.hasPrefix("Git SHA") }.prefix(2).joined(separator: ", ")

        let sqliteChild = try startSkiff(name: "skiff-sqlite", dir: skiffDir, datastore: nil)
        let (etcdChild, etcdURL) = try startEtcd(name: "etcd-bare", dir: etcdDir)
        let (backingChild, backingURL) = try startEtcd(name: "etcd-for-skiff", dir: backingDir)

        var clients: [HTTPClient] = []
        func shutdownClients() async { for client in clients { try? await client.shutdown() } }
        do {
            // Both etcds are plain HTTP: one pool serves them (AsyncHTTPClient pools per host and port).
            let etcdClient = try Endpoint.makeClient(caPEM: nil, connections: concurrency)
            clients.append(etcdClient)
            let plain = HTTPHeaders([("User-Agent", "skiff-bench")])
            let ed = Endpoint(client: etcdClient, base: etcdURL, headers: plain)
            let backing = Endpoint(client: etcdClient, base: backingURL, headers: plain)
            // skiff on etcd needs its etcd up before it starts.
            try await waitForEtcd(child: backingChild, endpoint: backing)
            let onEtcdChild = try startSkiff(name: "skiff-etcd", dir: skiffEtcdDir,
                                             datastore: "etcd://" + backingURL.dropFirst("http://".count))

            func target(_ label: String, _ child: Child, dataDir: String, backing: (child: Child, endpoint: Endpoint)?) async throws -> SkiffTarget {
                let config = try await waitForSkiff(child: child, dataDir: dataDir)
                let client = try Endpoint.makeClient(caPEM: config.certificateAuthorityPEM, connections: concurrency)
                clients.append(client)
                var headers = HTTPHeaders([("Accept", "application/json"), ("User-Agent", "skiff-bench")])
                headers.add(name: "Authorization", value: "Bearer \(config.token ?? "")")
                return SkiffTarget(label: label, child: child, config: config,
                                   endpoint: Endpoint(client: client, base: config.server, headers: headers), backing: backing)
            }
            let sqlite = try await target("skiff (SQLite)", sqliteChild, dataDir: skiffDir + "/data", backing: nil)
            let onEtcd = try await target("skiff (etcd)", onEtcdChild, dataDir: skiffEtcdDir + "/data",
                                          backing: (backingChild, backing))
            try await waitForEtcd(child: etcdChild, endpoint: ed)
            log("all servers up: skiff (SQLite) \(sqlite.endpoint.base), skiff (etcd) \(onEtcd.endpoint.base) on etcd \(backingURL), etcd (bare) \(etcdURL)")
            let result = try await measure(machine: machine, sqlite: sqlite, onEtcd: onEtcd, etcdChild: etcdChild, ed: ed,
                                           etcdVersion: etcdVersion)
            await shutdownClients()
            return result
        } catch {
            await shutdownClients()
            throw error
        }
    }

    private func startSkiff(name: String, dir: String, datastore: String?) throws -> Child {
        let skiffPath = URL(fileURLWithPath: skiff).standardizedFileURL.path
        let port = try freeLoopbackPort()
        var arguments = ["server"]
        if let datastore { arguments += ["--datastore", datastore] }
        arguments += ["--data-dir", dir + "/data", "--listen", "127.0.0.1:\(port)", "--log-level", "warning"] + serverArgs
        return try Child(name: name, executable: skiffPath, arguments: arguments, logPath: dir + "/server.log")
    }

    /// An etcd with its defaults (durability included) on free loopback ports; returns its client URL.
    private func startEtcd(name: String, dir: String) throws -> (Child, String) {
        let clientURL = "http://127.0.0.1:\(try freeLoopbackPort())", peerURL = "http://127.0.0.1:\(try freeLoopbackPort())"
        let child = try Child(name: name, executable: etcd,
                              arguments: ["--name", "bench", "--data-dir", dir + "/data",
                                          "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
                                          "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                                          "--initial-cluster", "bench=\(peerURL)"],
                              logPath: dir + "/etcd.log")
        return (child, clientURL)
    }

    private func measure(machine: MachineInfo, sqlite: SkiffTarget, onEtcd: SkiffTarget, etcdChild: Child, ed: Endpoint,
                         etcdVersion: String) async throws -> Bool {
        // The same serialized pods for every system.
        let podBodies = (0..<pods).map { PodFactory.json(index: $0, namespaces: namespaces) }
        let averagePodBytes = podBodies.reduce(0) { $0 + $1.utf8.count } / pods
        let skiffBodies = podBodies.map { ByteBuffer(string: $0) }
        let expectedSelected = (0..<pods).filter { $0 % 10 == 3 }.count

        // Where the CPU went in each phase: this benchmark, each server, and everything else on the machine.
        var metered = [(name: "skiff (SQLite)", pid: sqlite.child.pid), (name: "skiff (etcd)", pid: onEtcd.child.pid)]
        if let backing = onEtcd.backing { metered.append((name: "its etcd", pid: backing.child.pid)) }
        metered.append((name: "etcd (bare)", pid: etcdChild.pid))
        let meter = PhaseMeter(metered)

        // The same phases with the same inputs on both skiff servers, then bare etcd.
        // A server whose phases are done is stopped (after its last memory reading): its
        // controllers keep working on the pods it holds (the scheduler retries every pod that
        // fits nowhere each minute and records an Event for it), which would otherwise take
        // CPU from the next system's phases.
        let sqliteRun = try await skiffPhases(sqlite, bodies: skiffBodies, expectedSelected: expectedSelected, meter: meter)
        sqlite.child.stop()
        let onEtcdRun = try await skiffPhases(onEtcd, bodies: skiffBodies, expectedSelected: expectedSelected, meter: meter)
        onEtcd.child.stop()
        onEtcd.backing?.child.stop()
        let etcdRun = try await etcdPhases(ed, pid: etcdChild.pid, podBodies: podBodies, meter: meter)

        let report = Report(
            bench: self, machine: machine, etcdVersion: etcdVersion,
            commands: [("skiff (SQLite)", sqlite.child.commandLine), ("skiff (etcd)", onEtcd.child.commandLine),
                       ("its etcd", onEtcd.backing?.child.commandLine ?? "?"), ("etcd (bare)", etcdChild.commandLine)],
            averagePodBytes: averagePodBytes, expectedSelected: expectedSelected,
            sqlite: sqliteRun, onEtcd: onEtcdRun, etcd: etcdRun, meter: meter)
        print(report.render())
        fflush(nil)
        return [sqliteRun.watch, onEtcdRun.watch, etcdRun.watch].contains { !$0.failures.isEmpty }
    }

    /// Every skiff phase on one server: namespaces (untimed), creates, lists, watch fan-out and
    /// memory. Run once per skiff server with identical inputs.
    private func skiffPhases(_ target: SkiffTarget, bodies: [ByteBuffer], expectedSelected: Int,
                             meter: PhaseMeter) async throws -> SkiffRun {
        let sk = target.endpoint, label = target.label, ns = namespaces, pods = pods
        let pid = target.child.pid, backingPID = target.backing?.child.pid
        func cpu() -> (server: Double, backing: Double) {
            (procCPUSeconds(pid: pid), backingPID.map { procCPUSeconds(pid: $0) } ?? 0)
        }

        // Namespaces (not timed).
        for n in 0..<namespaces {
            let body = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench-\(n)\"}}"
            try await sk.expect(201, .POST, "/api/v1/namespaces", body: ByteBuffer(string: body))
        }

        // 1. Create throughput.
        log("\(label) creates: \(pods) pods, \(concurrency) in flight")
        var fsync0: FsyncCount?
        if let backing = target.backing { fsync0 = await etcdFsyncs(backing.endpoint) }
        meter.restart()
        var cpu0 = cpu()
        let create = try await runWorkers(count: pods, concurrency: concurrency) { i in
            try await sk.expect(201, .POST, "/api/v1/namespaces/\(PodFactory.namespace(i, namespaces: ns))/pods", body: bodies[i])
        }
        var cpu1 = cpu()
        meter.mark("\(label) creates")
        var createFsyncs: FsyncCount?
        if let backing = target.backing, let fsync0 {
            let fsync1 = await etcdFsyncs(backing.endpoint)
            createFsyncs = FsyncCount(count: fsync1.count - fsync0.count, seconds: fsync1.seconds - fsync0.seconds)
        }
        let memLoaded = procMemory(pid: pid), backingMemLoaded = backingPID.flatMap { procMemory(pid: $0) }
        let (createCPU, createBackingCPU) = (cpu1.server - cpu0.server, cpu1.backing - cpu0.backing)
        // The server's own controllers write every new pod once more (the scheduler records
        // PodScheduled=False: there are no nodes). Lists must not race those writes.
        let settled = try await settlePods(sk, caPEM: target.config.certificateAuthorityPEM, label: label)

        // 2. List latency.
        log("\(label) lists: GET /api/v1/pods ×\(lists), then with labelSelector=app=web-3 ×\(lists)")
        meter.restart()
        cpu0 = cpu()
        let list = try await timedLists(lists) {
            try await sk.expect(200, .GET, "/api/v1/pods")
        } verify: { body in
            let count = try parseJSON(body)["items"]?.arrayValue?.count ?? -1
            guard count == pods else { throw BenchError("\(label) list returned \(count) pods, wanted \(pods)") }
        }
        let selector = try await timedLists(lists) {
            try await sk.expect(200, .GET, "/api/v1/pods?labelSelector=app%3Dweb-3")
        } verify: { body in
            let count = try parseJSON(body)["items"]?.arrayValue?.count ?? -1
            guard count == expectedSelected else { throw BenchError("\(label) selector list returned \(count) pods, wanted \(expectedSelected)") }
        }
        cpu1 = cpu()
        meter.mark("\(label) lists")

        // 3. Watch fan-out.
        meter.restart()
        let watch = try await watchPhase(
            system: label, endpoint: sk, caPEM: target.config.certificateAuthorityPEM, pid: pid, backingPID: backingPID, wire: .kubernetes,
            openRequest: { endpoint in
                let listed = try await endpoint.expect(200, .GET, "/api/v1/pods?limit=1")
                guard let rv = try parseJSON(listed)[path: ["metadata", "resourceVersion"]]?.stringValue else {
                    throw BenchError("\(label) list has no resourceVersion")
                }
                return endpoint.request(.GET, "/api/v1/pods?watch=1&resourceVersion=\(rv)")
            },
            write: { [watchWrite] seq, stamp in
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
        meter.mark("\(label) watch")
        let memEnd = procMemory(pid: pid), backingMemEnd = backingPID.flatMap { procMemory(pid: $0) }

        return SkiffRun(label: label, create: create, createCPU: createCPU, createBackingCPU: createBackingCPU, createFsyncs: createFsyncs,
                        list: list, selector: selector, listCPU: cpu1.server - cpu0.server, listBackingCPU: cpu1.backing - cpu0.backing,
                        watch: watch, memLoaded: memLoaded, backingMemLoaded: backingMemLoaded, memEnd: memEnd, backingMemEnd: backingMemEnd,
                        settleSeconds: settled.seconds, settleEvents: settled.events)
    }

    /// Waits until no pod has changed for a second (at most two minutes): watches pods from
    /// the current resourceVersion and counts the events until the stream goes quiet.
    private func settlePods(_ sk: Endpoint, caPEM: String?, label: String) async throws -> (seconds: Double, events: Int) {
        let start = monoNanos()
        let listed = try await sk.expect(200, .GET, "/api/v1/pods?limit=1")
        guard let rv = try parseJSON(listed)[path: ["metadata", "resourceVersion"]]?.stringValue else {
            throw BenchError("\(label) list has no resourceVersion")
        }
        let client = try Endpoint.makeClient(caPEM: caPEM, connections: 1)
        let watching = Endpoint(client: client, base: sk.base, headers: sk.headers)
        // Milliseconds on the monotonic clock.
        let startMs = Int(start / 1_000_000)
        let events = Counter(), lastEvent = Counter()
        lastEvent.set(startMs)
        let failure = ErrorBox()
        let reader = Task {
            do {
                let response = try await client.execute(watching.request(.GET, "/api/v1/pods?watch=1&resourceVersion=\(rv)"), timeout: .seconds(300))
                guard response.status == .ok else { throw BenchError("HTTP \(response.status.code)") }
                for try await buffer in response.body {
                    let lines = buffer.readableBytesView.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                    if lines > 0 {
                        events.add(lines)
                        lastEvent.set(Int(monoNanos() / 1_000_000))
                    }
                }
                if !Task.isCancelled { failure.set("the watch ended") }
            } catch {
                if !Task.isCancelled { failure.set("\(error)") }
            }
        }
        while monoNanos() - start < 120_000_000_000 {
            try await Task.sleep(for: .milliseconds(100))
            if Int(monoNanos() / 1_000_000) - lastEvent.current >= 1_000 { break }
        }
        reader.cancel()
        await reader.value
        try? await client.shutdown()
        if let error = failure.value { throw BenchError("\(label): the watch that waits for pods to settle failed: \(error)") }
        let quiet = Int(monoNanos() / 1_000_000) - lastEvent.current >= 1_000
        let seconds = Double(lastEvent.current - startMs) / 1000
        log("\(label): \(events.current) pod events after the creates, the last \(fmt(seconds, 2)) s after them\(quiet ? "" : "; STILL BUSY after 120 s")")
        return (seconds, events.current)
    }

    /// The peer: the same pods as opaque values in a bare etcd, through its JSON gateway.
    private func etcdPhases(_ ed: Endpoint, pid: Int32, podBodies: [String], meter: PhaseMeter) async throws -> EtcdRun {
        let ns = namespaces, pods = pods
        let etcdBodies = podBodies.enumerated().map { i, pod in
            ByteBuffer(string: "{\"key\":\"\(base64(PodFactory.etcdKey(index: i, namespaces: ns)))\",\"value\":\"\(base64(pod))\"}")
        }

        // 1. Puts.
        log("etcd (bare) creates: \(pods) puts, \(concurrency) in flight")
        let fsync0 = await etcdFsyncs(ed)
        meter.restart()
        var cpu0 = procCPUSeconds(pid: pid)
        let create = try await runWorkers(count: pods, concurrency: concurrency) { i in
            try await ed.expect(200, .POST, "/v3/kv/put", body: etcdBodies[i])
        }
        let createCPU = procCPUSeconds(pid: pid) - cpu0
        meter.mark("etcd (bare) puts")
        let fsync1 = await etcdFsyncs(ed)
        let memLoaded = procMemory(pid: pid)

        // 2. Ranges.
        log("etcd (bare) lists: range /registry/pods/ ×\(lists)")
        let rangeBody = ByteBuffer(string: "{\"key\":\"\(base64("/registry/pods/"))\",\"range_end\":\"\(base64("/registry/pods0"))\"}")
        meter.restart()
        cpu0 = procCPUSeconds(pid: pid)
        let list = try await timedLists(lists) {
            try await ed.expect(200, .POST, "/v3/kv/range", body: rangeBody)
        } verify: { body in
            let count = try parseJSON(body)["count"]?.stringValue.flatMap { Int($0) } ?? -1
            guard count == pods else { throw BenchError("etcd range returned count \(count), wanted \(pods)") }
        }
        let listCPU = procCPUSeconds(pid: pid) - cpu0
        meter.mark("etcd (bare) ranges")

        // 3. Watch fan-out.
        meter.restart()
        let watch = try await watchPhase(
            system: "etcd (bare)", endpoint: ed, caPEM: nil, pid: pid, backingPID: nil, wire: .etcd,
            openRequest: { endpoint in
                let probe = ByteBuffer(string: "{\"key\":\"\(base64("/registry/pods/"))\",\"range_end\":\"\(base64("/registry/pods0"))\",\"limit\":1,\"keys_only\":true}")
                let ranged = try await endpoint.expect(200, .POST, "/v3/kv/range", body: probe)
                guard let rev = try parseJSON(ranged)[path: ["header", "revision"]]?.stringValue.flatMap({ Int64($0) }) else {
                    throw BenchError("etcd range has no header.revision")
                }
                let body = "{\"create_request\":{\"key\":\"\(base64("/registry/pods/"))\",\"range_end\":\"\(base64("/registry/pods0"))\",\"start_revision\":\(rev + 1)}}"
                return endpoint.request(.POST, "/v3/watch", body: ByteBuffer(string: body))
            },
            write: { [watchWrite] seq, stamp in
                let i = watchWrite == .update ? seq % pods : pods + seq
                let body = "{\"key\":\"\(base64(PodFactory.etcdKey(index: i, namespaces: ns)))\",\"value\":\"\(base64(PodFactory.json(index: i, namespaces: ns, stamp: stamp)))\"}"
                try await ed.expect(200, .POST, "/v3/kv/put", body: ByteBuffer(string: body))
            })
        meter.mark("etcd (bare) watch")
        return EtcdRun(create: create, createCPU: createCPU,
                       createFsyncs: FsyncCount(count: fsync1.count - fsync0.count, seconds: fsync1.seconds - fsync0.seconds),
                       list: list, listCPU: listCPU, watch: watch, memLoaded: memLoaded, memEnd: procMemory(pid: pid))
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

    private func watchPhase(system: String, endpoint: Endpoint, caPEM: String?, pid: Int32, backingPID: Int32?, wire: WatchWire,
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
        let cpu0 = procCPUSeconds(pid: pid), backing0 = backingPID.map { procCPUSeconds(pid: $0) } ?? 0

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
        let backingCPU = (backingPID.map { procCPUSeconds(pid: $0) } ?? 0) - backing0
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
                           failures: failures, serverCPU: serverCPU, backingCPU: backingCPU)
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
    private func etcdFsyncs(_ endpoint: Endpoint) async -> FsyncCount {
        guard let (status, body) = try? await endpoint.call(.GET, "/metrics"), status == 200 else { return FsyncCount(count: 0, seconds: 0) }
        var count = 0.0, seconds = 0.0
        for line in String(buffer: body).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            if parts[0] == "etcd_disk_wal_fsync_duration_seconds_count" { count = Double(parts[1]) ?? 0 }
            if parts[0] == "etcd_disk_wal_fsync_duration_seconds_sum" { seconds = Double(parts[1]) ?? 0 }
        }
        return FsyncCount(count: count, seconds: seconds)
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
