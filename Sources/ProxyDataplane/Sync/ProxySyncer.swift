import Foundation
import Netlink

/// Programs the proxy's tables, one nf_tables transaction per sync.
///
/// All netlink work runs on one dedicated thread that owns the socket (and, when given a
/// network namespace, has `setns`-ed into it first: `setns` moves only the calling thread, so
/// nothing else ever runs there). Callers hand it work and wait, synchronously or with `await`.
///
/// `sync(model:update:)` builds the fragments of the changed service ports only, diffs them
/// against what was programmed and commits the difference. A full sync (first sync, after any
/// failure, or when asked, e.g. periodically) rewrites the whole table in one transaction,
/// which repairs drift: a *resync* (flush table, refill maps, recreate what is missing, delete
/// what is stale; affinity entries survive) when this process programmed it before, else — or
/// if the resync fails — a *rebuild* (delete and recreate the table). A failed batch changes
/// nothing in the kernel (the transaction aborts) and marks the next sync full.
///
/// Bad input must not stop everything else: when the kernel refuses a sync, the service ports
/// responsible are found by bisection in a scratch table (see `ProxySyncer+Quarantine.swift`),
/// left out (their old rules removed) and reported, and the rest is programmed. A quarantined
/// port is tried again as soon as its rules change.
public final class ProxySyncer: @unchecked Sendable {
    public struct Report: Sendable {
        public var mode: SyncPlan.Mode
        public var full: Bool { mode != .partial }
        public var messages: Int
        public var bytes: Int
        public var chainsTouched: Int
        public var elementsTouched: Int
        /// Whole sync; `commitDuration` is the kernel's part (send and acknowledgements).
        public var duration: Duration
        public var commitDuration: Duration
        /// Service ports the kernel refused in this sync, with its error; they are left out.
        public var rejected: [ServicePortName: String] = [:]
        /// Service ports left out because the kernel refused their (unchanged) rules before.
        public var quarantined = 0

        mutating func add(_ other: Report) {
            messages += other.messages
            bytes += other.bytes
            chainsTouched += other.chainsTouched
            elementsTouched += other.elementsTouched
            commitDuration += other.commitDuration
        }
    }

    public let builders: [RulesetBuilder]
    var states: [ProgrammedState]
    let worker: Worker
    var needsFullSync = true
    /// Service ports whose rules the kernel refused, with those rules (one fragment per
    /// family): left out until they differ.
    var quarantine: [ServicePortName: [RulesetFragment]] = [:]
    /// Test hook: rewrites a service port's fragment before it is programmed, to make the
    /// kernel refuse it for real (see ProxyQuarantineTests).
    var fragmentTransform: (@Sendable (ServicePortName, RulesetFragment) -> RulesetFragment)?
    /// The ruleset generation right after our last successful sync (nil: unknown).
    var generationAfterSync: UInt32?

    /// `configs`: one per family to program (each its own table). `networkNamespace`: a path
    /// such as `/var/run/netns/NAME` to program another namespace; nil for the process's own.
    public init(configs: [RulesetConfig], networkNamespace: String? = nil) throws {
        builders = configs.map(RulesetBuilder.init(config:))
        states = configs.map { ProgrammedState(table: $0.table) }
        worker = try Worker(networkNamespace: networkNamespace)
    }

    deinit { worker.stop() }

    /// Whether the next sync will be full.
    public var nextSyncIsFull: Bool { worker.run { self.needsFullSync } }

    /// Whether the kernel's ruleset generation moved since our last successful sync: someone
    /// (anyone: another table, `nft flush ruleset`, another proxy) committed a transaction.
    /// False proves the tables are exactly as we left them, so a periodic resync can wait.
    /// True when unknown. (A foreign commit landing between our commit and our read of the
    /// generation goes unnoticed until the next change; the caller's rarer forced resync
    /// covers that.)
    public func rulesetChangedSinceLastSync() -> Bool {
        worker.run {
            guard !self.needsFullSync, let known = self.generationAfterSync,
                  let current = try? self.worker.socket().rulesetGeneration() else { return true }
            return current != known
        }
    }

    /// Makes the next sync full (the periodic resync).
    public func requestFullSync() { worker.run { self.needsFullSync = true } }

    /// What is programmed, per family, as last committed.
    public var programmed: [ProgrammedState] { worker.run { self.states } }

    /// Syncs `model` (after `model.apply()` returned `update`). Blocks until committed.
    @discardableResult
    public func syncNow(model: ProxyModel, update: ProxyModelUpdate? = nil, full: Bool = false) throws -> Report {
        try worker.run { try self.syncOnThread(model: model, update: update, full: full) }
    }

    /// Applies the model's pending changes and syncs them (the usual call of a sync loop).
    /// Note `syncNow(model: m, update: m.apply())` would pass the model as it was *before*
    /// `apply`, since arguments are evaluated in order; this does it right.
    @discardableResult
    public func syncNow(applying model: inout ProxyModel, full: Bool = false) throws -> Report {
        let update = model.apply()
        return try syncNow(model: model, update: update, full: full)
    }

    /// The same, without blocking the caller's thread.
    @discardableResult
    public func sync(model: ProxyModel, update: ProxyModelUpdate? = nil, full: Bool = false) async throws -> Report {
        try await withCheckedThrowingContinuation { continuation in
            worker.submit {
                continuation.resume(with: Result { try self.syncOnThread(model: model, update: update, full: full) })
            }
        }
    }

    /// What `sync(applying:full:)` hands back: the model (with its changes applied), what
    /// the apply changed, and how the sync went.
    public struct Outcome: Sendable {
        private var model: ProxyModel?
        public var update: ProxyModelUpdate
        public var result: Result<Report, Error>

        init(model: consuming ProxyModel, update: ProxyModelUpdate, result: Result<Report, Error>) {
            self.model = model
            self.update = update
            self.result = result
        }

        /// Moves the model out (once), leaving no second reference to its storage.
        public mutating func takeModel() -> ProxyModel {
            defer { model = nil }
            return model!
        }
    }

    /// Applies the model's pending changes and syncs them on the syncer's thread, without
    /// blocking the caller. The model moves there and back: the caller must not touch its
    /// own copy meanwhile (it gets the model back in the outcome), so neither side ever
    /// copies the maps, and the cost stays that of the change.
    public func sync(applying model: consuming ProxyModel, full: Bool = false) async -> Outcome {
        let box = ModelBox(model)
        return await withCheckedContinuation { continuation in
            worker.submit {
                var model = box.take()
                let update = model.apply()
                let result = Result { try self.syncOnThread(model: model, update: update, full: full) }
                continuation.resume(returning: Outcome(model: consume model, update: update, result: result))
            }
        }
    }

    /// Deletes the UDP conntrack entries `plan` marks stale, in the syncer's namespace (on its
    /// thread, over a ctnetlink socket opened there for the call). Call it after the sync that
    /// programmed the change, so the next datagram of a cleared flow meets the new rules.
    public func cleanUpStaleUDPConntrack(_ plan: UDPConntrackCleanupPlan,
                                         families: [IPFamily]) throws -> ConntrackCleanupReport {
        if plan.isEmpty { return ConntrackCleanupReport() }
        return try worker.run { try UDPConntrackCleaner(socket: ConntrackSocket()).clean(plan, families: families) }
    }

    /// The same without blocking a thread of the caller's: a dump of a big conntrack table
    /// takes a while, and Swift's cooperative pool has one thread per core.
    public func cleanUpStaleUDPConntrack(_ plan: UDPConntrackCleanupPlan,
                                         families: [IPFamily]) async -> Result<ConntrackCleanupReport, Error> {
        if plan.isEmpty { return .success(ConntrackCleanupReport()) }
        return await withCheckedContinuation { continuation in
            worker.submit {
                continuation.resume(returning: Result {
                    try UDPConntrackCleaner(socket: ConntrackSocket()).clean(plan, families: families)
                })
            }
        }
    }

    /// Deletes the proxy's tables (`skiff proxy --cleanup`).
    public func cleanup() throws {
        try worker.run {
            let batch = NFTBatch()
            for b in self.builders {
                batch.add(NFTTable(b.config.table.family, b.config.table.name))
                batch.delete(table: b.config.table)
            }
            try batch.commit(on: try self.worker.socket())
            self.states = self.builders.map { ProgrammedState(table: $0.config.table) }
            self.needsFullSync = true
        }
    }

    private func syncOnThread(model: ProxyModel, update: ProxyModelUpdate?, full requested: Bool) throws -> Report {
        let start = ContinuousClock.now
        var report: Report
        do {
            if !(requested || needsFullSync || update == nil) {
                let changed = update!.changedServicePorts
                do {
                    report = try attempt(model: model, mode: .partial, owners: changed)
                } catch {
                    // Either what we sent is unacceptable (bad input) or the table drifted.
                    let isolated = Self.isContentError(error) ? try? isolateRejected(among: changed, model: model) : nil
                    report = try isolated ?? fullSync(model: model)
                }
            } else {
                report = try fullSync(model: model)
            }
        } catch {
            // The last transaction aborted, so the kernel keeps what it had; but what it has
            // may differ from what we believe (drift may be the cause): the next sync is full.
            needsFullSync = true
            generationAfterSync = nil
            for i in states.indices { states[i].invalidate() }
            worker.dropSocket()
            throw error
        }
        report.quarantined = quarantine.count
        report.duration = ContinuousClock.now - start
        return report
    }

    /// Resync, else rebuild, else rebuild in pieces to find what the kernel refuses.
    private func fullSync(model: ProxyModel) throws -> Report {
        quarantine = quarantine.filter { model.services[$0.key] != nil }
        // A resync keeps affinity entries; if it fails (e.g. the table vanished under it), a
        // rebuild follows at once.
        if states.allSatisfy({ !$0.fragments.isEmpty }), let report = try? attempt(model: model, mode: .resync) {
            return report
        }
        do {
            return try attempt(model: model, mode: .rebuild)
        } catch where Self.isContentError(error) {
            // A fresh table refused the whole ruleset: some service port's rules are at fault.
            return try rebuildWithoutRejected(model: model, error: error)
        }
    }

    /// The fragments the builders make for `name`, one per family.
    func builtFragments(for name: ServicePortName, model: ProxyModel) -> [RulesetFragment] {
        builders.map { builder in
            let fragment = builder.fragment(for: name, model: model)
            return fragmentTransform.map { $0(name, fragment) } ?? fragment
        }
    }

    /// The fragments to program for `name`: empty while it is quarantined with the same
    /// rules; a changed port leaves the quarantine and is tried again.
    func fragments(for name: ServicePortName, model: ProxyModel) -> [RulesetFragment] {
        let built = builtFragments(for: name, model: model)
        guard let refused = quarantine[name] else { return built }
        if refused == built { return built.map { _ in RulesetFragment() } }
        quarantine[name] = nil
        return built
    }

    /// One transaction: everything (`resync`, `rebuild`; `owners` ignored; `baseOnly` leaves
    /// out every service port), or the given service ports' changes (`partial`). On failure
    /// nothing changed, in the kernel (the transaction aborted) or here.
    func attempt(model: ProxyModel, mode: SyncPlan.Mode, owners: Set<ServicePortName> = [],
                 baseOnly: Bool = false) throws -> Report {
        var plans: [SyncPlan] = []
        var perFamily: [[RulesetOwner: RulesetFragment]] = builders.map { _ in [:] }
        if mode == .partial {
            for name in owners {
                for (i, fragment) in fragments(for: name, model: model).enumerated() {
                    perFamily[i][.servicePort(name)] = fragment
                }
            }
        } else {
            for (i, builder) in builders.enumerated() { perFamily[i][.base] = builder.baseFragment() }
            if !baseOnly {
                for (name, _) in model.services.servicePorts {
                    for (i, fragment) in fragments(for: name, model: model).enumerated() where !fragment.isEmpty {
                        perFamily[i][.servicePort(name)] = fragment
                    }
                }
            }
        }
        for (i, builder) in builders.enumerated() {
            switch mode {
            case .rebuild:
                plans.append(ProgrammedState.fullPlan(Ruleset(table: builder.config.table, fragments: perFamily[i])))
            case .resync:
                plans.append(ProgrammedState.fullPlan(Ruleset(table: builder.config.table, fragments: perFamily[i]),
                                                      previous: states[i]))
            case .partial:
                plans.append(states[i].plan(changes: perFamily[i]))
            }
        }
        let batch = NFTBatch(acknowledgements: .errorsOnly)
        for plan in plans where !plan.isEmpty { plan.encode(into: batch) }
        var report = Report(mode: mode, messages: batch.messageCount, bytes: batch.byteCount,
                            chainsTouched: plans.reduce(0) { $0 + $1.chainsTouched },
                            elementsTouched: plans.reduce(0) { $0 + $1.elementsTouched }, duration: .zero,
                            commitDuration: .zero)
        let commitStart = ContinuousClock.now
        if !batch.isEmpty { try batch.commit(on: try worker.socket()) }
        report.commitDuration = ContinuousClock.now - commitStart
        for (i, plan) in plans.enumerated() { states[i].commit(plan) }
        needsFullSync = false
        generationAfterSync = try? worker.socket().rulesetGeneration()
        return report
    }
}

/// A thread that runs submitted closures in order, owning a netlink socket opened in its
/// network namespace.
final class Worker: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [() -> Void] = []
    private var stopped = false
    private weak var thread: Thread?
    private var netlink: NetlinkSocket?
    private let started = DispatchSemaphore(value: 0)
    private var startError: Error?

    init(networkNamespace: String?) throws {
        // The thread holds the worker until `stop()` lets its loop end.
        let thread = Thread {
            if let path = networkNamespace {
                do { try enterNetworkNamespace(path) } catch { self.startError = error }
            }
            self.started.signal()
            if self.startError == nil { self.loop() }
        }
        thread.name = "skiff-proxy-netlink"
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
        started.wait()
        if let startError { throw startError }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if queue.isEmpty && stopped { condition.unlock(); return }
            let job = queue.removeFirst()
            condition.unlock()
            job()
        }
    }

    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    func run<T>(_ body: @escaping () throws -> T) throws -> T {
        if Thread.current === thread { return try body() }
        var result: Result<T, Error>?
        let done = DispatchSemaphore(value: 0)
        submit {
            result = Result { try body() }
            done.signal()
        }
        done.wait()
        return try result!.get()
    }

    func run<T>(_ body: @escaping () -> T) -> T {
        // swiftlint:disable:next force_try
        try! run { () throws -> T in body() }
    }

    /// The socket, opened on this thread (so in its namespace) on first use.
    func socket() throws -> NetlinkSocket {
        precondition(Thread.current === thread, "netlink work belongs on the syncer's thread")
        if let netlink { return netlink }
        let s = try NetlinkSocket()
        netlink = s
        return s
    }

    func dropSocket() { netlink = nil }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }
}

/// Moves the calling thread into the network namespace at `path` and checks it got there.
func enterNetworkNamespace(_ path: String) throws {
    try NetworkNamespace(path: path).enter()
}

/// Carries a model to the syncer's thread so that exactly one reference to its storage
/// exists on arrival (a captured `var` would keep a second one alive until the closure dies).
private final class ModelBox: @unchecked Sendable {
    private var model: ProxyModel?
    init(_ model: consuming ProxyModel) { self.model = model }
    func take() -> ProxyModel {
        defer { model = nil }
        return model!
    }
}
