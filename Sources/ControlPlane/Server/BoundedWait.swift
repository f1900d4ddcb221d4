import Foundation

/// Waits for `task` to end, but no longer than `limit`: shutdown steps that talk to a
/// datastore or server that may be gone must not hold a stopping process for ever.
/// Returns whether the task ended in time (it is left running otherwise).
@discardableResult
public func waitBounded<T: Sendable>(_ task: Task<T, Error>, limit: Duration) async -> Bool {
    let once = ResumeOnce()
    return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        once.set(continuation)
        Task {
            _ = await task.result
            once.resume(true)
        }
        Task {
            try? await Task.sleep(for: limit)
            once.resume(false)
        }
    }
}

private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Bool, Never>?

    func set(_ c: CheckedContinuation<Bool, Never>) { lock.withLock { continuation = c } }

    func resume(_ value: Bool) {
        let c: CheckedContinuation<Bool, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        c?.resume(returning: value)
    }
}
