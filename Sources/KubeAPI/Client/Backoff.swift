/// Exponential backoff with jitter for reconnecting: each failure doubles the delay up
/// to a cap; a success resets it. Jitter spreads out the clients that all lost the
/// same server at the same moment, so they do not all come back at once.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var factor: Double
    /// Up to this fraction of the delay is added at random.
    public var jitter: Double

    private var current: Duration?

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30),
                factor: Double = 2, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
    }

    /// The delay before the next attempt, advancing the sequence.
    public mutating func next() -> Duration {
        var rng = SystemRandomNumberGenerator()
        return next(using: &rng)
    }

    public mutating func next(using rng: inout some RandomNumberGenerator) -> Duration {
        let base = current.map { min($0 * factor, maximum) } ?? initial
        current = base
        guard jitter > 0 else { return base }
        return min(base + base * Double.random(in: 0...jitter, using: &rng), maximum * (1 + jitter))
    }

    public mutating func reset() {
        current = nil
    }
}
