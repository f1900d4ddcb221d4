/// The keys of objects a controller must reconcile, as client-go's rate-limited work queue: a
/// key queued several times before a worker takes it is reconciled once; a key that changes
/// while a worker holds it is queued again when that worker is done, so one key is never
/// reconciled by two workers at once and no change is lost. Failed keys come back after a
/// per-key exponential backoff.
public actor WorkQueue<Key: Hashable & Sendable> {
    private var queue: [Key] = []
    private var head = 0
    /// Queued and not yet taken.
    private var dirty: Set<Key> = []
    /// Taken by a worker and not yet done.
    private var processing: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var waiters: [CheckedContinuation<Key?, Never>] = []
    private var shuttingDown = false
    private let baseDelay: Duration
    private let maxDelay: Duration

    /// client-go's defaults: 5 ms doubling per failure up to 1000 s.
    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000)) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public var count: Int { queue.count - head }

    public func add(_ key: Key) {
        guard !shuttingDown, dirty.insert(key).inserted else { return }
        // A key being processed goes back in the queue when its worker calls `done`.
        if processing.contains(key) { return }
        handOut(key)
    }

    /// Gives a dirty key to a waiting worker, or queues it.
    private func handOut(_ key: Key) {
        if let waiter = waiters.popLast() {
            dirty.remove(key)
            processing.insert(key)
            waiter.resume(returning: key)
        } else {
            queue.append(key)
        }
    }

    /// Adds `key` after `delay` (a retry, or a re-check at a known future time).
    public nonisolated func add(_ key: Key, after delay: Duration) {
        Task {
            try? await Task.sleep(for: delay)
            await self.add(key)
        }
    }

    /// Adds `key` after its backoff, which doubles with each consecutive failure.
    public func retry(_ key: Key) {
        let n = failures[key, default: 0]
        failures[key] = n + 1
        let factor = Double(1 << min(n, 40))
        add(key, after: min(baseDelay * factor, maxDelay))
    }

    /// The key succeeded: its backoff starts again from the base delay.
    public func forget(_ key: Key) { failures[key] = nil }

    public func failureCount(_ key: Key) -> Int { failures[key, default: 0] }

    /// The next key to reconcile; waits for one. Nil once shut down.
    public func next() async -> Key? {
        if let key = take() { return key }
        if shuttingDown { return nil }
        return await withCheckedContinuation { waiters.insert($0, at: 0) }
    }

    private func take() -> Key? {
        guard head < queue.count else { return nil }
        let key = queue[head]
        head += 1
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        dirty.remove(key)
        processing.insert(key)
        return key
    }

    /// The worker finished with `key`; if it changed meanwhile, it is queued again.
    public func done(_ key: Key) {
        processing.remove(key)
        if dirty.contains(key) { handOut(key) }
    }

    /// Wakes every waiting worker with nil; later `add`s are ignored.
    public func shutDown() {
        shuttingDown = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters = []
    }
}
