import AsyncHTTPClient
import Foundation
import NIOCore

/// What one watcher saw.
struct WatcherResult: Sendable {
    var id: Int
    var distinct = 0
    var duplicates = 0
    var delays: [UInt64] = []
    var lastReceive: UInt64 = 0
    var error: String?
}

enum WatchWire: Sendable {
    /// Kubernetes watch: one `{"type":…,"object":…}` per line; the stamp is in the object's annotations.
    case kubernetes
    /// etcd's gRPC gateway: one `{"result":{…,"events":[{"kv":{…,"value":BASE64}}]}}` per line.
    case etcd
}

enum LineKind {
    case data
    case created
    case failure(String)
}

private let etcdValueMarker = Array("\"value\":\"".utf8)
private let etcdCreated = Array("\"created\":true".utf8)
private let etcdCanceled = Array("\"canceled\":true".utf8)
private let etcdErrorField = Array("{\"error\":".utf8)
private let kubeError = Array("{\"type\":\"ERROR\"".utf8)

/// Finds the stamps in one line of a watch stream.
func scanWatchLine(_ line: UnsafeRawBufferPointer, wire: WatchWire, _ stamp: (Int, UInt64) -> Void) -> LineKind {
    switch wire {
    case .kubernetes:
        if line.count >= kubeError.count, find(kubeError, in: UnsafeRawBufferPointer(rebasing: line[0..<kubeError.count])) != nil {
            return .failure(String(decoding: line.prefix(400), as: UTF8.self))
        }
        if let at = find(PodFactory.marker, in: line), let s = parseStamp(line, at: at + PodFactory.marker.count) {
            stamp(s.seq, s.sent)
        }
        return .data
    case .etcd:
        var offset = 0
        var sawValue = false
        while offset < line.count, let hit = find(etcdValueMarker, in: UnsafeRawBufferPointer(rebasing: line[offset...])) {
            sawValue = true
            let start = offset + hit + etcdValueMarker.count
            var end = start
            while end < line.count, line[end] != UInt8(ascii: "\"") { end += 1 }
            offset = end + 1
            // The stamp is in the first bytes of the pod: decode a prefix, the whole value only if needed.
            let encoded = UnsafeRawBufferPointer(rebasing: line[start..<end])
            var found = false
            for length in [min(encoded.count, 512) & ~3, encoded.count] where length > 0 && !found {
                guard let decoded = Data(base64Encoded: Data(encoded.prefix(length))) else { continue }
                decoded.withUnsafeBytes { raw in
                    if let at = find(PodFactory.marker, in: raw), let s = parseStamp(raw, at: at + PodFactory.marker.count) {
                        stamp(s.seq, s.sent)
                        found = true
                    }
                }
                if length == encoded.count { break }
            }
        }
        if !sawValue {
            if find(etcdCreated, in: line) != nil { return .created }
            if find(etcdCanceled, in: line) != nil || find(etcdErrorField, in: line) != nil {
                return .failure(String(decoding: line.prefix(400), as: UTF8.self))
            }
        }
        return .data
    }
}

/// One watcher: opens the stream, signals `ready` once the server has accepted the watch,
/// and records the delivery delay of every stamped event until it has all `events` of them
/// (or is cancelled at the deadline, keeping what it got).
func runWatcher(id: Int, endpoint: Endpoint, request: HTTPClientRequest, wire: WatchWire, events: Int,
                ready: Counter) async -> WatcherResult {
    var result = WatcherResult(id: id)
    result.delays.reserveCapacity(events)
    var seen = [Bool](repeating: false, count: events)
    var splitter = LineSplitter()
    var signalled = false
    do {
        let response = try await endpoint.client.execute(request, timeout: .hours(2))
        guard response.status == .ok else {
            let body = try? await response.body.collect(upTo: 1 << 16)
            throw BenchError("watch HTTP \(response.status.code): \(body.map { String(buffer: $0) } ?? "")")
        }
        if wire == .kubernetes { ready.add(); signalled = true }
        for try await buffer in response.body {
            let now = monoNanos()
            var failure: String?
            buffer.withUnsafeReadableBytes { raw in
                splitter.feed(raw) { line in
                    let kind = scanWatchLine(line, wire: wire) { seq, sent in
                        guard seq >= 0, seq < events else { return }
                        if seen[seq] { result.duplicates += 1; return }
                        seen[seq] = true
                        result.distinct += 1
                        result.delays.append(now >= sent ? now - sent : 0)
                        result.lastReceive = now
                    }
                    switch kind {
                    case .created:
                        if !signalled { ready.add(); signalled = true }
                    case .failure(let text): failure = text
                    case .data: break
                    }
                }
            }
            if let failure { throw BenchError("watch error event: \(failure)") }
            if result.distinct == events { break }
        }
        if result.distinct < events, !Task.isCancelled {
            result.error = "stream ended after \(result.distinct)/\(events) events"
        }
    } catch {
        if !Task.isCancelled || result.distinct == 0 && !signalled {
            result.error = "\(error)"
        }
    }
    if !signalled { ready.add() } // a failed watcher must not hold the start forever; its error is reported
    return result
}

struct WatchReport {
    var watchers: Int
    var events: Int
    var complete: Int
    var totalDelivered: Int
    var duplicates: Int
    var p50: UInt64
    var p99: UInt64
    var max: UInt64
    var deliveredPerSecond: Double
    var writeSeconds: Double
    var writeLatencyP50: UInt64
    var writeLatencyP99: UInt64
    var failures: [String]
    var serverCPU: Double
    /// CPU seconds of the etcd behind the server (skiff on etcd; 0 otherwise).
    var backingCPU: Double
}
