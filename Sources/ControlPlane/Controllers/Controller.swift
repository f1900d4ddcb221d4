import KubeAPI
import Logging

/// A control loop of `skiff server` (kube-controller-manager's controllers): it watches through
/// the shared informers and writes through the API like any client, so it can run in the
/// server's process or alone (`skiff controllers`).
public protocol Controller: Sendable {
    /// The name `--controllers` selects it by, as kube-controller-manager spells it.
    static var name: String { get }
    /// Runs until the calling task is cancelled.
    func run() async
}

extension WorkQueue {
    /// Runs `workers` loops that take keys and reconcile them until the calling task is
    /// cancelled. A reconcile that throws is retried after its key's backoff.
    nonisolated func runWorkers(_ workers: Int, logger: Logger,
                                reconcile: @escaping @Sendable (Key) async throws -> Void) async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        while let key = await self.next() {
                            do {
                                try await reconcile(key)
                                await self.forget(key)
                            } catch {
                                let failures = await self.failureCount(key)
                                // Conflicts and stale caches are routine; say so only when they persist.
                                logger.log(level: failures < 5 ? .debug : .warning, "reconcile of \(key) failed (retrying): \(error)")
                                await self.retry(key)
                            }
                            await self.done(key)
                        }
                    }
                }
            }
        } onCancel: {
            Task { await self.shutDown() }
        }
    }
}
