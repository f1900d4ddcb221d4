import KubeAPI

/// What a leader-election Lease says and how a candidate judges it (client-go's
/// `tryAcquireOrRenew`). Expiry is measured from when *this* candidate last saw the record
/// change, on its own monotonic clock, never from the holder's renewTime, so clock skew
/// between servers cannot hand the lease to two of them at once.
struct LeaseRecord: Equatable {
    var holder: String
    var leaseDurationSeconds: Int32
    var acquireTime: MicroTime?
    var renewTime: MicroTime?
    var transitions: Int32

    init(_ spec: LeaseSpec?) {
        holder = spec?.holderIdentity ?? ""
        leaseDurationSeconds = spec?.leaseDurationSeconds ?? 0
        acquireTime = spec?.acquireTime
        renewTime = spec?.renewTime
        transitions = spec?.leaseTransitions ?? 0
    }

    /// Someone else holds it and has renewed within its duration, as far as we have seen.
    func heldByOther(than identity: String, observedAt: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Bool {
        !holder.isEmpty && holder != identity && now < observedAt + .seconds(Int(leaseDurationSeconds))
    }

    /// The spec `identity` writes to take or keep the lease.
    func claimed(by identity: String, duration: Duration, now: MicroTime) -> LeaseSpec {
        let keeping = holder == identity
        return LeaseSpec(holderIdentity: identity, leaseDurationSeconds: Int32(duration.components.seconds),
                         acquireTime: keeping ? (acquireTime ?? now) : now, renewTime: now,
                         leaseTransitions: keeping || holder.isEmpty && transitions == 0 ? transitions : transitions + 1)
    }
}
