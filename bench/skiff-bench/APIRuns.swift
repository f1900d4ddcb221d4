import AsyncHTTPClient
import KubeAPI

/// One `skiff server` under test: on its embedded SQLite store, or on an etcd of its own.
struct SkiffTarget {
    /// "skiff (SQLite)" or "skiff (etcd)": names its phases, log lines and table column.
    var label: String
    var child: Child
    var config: KubeClientConfig
    var endpoint: Endpoint
    /// The etcd this server stores into, and a plain-HTTP endpoint on it (for its fsync
    /// metrics); nil for the SQLite server.
    var backing: (child: Child, endpoint: Endpoint)?
}

/// WAL fsyncs an etcd did in a phase and their total duration.
struct FsyncCount {
    var count: Double
    var seconds: Double
    var millisecondsEach: String { count > 0 ? fmt(seconds / count * 1000, 2) : "?" }
}

/// What the skiff phases measured on one `SkiffTarget`.
struct SkiffRun {
    var label: String
    var create: APIBench.WorkerResult
    /// CPU seconds of the server, and of its etcd (0 without one), during the creates.
    var createCPU: Double
    var createBackingCPU: Double
    /// The backing etcd's WAL fsyncs during the creates (nil without one).
    var createFsyncs: FsyncCount?
    var list: APIBench.ListResult
    var selector: APIBench.ListResult
    var listCPU: Double
    var listBackingCPU: Double
    var watch: WatchReport
    var memLoaded: ProcMemory?
    var backingMemLoaded: ProcMemory?
    var memEnd: ProcMemory?
    var backingMemEnd: ProcMemory?
    /// Seconds after the creates until no pod changed for a second (the server's controllers
    /// write each new pod once more), and the pod events seen in that time.
    var settleSeconds: Double
    var settleEvents: Int
}

/// What the bare-etcd phases measured.
struct EtcdRun {
    var create: APIBench.WorkerResult
    var createCPU: Double
    var createFsyncs: FsyncCount
    var list: APIBench.ListResult
    var listCPU: Double
    var watch: WatchReport
    var memLoaded: ProcMemory?
    var memEnd: ProcMemory?
}
