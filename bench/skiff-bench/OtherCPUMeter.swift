/// CPU time that *other* processes on the machine (other people's builds, kernel workers) used
/// during the timed phases of a measurement: the machine's busy time (/proc/stat) minus this
/// process, its reaped children (nft, nsenter) and its running helpers (the skiff child, the
/// latency server and client). On a
/// shared 2-CPU machine this says whether a figure was measured on a quiet machine.
struct OtherCPUMeter {
    /// Accumulated over every phase measured so far.
    private(set) var otherSeconds = 0.0
    private(set) var wallSeconds = 0.0
    private var start: (wall: UInt64, busy: Double, own: Double, helper: Double)?

    /// Starts a phase; `helpers` are running children whose CPU counts as ours.
    mutating func begin(helpers: [Int32] = []) {
        start = (monoNanos(), CPUSnapshot.machineBusySeconds(), ownCPUSeconds(), helpers.reduce(0) { $0 + procCPUSeconds(pid: $1) })
    }

    mutating func end(helpers: [Int32] = []) {
        guard let s = start else { return }
        let ours = (ownCPUSeconds() - s.own) + (helpers.reduce(0) { $0 + procCPUSeconds(pid: $1) } - s.helper)
        otherSeconds += max(0, CPUSnapshot.machineBusySeconds() - s.busy - ours)
        wallSeconds += Double(monoNanos() - s.wall) / 1e9
        start = nil
    }

    var summary: String { "\(fmt(otherSeconds, 1)) / \(fmt(wallSeconds, 1))" }
}
