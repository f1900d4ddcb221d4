import Foundation
import KubeAPI
import Logging
import Netlink

/// The proxy's control loop, after kube-proxy's nftables proxier: informer events go into the
/// model as they arrive; a loop syncs them, coalesced (`SyncSchedule`), in one transaction
/// each, and keeps health and metrics.
///
/// The model lives here, except while a sync has it on the syncer's thread (moved, not
/// copied, so the cost of a sync stays that of the change); events arriving meanwhile wait in
/// a buffer and are replayed when it returns.
public actor Proxier {
    public nonisolated let config: ProxyConfig
    public nonisolated let metrics: ProxyMetrics
    private nonisolated let health: ProtectedState<ProxyHealth>
    private let syncer: ProxySyncer
    private let logger: Logger
    private var model: ProxyModel?
    private var buffered: [ProxyEvent] = []
    private var schedule: SyncSchedule
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// `last-change-trigger-time`s of the EndpointSlice changes not yet programmed.
    private var triggerTimes: [Date] = []
    private var noLocalEndpoints: [ServicePortName: NoLocalEndpoints] = [:]
    private var noLocalInternal = 0
    private var noLocalExternal = 0
    private var skipGaugeLabels: Set<[String]> = []
    private var syncs = 0
    private let startedAt = Date()
    /// What a failed sync applied but could not follow up on (conntrack, health checks,
    /// gauges): carried into the next successful sync, which programs those changes too.
    private var unfinished = ProxyModelUpdate()
    /// Services whose health check listener could not be opened; retried every sync.
    private var healthCheckRetries: Set<ServiceName> = []
    private let serviceHealth: ServiceHealthServer
    private var lastFullSync: ContinuousClock.Instant?
    /// Upstream's FullSyncPeriod: a full resync at least this often even when the ruleset
    /// generation says nothing changed.
    static let forcedFullSyncPeriod: Duration = .seconds(3600)

    private enum ProxyEvent {
        case service(ObjectChange<ProxyService>)
        case endpointSlice(ObjectChange<ProxyEndpointSlice>)
    }

    private struct NoLocalEndpoints: Equatable {
        var `internal` = false
        var external = false
    }

    public init(config: ProxyConfig, logger: Logger = Logger(label: "skiff.proxy")) throws {
        self.config = config
        self.logger = logger
        metrics = ProxyMetrics()
        // Healthy while starting, as upstream: the first changes queue the first sync.
        self.health = ProtectedState(ProxyHealth(healthTimeout: config.syncPeriod * 2))
        serviceHealth = ServiceHealthServer(addresses: config.nodePortAddresses, logger: logger) { [state = self.health] in
            state.withLock { $0.isLive(now: .now) }
        }
        syncer = try ProxySyncer(configs: config.rulesetConfigs, networkNamespace: config.networkNamespace)
        model = ProxyModel(config: config.modelConfig)
        schedule = SyncSchedule(minSyncPeriod: config.minSyncPeriod, syncPeriod: config.syncPeriod)
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: events

    public func record(_ change: ObjectChange<ProxyService>) {
        metrics.serviceChangesTotal.increment()
        record(.service(change))
    }

    public func record(_ change: ObjectChange<ProxyEndpointSlice>) {
        metrics.endpointChangesTotal.increment()
        let changed = record(.endpointSlice(change))
        // Network programming latency counts from the change that caused work, as upstream:
        // not no-op updates, not the initial list's old objects (stamped before we started).
        if changed, case .updated(_, let s) = change, let time = Self.triggerTime(s), time > startedAt {
            triggerTimes.append(time)
        } else if changed, case .added(let s) = change, let time = Self.triggerTime(s), time > startedAt {
            triggerTimes.append(time)
        }
    }

    private static func triggerTime(_ slice: ProxyEndpointSlice) -> Date? {
        slice.meta.keptAnnotation.flatMap(parseTime)
    }

    @discardableResult
    private func record(_ event: ProxyEvent) -> Bool {
        let now = ContinuousClock.now
        guard model != nil else {
            buffered.append(event)
            queued(at: now)
            return true
        }
        let changed = apply(event)
        if changed { queued(at: now) }
        metrics.serviceChangesPending.set(Double(model!.serviceChanges.pendingCount))
        metrics.endpointChangesPending.set(Double(model!.endpointSliceChanges.pendingCount))
        return changed
    }

    /// Records the event in the model; whether a sync is wanted.
    private func apply(_ event: ProxyEvent) -> Bool {
        switch event {
        case .service(let c): return model!.record(c)
        case .endpointSlice(let c): return model!.record(c)
        }
    }

    private func queued(at now: ContinuousClock.Instant) {
        schedule.changeQueued(at: now)
        health.withLock { $0.queued(at: now) }
        metrics.lastQueuedTimestamp.set(Date().timeIntervalSince1970)
        wake.yield()
    }

    /// The node's object changed: `/healthz` fails while it is being deleted or drained by
    /// the cluster autoscaler (upstream's node eligibility).
    public nonisolated func nodeChanged(_ node: Node?) {
        // (On deletion the caller passes the deleted object, as upstream evaluates it: a
        // draining node's taint keeps it ineligible.)
        let eligible: Bool
        if let node {
            let draining = node.spec?.taints?.contains { $0.key == "ToBeDeletedByClusterAutoscaler" } ?? false
            eligible = node.metadata?.deletionTimestamp == nil && !draining
        } else {
            eligible = true
        }
        health.withLock { $0.nodeEligible = eligible }
    }

    // MARK: the loop

    /// Syncs until the calling task is cancelled. Start it once the Service and EndpointSlice
    /// caches are complete (the first sync is full and must see every object). On return the
    /// rules stay in place: traffic keeps flowing while the proxy is down.
    public func run() async {
        wake.yield()
        var timer: Task<Void, Never>?
        defer { timer?.cancel() }
        for await _ in wakeups {
            timer?.cancel()
            timer = nil
            let now = ContinuousClock.now
            switch schedule.decide(now: now) {
            case .sync(let full):
                await sync(full: full, startedAt: now)
                wake.yield()
            case .wait(let deadline):
                let wake = self.wake
                timer = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    if !Task.isCancelled { wake.yield() }
                }
            }
        }
    }

    private func sync(full requested: Bool, startedAt start: ContinuousClock.Instant) async {
        var full = requested
        // A periodic resync rewrites every chain; it is only worth that when something may
        // have drifted. While the kernel's ruleset generation is still the one our last sync
        // left, nothing did: sync just the pending changes, if any.
        let verifiedUnchanged = full && periodicResyncCanBeSkipped(now: start)
        if verifiedUnchanged {
            full = false
            if buffered.isEmpty && model?.hasPendingChanges == false {
                schedule.syncStarted(at: start)
                schedule.syncSucceeded(full: true)
                health.withLock { $0.updated(at: Date(), stillPending: nil) }
                metrics.lastSyncTimestamp.set(Date().timeIntervalSince1970)
                return
            }
        }
        guard let taken = model.take() else { return }
        schedule.syncStarted(at: start)
        let triggers = triggerTimes
        triggerTimes = []
        metrics.serviceChangesPending.set(0.0)
        metrics.endpointChangesPending.set(0.0)

        var outcome = await syncer.sync(applying: taken, full: full)
        // Moved out, not copied: a second reference would make the replay below copy the
        // trackers' whole dictionaries (O(cluster)).
        model = outcome.takeModel()
        let update = unfinished.merged(with: outcome.update)
        let replay = buffered
        buffered = []
        for event in replay { _ = apply(event) }
        syncs += 1

        metrics.serviceChangesPending.set(Double(model!.serviceChanges.pendingCount))
        metrics.endpointChangesPending.set(Double(model!.endpointSliceChanges.pendingCount))

        switch outcome.result {
        case .success(let report):
            unfinished = ProxyModelUpdate()
            schedule.syncSucceeded(full: report.full || verifiedUnchanged)
            if report.full { lastFullSync = start }
            let wallClock = Date()
            metrics.syncDuration.record(report.duration)
            (report.full ? metrics.fullSyncDuration : metrics.partialSyncDuration).record(report.duration)
            metrics.lastSyncTimestamp.set(wallClock.timeIntervalSince1970)
            for t in triggers { metrics.networkProgrammingDuration.record(max(0, wallClock.timeIntervalSince(t))) }
            health.withLock { $0.updated(at: wallClock, stillPending: schedule.pendingSince) }
            for (name, error) in report.rejected.sorted(by: { $0.key < $1.key }) {
                logger.error("service port \(name) left out: the kernel refused its rules (\(error)); retried when it changes")
            }
            updateServiceGauges(changed: update.changedServicePorts, quarantined: report.quarantined)
            if report.full || !update.isEmpty {
                logger.info("synced \(report.full ? "all" : "\(update.changedServicePorts.count)") service ports", metadata: [
                    "mode": "\(report.mode)", "chains": "\(report.chainsTouched)", "elements": "\(report.elementsTouched)",
                    "duration": "\(report.duration)", "kernel": "\(report.commitDuration)",
                ])
            }
            for skip in update.services.skips { logger.warning("\(skip)") }
            await cleanUpConntrack(update.udpConntrackCleanups)
            await updateServiceHealthChecks(update.changedServices.union(healthCheckRetries))
        case .failure(let error):
            unfinished = update
            schedule.syncFailed(at: .now)
            metrics.syncFailures.increment()
            triggerTimes = triggers + triggerTimes
            logger.error("sync failed, retrying with a full sync: \(error)")
        }
    }

    /// Keeps the two counts in step with the map, so a sync costs its changes only.
    private func setNoLocalEndpoints(_ name: ServicePortName, _ flags: NoLocalEndpoints?) {
        if let old = noLocalEndpoints[name] {
            if old.internal { noLocalInternal -= 1 }
            if old.external { noLocalExternal -= 1 }
        }
        if let flags {
            if flags.internal { noLocalInternal += 1 }
            if flags.external { noLocalExternal += 1 }
        }
        noLocalEndpoints[name] = flags
    }

    /// Health check node ports of the Services that changed, with their ready local endpoints
    /// (distinct addresses over all ports, as upstream counts them).
    private func updateServiceHealthChecks(_ services: Set<ServiceName>) async {
        for service in services.sorted() {
            guard let model else { return }
            let port = model.services.ports(of: service).values.lazy.compactMap(\.healthCheckNodePort).first
            var local = Set<IPAddress>()
            if port != nil {
                for endpoints in model.endpoints.endpoints(of: service).values {
                    for e in endpoints where e.isLocal && e.ready { local.insert(e.address) }
                }
            }
            if await serviceHealth.update(service, port: port, localEndpoints: local.count) {
                healthCheckRetries.remove(service)
            } else {
                healthCheckRetries.insert(service)
            }
        }
    }

    /// Stops the health check node port listeners (the proxy is shutting down).
    public func stopServiceHealthChecks() async { await serviceHealth.closeAll() }

    /// Whether a due full resync can be replaced by a partial sync (or nothing): no retry is
    /// due, a real full sync ran within the forced period (upstream's FullSyncPeriod), and no
    /// transaction touched the ruleset since our last one.
    private func periodicResyncCanBeSkipped(now: ContinuousClock.Instant) -> Bool {
        guard let lastFullSync, now - lastFullSync < Self.forcedFullSyncPeriod, schedule.retryAt == nil,
              model != nil else { return false }
        return !syncer.rulesetChangedSinceLastSync()
    }

    /// UDP flows still pinned to endpoints that stopped serving are deleted once the new
    /// rules are in, so the client's next datagram is balanced afresh (DNS clients reuse
    /// their source port and would otherwise keep talking to a dead pod until the entry
    /// times out). Runs off the actor: a dump of a large conntrack table takes a while.
    private func cleanUpConntrack(_ cleanups: [UDPConntrackCleanup]) async {
        guard !cleanups.isEmpty else { return }
        let plan = UDPConntrackCleanupPlan(cleanups)
        let (syncer, families) = (self.syncer, config.ipFamilies)
        let result = await syncer.cleanUpStaleUDPConntrack(plan, families: families)
        switch result {
        case .success(let report):
            metrics.conntrackDeleted.increment(by: Int64(report.deleted))
            if report.deleted > 0 { logger.info("conntrack: \(report)") }
        case .failure(let error):
            logger.error("conntrack clean-up failed: \(error)")
        }
    }

    /// No-local-endpoint and skip gauges, updated for the changed ports only.
    private func updateServiceGauges(changed: Set<ServicePortName>, quarantined: Int) {
        guard let model else { return }
        for name in changed {
            guard let info = model.services[name] else {
                setNoLocalEndpoints(name, nil)
                continue
            }
            var flags = NoLocalEndpoints()
            for family in config.ipFamilies {
                guard info.clusterIP(for: family) != nil,
                      let eps = model.categorizedEndpoints(for: name, family: family) else { continue }
                guard eps.hasAnyEndpoints else { continue }
                if info.internalPolicyLocal && eps.local.isEmpty { flags.internal = true }
                if info.externalPolicyLocal && info.externallyAccessible && eps.local.isEmpty { flags.external = true }
            }
            setNoLocalEndpoints(name, flags == NoLocalEndpoints() ? nil : flags)
        }
        // Upstream counts service ports with endpoints, none of them on this node.
        metrics.noLocalEndpoints("internal").set(Double(noLocalInternal))
        metrics.noLocalEndpoints("external").set(Double(noLocalExternal))
        metrics.programmedServicePorts.set(Double(model.services.count))

        var counts: [[String]: Int] = [:]
        for skips in model.serviceChanges.skipped.values {
            for skip in skips { counts[[skip.portName == nil ? "Service" : "ServicePort", skip.reason.code], default: 0] += 1 }
        }
        for problems in model.endpointSliceChanges.problems.values {
            for problem in problems { counts[["EndpointSlice", problem.code], default: 0] += 1 }
        }
        if quarantined > 0 { counts[["ServicePort", "KernelRejected"]] = quarantined }
        for labels in skipGaugeLabels.union(counts.keys) {
            metrics.skipped(kind: labels[0], reason: labels[1]).set(Double(counts[labels] ?? 0))
        }
        skipGaugeLabels.formUnion(counts.keys)
    }

    // MARK: health

    /// `/healthz` (with node eligibility) or `/livez`: status code and upstream's JSON body.
    public nonisolated func healthResponse(includeNodeEligible: Bool) -> (code: Int, body: String) {
        let now = ContinuousClock.now
        let (healthy, body) = health.withLock { h in
            (includeNodeEligible ? h.isHealthy(now: now) : h.isLive(now: now),
             h.json(now: now, wallClock: Date(), includeNodeEligible: includeNodeEligible))
        }
        let code = healthy ? 200 : 503
        (includeNodeEligible ? metrics.healthzRequests("\(code)") : metrics.livezRequests("\(code)")).increment()
        return (code, body)
    }

    /// Number of sync attempts so far (for tests and logs).
    public var syncCount: Int { syncs }

    /// Removes the proxy's tables (`skiff proxy --cleanup`).
    public static func cleanup(config: ProxyConfig) throws {
        let syncer = try ProxySyncer(configs: config.rulesetConfigs, networkNamespace: config.networkNamespace)
        try syncer.cleanup()
    }

    static func parseTime(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }
}
