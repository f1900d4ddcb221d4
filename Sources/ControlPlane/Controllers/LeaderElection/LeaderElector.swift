import Foundation
import KubeAPI
import Logging

/// Runs the controllers in one process at a time among several that share a cluster
/// (client-go's leader election over a Lease, as kube-controller-manager does): a candidate
/// takes the Lease when it is free or its holder has not renewed for a lease duration,
/// renews it every retry period, and stops leading the moment it has failed to renew for the
/// renew deadline, before anyone else may take over. A process that stops releases the
/// Lease so a successor need not wait.
public struct LeaderElector: Sendable {
    public struct Config: Sendable {
        public var leaseDuration: Duration = .seconds(15)
        public var renewDeadline: Duration = .seconds(10)
        public var retryPeriod: Duration = .seconds(2)
        public var namespace = "kube-system"
        public var name = "kube-controller-manager"
        /// Unique per candidate; a server keeps its own across restarts, so it need not wait
        /// out its previous life's lease.
        public var identity: String
        public init(identity: String) { self.identity = identity }
    }

    private let client: KubeClient
    private let config: Config
    private let logger: Logger
    private let events: EventRecorder
    private let observed = ProtectedState<(record: LeaseRecord, at: ContinuousClock.Instant)?>(nil)

    public init(client: KubeClient, config: Config, logger: Logger) {
        self.client = client
        self.config = config
        self.logger = logger
        events = EventRecorder(client: client, component: config.name)
    }

    /// Runs `lead` for each term this candidate holds the Lease, cancelling it when the Lease
    /// is lost; returns (releasing the Lease) when the calling task is cancelled.
    public func run(lead: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            guard await acquire() else { break }
            logger.info("\(config.identity) became leader (lease \(config.namespace)/\(config.name))")
            let lost = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await lead(); return false }
                group.addTask { await renewUntilLost() }
                let first = await group.next() ?? false
                group.cancelAll()
                await group.waitForAll()
                return first
            }
            if lost {
                logger.warning("\(config.identity) lost the lease \(config.namespace)/\(config.name); controllers stopped")
            }
        }
        // Cancelled: the release must still reach the server, so it runs outside this task.
        await Task { await release() }.value
    }

    /// Tries every retry period until the Lease is ours; false if cancelled first.
    private func acquire() async -> Bool {
        while !Task.isCancelled {
            if await tryAcquireOrRenew() { return true }
            try? await Task.sleep(for: config.retryPeriod)
        }
        return false
    }

    /// Renews every retry period; returns true once renewal has failed for the renew
    /// deadline (leadership lost), false when cancelled.
    private func renewUntilLost() async -> Bool {
        var lastRenewal = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: config.retryPeriod) } catch { return false }
            if await tryAcquireOrRenew() {
                lastRenewal = .now
            } else if ContinuousClock.now - lastRenewal > config.renewDeadline {
                return true
            }
        }
        return false
    }

    private func tryAcquireOrRenew() async -> Bool {
        let now = ContinuousClock.now
        let stamp = ObjectMetaRules.microTimestamp()
        do {
            let lease: Lease
            do {
                lease = try await client.get(Lease.self, name: config.name, namespace: config.namespace)
            } catch let error as KubeAPIError where error.code == 404 {
                let spec = LeaseRecord(nil).claimed(by: config.identity, duration: config.leaseDuration, now: stamp)
                let created = try await client.create(Lease(metadata: ObjectMeta(name: config.name, namespace: config.namespace), spec: spec),
                                                      namespace: config.namespace)
                observed.withLock { $0 = (LeaseRecord(created.spec), now) }
                await announce(created)
                return true
            }
            let record = LeaseRecord(lease.spec)
            let seenAt = observed.withLock { state -> ContinuousClock.Instant in
                if state?.record != record { state = (record, now) }
                return state!.at
            }
            if record.heldByOther(than: config.identity, observedAt: seenAt, now: now) { return false }
            var claimed = lease
            claimed.spec = record.claimed(by: config.identity, duration: config.leaseDuration, now: stamp)
            let updated = try await client.update(claimed)
            observed.withLock { $0 = (LeaseRecord(updated.spec), now) }
            if record.holder != config.identity { await announce(updated) }
            return true
        } catch {
            logger.debug("lease \(config.namespace)/\(config.name): \(error)")
            return false
        }
    }

    /// Gives the Lease up if we hold it: a successor may take it at once.
    private func release() async {
        guard let lease = try? await client.get(Lease.self, name: config.name, namespace: config.namespace),
              lease.spec?.holderIdentity == config.identity else { return }
        var released = lease
        released.spec?.holderIdentity = nil
        released.spec?.leaseDurationSeconds = 1
        released.spec?.renewTime = ObjectMetaRules.microTimestamp()
        _ = try? await client.update(released)
    }

    private func announce(_ lease: Lease) async {
        await events.record(ObjectReference(to: lease), type: "Normal", reason: "LeaderElection",
                            message: "\(config.identity) became leader")
    }
}
