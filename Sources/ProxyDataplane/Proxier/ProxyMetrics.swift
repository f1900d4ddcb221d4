import Prometheus

/// The proxy's Prometheus metrics, named as upstream kube-proxy's (`kubeproxy_…`) so existing
/// dashboards and alerts work unchanged; the few with no upstream counterpart (what was
/// skipped as bad input, how much is programmed) are `skiff_proxy_…`.
public final class ProxyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    // Upstream's buckets: 1 ms doubling 15 times (to ~16 s).
    private static let syncBuckets: [Duration] = (0..<15).map { .microseconds(1000 << $0) }
    // Upstream's network programming buckets: 0.25 s, 0.5 s, 1…59 s, 60…115 s, 2…5 min.
    private static let programmingBuckets: [Double] =
        [0.25, 0.5] + (1...59).map(Double.init) + stride(from: 60.0, through: 115, by: 5) + stride(from: 120.0, through: 300, by: 30)

    let syncDuration: DurationHistogram
    let fullSyncDuration: DurationHistogram
    let partialSyncDuration: DurationHistogram
    let networkProgrammingDuration: ValueHistogram
    let lastSyncTimestamp: Gauge
    let lastQueuedTimestamp: Gauge
    let endpointChangesPending: Gauge
    let endpointChangesTotal: Counter
    let serviceChangesPending: Gauge
    let serviceChangesTotal: Counter
    let syncFailures: Counter
    let conntrackDeleted: Counter
    let programmedServicePorts: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let r = registry
        syncDuration = r.makeDurationHistogram(name: "kubeproxy_sync_proxy_rules_duration_seconds", labels: [],
                                               buckets: Self.syncBuckets, help: "SyncProxyRules latency in seconds")
        fullSyncDuration = r.makeDurationHistogram(name: "kubeproxy_sync_full_proxy_rules_duration_seconds", labels: [],
                                                   buckets: Self.syncBuckets, help: "SyncProxyRules latency in seconds for full resyncs")
        partialSyncDuration = r.makeDurationHistogram(name: "kubeproxy_sync_partial_proxy_rules_duration_seconds", labels: [],
                                                      buckets: Self.syncBuckets, help: "SyncProxyRules latency in seconds for partial resyncs")
        networkProgrammingDuration = r.makeValueHistogram(name: "kubeproxy_network_programming_duration_seconds", labels: [],
                                                          buckets: Self.programmingBuckets, help: "In Cluster Network Programming Latency in seconds")
        lastSyncTimestamp = r.makeGauge(name: "kubeproxy_sync_proxy_rules_last_timestamp_seconds", labels: [],
                                        help: "The last time proxy rules were successfully synced")
        lastQueuedTimestamp = r.makeGauge(name: "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", labels: [],
                                          help: "The last time a sync of proxy rules was queued")
        endpointChangesPending = r.makeGauge(name: "kubeproxy_sync_proxy_rules_endpoint_changes_pending", labels: [],
                                             help: "Pending proxy rules Endpoint changes")
        endpointChangesTotal = r.makeCounter(name: "kubeproxy_sync_proxy_rules_endpoint_changes_total", labels: [],
                                             help: "Cumulative proxy rules Endpoint changes")
        serviceChangesPending = r.makeGauge(name: "kubeproxy_sync_proxy_rules_service_changes_pending", labels: [],
                                            help: "Pending proxy rules Service changes")
        serviceChangesTotal = r.makeCounter(name: "kubeproxy_sync_proxy_rules_service_changes_total", labels: [],
                                            help: "Cumulative proxy rules Service changes")
        syncFailures = r.makeCounter(name: "kubeproxy_sync_proxy_rules_nftables_sync_failures_total", labels: [],
                                     help: "Cumulative proxy nftables sync failures")
        conntrackDeleted = r.makeCounter(name: "kubeproxy_conntrack_reconciler_deleted_entries_total", labels: [],
                                         help: "Cumulative conntrack flows deleted by conntrack reconciler")
        programmedServicePorts = r.makeGauge(name: "skiff_proxy_service_ports", labels: [],
                                             help: "Service ports the proxy knows (programmed or not)")
        // Created up front so they read 0 before the first occurrence, as upstream's do.
        for policy in ["internal", "external"] { _ = noLocalEndpoints(policy) }
        for code in ["200", "503"] {
            _ = healthzRequests(code)
            _ = livezRequests(code)
        }
    }

    /// Services with a Local policy and no local endpoint, by `traffic_policy`.
    func noLocalEndpoints(_ policy: String) -> Gauge {
        registry.makeGauge(name: "kubeproxy_sync_proxy_rules_no_local_endpoints_total", labels: [("traffic_policy", policy)],
                           help: "Number of services with a Local traffic policy and no endpoints")
    }

    func healthzRequests(_ code: String) -> Counter {
        registry.makeCounter(name: "kubeproxy_proxy_healthz_total", labels: [("code", code)],
                             help: "Cumulative proxy healthz HTTP status")
    }

    func livezRequests(_ code: String) -> Counter {
        registry.makeCounter(name: "kubeproxy_proxy_livez_total", labels: [("code", code)],
                             help: "Cumulative proxy livez HTTP status")
    }

    /// Objects the API accepted but the proxy will not program, by kind and reason: bad input
    /// is skipped (the rest is programmed) and shows up here.
    func skipped(kind: String, reason: String) -> Gauge {
        registry.makeGauge(name: "skiff_proxy_skipped_objects", labels: [("kind", kind), ("reason", reason)],
                           help: "Services, service ports and EndpointSlices (or parts) skipped as unprogrammable")
    }

    /// The text exposition format.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
