import Dispatch

/// Runs work that blocks (exec'ing CNI plugins, runc, mounts) on a Dispatch thread, so that
/// the Pod workers, which share the small cooperative pool with everything else in the agent,
/// set up many Pods side by side instead of one per pool thread.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result(catching: body))
        }
    }
}
