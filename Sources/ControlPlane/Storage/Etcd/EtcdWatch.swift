import AsyncHTTPClient
import Foundation
import KubeAPI
import NIOCore

/// One etcd watch, read as the consumer asks: etcd's own stream (the gateway sends one
/// JSON message per line), turned into store events a response at a time. Reading is
/// pull-based, so a slow consumer slows the TCP stream and etcd holds the backlog, as it
/// does for any slow gRPC watcher; nothing queues without bound here. One consumer reads
/// at a time, which is what makes the unlocked reading state safe.
final class EtcdWatch: @unchecked Sendable {
    /// A response's events as etcd sent them, and the revision the response vouches for:
    /// every event up to it has now been delivered (the last event's revision, or a progress
    /// notification's).
    struct Batch {
        var events: [JSONValue]
        var revision: Int64
    }

    private var body: HTTPClientResponse.Body.AsyncIterator
    private var buffer: [UInt8] = []
    private let requested: Int64
    private let endpoint: String

    private init(response: HTTPClientResponse, endpoint: String, requested: Int64) {
        body = response.body.makeAsyncIterator()
        self.endpoint = endpoint
        self.requested = requested
    }

    /// Watches keys in [key, rangeEnd) after revision `after`, with etcd's progress
    /// notifications, and with each key's previous version when `previousVersions` (which
    /// costs etcd a read per event and doubles what it sends). Returns once etcd confirms it.
    static func open(client: EtcdClient, key: [UInt8], rangeEnd: [UInt8], after: Int64,
                     previousVersions: Bool) async throws -> EtcdWatch {
        let (response, endpoint) = try await client.openWatch(["create_request": [
            "key": EtcdBase64.encode(key), "range_end": EtcdBase64.encode(rangeEnd),
            "start_revision": .int(after + 1), "prev_kv": .bool(previousVersions), "progress_notify": true,
        ]])
        let watch = EtcdWatch(response: response, endpoint: endpoint, requested: after)
        while true {
            let message = try await watch.nextMessage()
            try watch.checkCancelled(message)
            if message["created"]?.boolValue == true { return watch }
        }
    }

    /// The next response with events or progress; throws when the watch ends (`expired`
    /// when etcd has compacted past where it was asked to start).
    func nextBatch() async throws -> Batch {
        while true {
            try Task.checkCancellation()
            let message = try await nextMessage()
            try checkCancelled(message)
            let raw = message["events"]?.arrayValue ?? []
            if raw.isEmpty {
                // A progress notification: every event up to this revision has been sent.
                if message["created"]?.boolValue != true {
                    return Batch(events: [], revision: EtcdInt64.header(message))
                }
                continue
            }
            let last = raw.last.map { EtcdInt64.read($0[path: ["kv", "mod_revision"]]) } ?? 0
            return Batch(events: raw, revision: last)
        }
    }

    private func checkCancelled(_ message: JSONValue) throws {
        guard message["canceled"]?.boolValue == true else { return }
        let compacted = EtcdInt64.read(message["compact_revision"])
        if compacted > 0 { throw StoreError.expired(requested: requested, compacted: compacted) }
        throw StoreError.unavailable("etcd cancelled the watch: \(message["cancel_reason"]?.stringValue ?? "no reason given")")
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
