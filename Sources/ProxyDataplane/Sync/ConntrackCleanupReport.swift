/// What one UDP conntrack clean-up did (upstream logs the same counts per sync).
public struct ConntrackCleanupReport: Sendable, Equatable, CustomStringConvertible {
    /// UDP entries read from the kernel, all families asked about together.
    public var scanned: Int
    /// Stale entries the kernel removed.
    public var deleted: Int
    /// Stale entries that were gone by the time of the delete (expired, or replaced by a new
    /// flow with the same tuple, which the new rules placed and which therefore stays).
    public var alreadyGone: Int
    public var duration: Duration

    public init(scanned: Int = 0, deleted: Int = 0, alreadyGone: Int = 0, duration: Duration = .zero) {
        self.scanned = scanned
        self.deleted = deleted
        self.alreadyGone = alreadyGone
        self.duration = duration
    }

    public var description: String {
        "\(scanned) UDP entries scanned, \(deleted) stale deleted, \(alreadyGone) already gone, in \(duration)"
    }
}
