import AsyncHTTPClient
import Foundation
import NIOCore

/// Decoding of watch bodies: `{"type": "...", "object": {...}}` documents.
enum WatchStream {
    /// One decoded document: an event, or the Status of an ERROR event.
    enum Decoded<Object: Sendable>: Sendable {
        case event(KubeWatchEvent<Object>)
        case error(KubeAPIError)
    }

    /// Decodes `object` straight into its final type, choosing it by `type`, so each
    /// event is parsed once.
    struct Wire<Object: Decodable & Sendable>: Decodable, Sendable {
        var decoded: Decoded<Object>

        private enum CodingKeys: String, CodingKey { case type, object }
        private struct BookmarkObject: Decodable {
            struct Meta: Decodable { var resourceVersion: String? }
            var metadata: Meta?
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let type = try c.decode(String.self, forKey: .type)
            switch type {
            case "ADDED": decoded = .event(.added(try c.decode(Object.self, forKey: .object)))
            case "MODIFIED": decoded = .event(.modified(try c.decode(Object.self, forKey: .object)))
            case "DELETED": decoded = .event(.deleted(try c.decode(Object.self, forKey: .object)))
            case "BOOKMARK":
                let rv = try c.decodeIfPresent(BookmarkObject.self, forKey: .object)?.metadata?.resourceVersion
                decoded = .event(.bookmark(resourceVersion: rv ?? ""))
            case "ERROR":
                if let status = try? c.decode(StatusWire.self, forKey: .object), status.looksLikeStatus {
                    decoded = .error(KubeAPIError(status: status, fallbackCode: 500))
                } else {
                    let object = try c.decodeIfPresent(JSONValue.self, forKey: .object) ?? .null
                    decoded = .error(KubeAPIError(code: 500, reason: "InternalError",
                                                  message: "watch error: \(object)"))
                }
            default:
                throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                                                       debugDescription: "unknown watch event type \(type)")
            }
        }
    }

    static func decode<Object: Decodable & Sendable>(_ document: [UInt8], as: Object.Type) throws -> Decoded<Object> {
        try JSONDecoder().decode(Wire<Object>.self, from: Data(document)).decoded
    }

    /// Turns a streaming response body into events. The body is read by a task that
    /// lives as long as the consumer iterates: dropping or cancelling the iteration
    /// cancels the task, which cancels the HTTP request.
    static func events<Object: Decodable & Sendable, Output: Sendable>(
        body: HTTPClientResponse.Body,
        as: Object.Type,
        transform: @escaping @Sendable (Object) -> Output
    ) -> AsyncThrowingStream<KubeWatchEvent<Output>, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var splitter = JSONStreamSplitter()
                    for try await chunk in body {
                        for document in try splitter.append(chunk.readableBytesView) {
                            switch try decode(document, as: Object.self) {
                            case .event(let event):
                                continuation.yield(event.map(transform))
                            case .error(let error):
                                throw error
                            }
                        }
                    }
                    if splitter.hasPartialDocument { throw KubeClientError.truncatedWatch }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
