import AsyncHTTPClient
import Foundation
import KubeAPI
import NIOCore

/// One etcd watch, read as the consumer asks: etcd's own stream (the gateway sends one
/// JSON message per line), turned into store events. Reading is pull-based, so a slow
/// consumer slows the TCP stream and etcd holds the backlog, as it does for any slow
/// gRPC watcher; nothing queues without bound here. One consumer reads at a time (the
/// watch session's loop), which is what makes the unlocked reading state safe.
final class EtcdWatch: @unchecked Sendable {
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var buffer: [UInt8] = []
    private var pending: [StoreEvent] = []
    private var pendingHead = 0
    private let store: EtcdStore
    private let requested: Int64
    private let endpoint: String
    nonisolated let progress: WatchProgressBox

    init(response: HTTPClientResponse, endpoint: String, store: EtcdStore, requested: Int64) {
        body = response.body.makeAsyncIterator()
        self.endpoint = endpoint
        self.store = store
        self.requested = requested
        progress = WatchProgressBox(delivered: requested)
    }

    /// Reads up to etcd's confirmation that the watch exists; a start revision that is
    /// already compacted is reported right after it.
    func awaitCreated() async throws {
        while true {
            let message = try await nextMessage()
            if message["created"]?.boolValue == true {
                // Watching from the present: there is no history to send first.
                if EtcdInt64.header(message) <= requested { progress.caughtUp(to: requested) }
                try absorb(message)
                return
            }
            try absorb(message)
        }
    }

    func next() async throws -> StoreEvent? {
        while true {
            try Task.checkCancellation()
            if pendingHead < pending.count {
                let event = pending[pendingHead]
                pendingHead += 1
                progress.delivered(event.object.revision, idle: pendingHead == pending.count)
                return event
            }
            pending = []
            pendingHead = 0
            try absorb(try await nextMessage())
        }
    }

    /// Takes one watch response: events to hand out, a progress notification, or the end.
    private func absorb(_ message: JSONValue) throws {
        if message["canceled"]?.boolValue == true {
            let compacted = EtcdInt64.read(message["compact_revision"])
            if compacted > 0 { throw StoreError.expired(requested: requested, compacted: compacted) }
            throw StoreError.unavailable("etcd cancelled the watch: \(message["cancel_reason"]?.stringValue ?? "no reason given")")
        }
        let events = message["events"]?.arrayValue ?? []
        if events.isEmpty {
            // A progress notification: every event up to this revision has been sent.
            if message["created"]?.boolValue != true { progress.caughtUp(to: EtcdInt64.header(message)) }
            return
        }
        progress.busy()
        for raw in events {
            if let event = store.event(raw) { pending.append(event) }
        }
    }

    private func nextMessage() async throws -> JSONValue {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
                let parsed: JSONValue
                do { parsed = try JSONParser.parse(line) } catch {
                    throw StoreError.unavailable("etcd \(endpoint) sent a watch message that is not JSON: \(error)")
                }
                if let result = parsed["result"] { return result }
                let error = parsed["error"]
                throw StoreError.unavailable("etcd \(endpoint) ended the watch: \(error?["message"]?.stringValue ?? String(decoding: line, as: UTF8.self))")
            }
            let chunk: ByteBuffer?
            do { chunk = try await body.next() } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw StoreError.unavailable("etcd \(endpoint) watch stream broke: \(error)")
            }
            guard let chunk else { throw StoreError.unavailable("etcd \(endpoint) closed the watch stream") }
            buffer.append(contentsOf: chunk.readableBytesView)
        }
    }
}

/// What a watch may claim for bookmarks, readable without waiting on the watch itself.
final class WatchProgressBox: @unchecked Sendable {
    private let lock = NSLock()
    private var delivered: Int64
    /// The revision etcd last said every event up to has been sent, while nothing since
    /// has arrived.
    private var caughtUpTo: Int64?

    init(delivered: Int64) { self.delivered = delivered }

    func delivered(_ revision: Int64, idle: Bool) {
        lock.withLock {
            delivered = max(delivered, revision)
            if idle { caughtUpTo = delivered }
        }
    }

    func caughtUp(to revision: Int64) { lock.withLock { caughtUpTo = max(revision, delivered) } }
    func busy() { lock.withLock { caughtUpTo = nil } }

    var report: WatchProgress { lock.withLock { WatchProgress(delivered: delivered, caughtUpTo: caughtUpTo) } }
}
