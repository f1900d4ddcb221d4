import Foundation

/// A value guarded by a lock, for state that synchronous callers (a DNS lookup, a
/// proxy sync) must read without `await`. `Synchronization.Mutex` would do, but it
/// needs macOS 15 and the package still builds for macOS 14.
public final class ProtectedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
