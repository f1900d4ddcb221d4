import Foundation
import NIOCore

/// The body of a streamed response (a watch): producers append bytes, the connection
/// takes everything pending in one piece. Coalescing matters under fan-out: a burst of
/// events becomes one TLS record and one write(2) per watcher instead of one per event.
public final class ByteQueue: AsyncSequence, @unchecked Sendable {
    public typealias Element = ByteBuffer

    private let lock = NSLock()
    private var pending = ByteBuffer()
    private var finished = false
    private var failure: Error?
    private var waiter: CheckedContinuation<ByteBuffer?, Error>?
    private var onCancel: (@Sendable () -> Void)?
    /// A consumer this far behind is cut off rather than buffered without bound.
    private let limit: Int

    public init(limit: Int = 8 * 1024 * 1024) {
        self.limit = limit
    }

    /// Called once when the consumer stops early (the client went away).
    public func setOnCancel(_ body: @escaping @Sendable () -> Void) {
        lock.withLock { onCancel = body }
    }

    public func append(_ bytes: [UInt8]) {
        let resume: (CheckedContinuation<ByteBuffer?, Error>, ByteBuffer)? = lock.withLock {
            guard !finished else { return nil }
            pending.writeBytes(bytes)
            if pending.readableBytes > limit {
                // The client stopped reading: free what piled up and end its stream.
                finished = true
                failure = SlowConsumer()
                pending = ByteBuffer()
            }
            guard let waiter else { return nil }
            self.waiter = nil
            if let failure {
                waiter.resume(throwing: failure)
                return nil
            }
            let out = pending
            pending = ByteBuffer()
            return (waiter, out)
        }
        if let (waiter, out) = resume { waiter.resume(returning: out) }
    }

    public func finish(throwing error: Error? = nil) {
        let waiter: CheckedContinuation<ByteBuffer?, Error>? = lock.withLock {
            guard !finished else { return nil }
            finished = true
            failure = error
            let w = self.waiter
            self.waiter = nil
            return pending.readableBytes > 0 ? nil : w
        }
        guard let waiter else { return }
        if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    /// The consumer is gone (its connection closed or failed): stop the producer.
    public func cancel() {
        let (waiter, cancel): (CheckedContinuation<ByteBuffer?, Error>?, (@Sendable () -> Void)?) = lock.withLock {
            finished = true
            pending = ByteBuffer()
            let w = self.waiter
            self.waiter = nil
            let c = onCancel
            onCancel = nil
            return (w, c)
        }
        waiter?.resume(throwing: CancellationError())
        cancel?()
    }

    struct SlowConsumer: Error {}

    fileprivate func next() async throws -> ByteBuffer? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, Error>) in
                lock.lock()
                if pending.readableBytes > 0 {
                    let out = pending
                    pending = ByteBuffer()
                    lock.unlock()
                    continuation.resume(returning: out)
                } else if finished {
                    let failure = self.failure
                    lock.unlock()
                    if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
                } else {
                    waiter = continuation
                    lock.unlock()
                }
            }
        } onCancel: {
            self.cancel()
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: ByteQueue
        public mutating func next() async throws -> ByteBuffer? { try await queue.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: self) }
}
