import Foundation

/// A failure reported by the API server: a non-2xx response or a watch ERROR event,
/// carrying the meta/v1 Status the server sent (or one made up from the HTTP status
/// when the body was not a Status, e.g. from a proxy in between).
public struct KubeAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// HTTP status code (`Status.code`).
    public var code: Int
    /// Machine-readable `StatusReason`: `NotFound`, `AlreadyExists`, `Conflict`, `Expired`, …
    public var reason: String
    public var message: String
    /// `Status.details` (name, group, kind, causes, retryAfterSeconds), kept unstructured.
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var isNotFound: Bool { reason == "NotFound" || (reason.isEmpty && code == 404) }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// 409 is shared by AlreadyExists and Conflict; only the latter is an optimistic
    /// concurrency failure worth a re-read and retry.
    public var isConflict: Bool { reason == "Conflict" || (code == 409 && reason != "AlreadyExists") }
    /// The requested resourceVersion is older than the server keeps: relist.
    public var isGone: Bool { code == 410 || reason == "Expired" || reason == "Gone" }
    public var isInvalid: Bool { reason == "Invalid" || code == 422 }
    public var isForbidden: Bool { reason == "Forbidden" || code == 403 }
    public var isUnauthorized: Bool { reason == "Unauthorized" || code == 401 }
    public var isTooManyRequests: Bool { reason == "TooManyRequests" || code == 429 }

    public var description: String {
        "\(code) \(reason.isEmpty ? "Error" : reason): \(message)"
    }

    /// Builds the error from a response body, which is normally a meta/v1 Status.
    public init(httpStatus: Int, body: some Collection<UInt8>) {
        if let status = try? JSONDecoder().decode(StatusWire.self, from: Data(body)), status.looksLikeStatus {
            self.init(status: status, fallbackCode: httpStatus)
            return
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        self.init(code: httpStatus, reason: Self.reason(forCode: httpStatus),
                  message: text.isEmpty ? "the server responded with status \(httpStatus)" : text)
    }

    /// Builds the error from the object of a watch ERROR event.
    init(watchErrorObject object: JSONValue) {
        if let data = try? JSONEncoder().encode(object),
           let status = try? JSONDecoder().decode(StatusWire.self, from: data) {
            self.init(status: status, fallbackCode: 500)
        } else {
            self.init(code: 500, reason: "InternalError", message: "watch error: \(object)")
        }
    }

    init(status: StatusWire, fallbackCode: Int) {
        let code = status.code ?? fallbackCode
        let reason = (status.reason?.isEmpty == false) ? status.reason! : Self.reason(forCode: code)
        self.init(code: code, reason: reason, message: status.message ?? "", details: status.details)
    }

    /// The reason upstream's `NewGenericServerResponse` picks for a bare HTTP status.
    static func reason(forCode code: Int) -> String {
        switch code {
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 406: "NotAcceptable"
        case 409: "Conflict"
        case 410: "Expired"
        case 413: "RequestEntityTooLarge"
        case 415: "UnsupportedMediaType"
        case 422: "Invalid"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: ""
        }
    }
}

/// meta/v1 Status as far as errors need it; private to the client so that it does
/// not depend on the shape of the API types.
struct StatusWire: Decodable, Sendable {
    var kind: String?
    var status: String?
    var message: String?
    var reason: String?
    var code: Int?
    var details: JSONValue?

    /// Any JSON object decodes into this; only treat it as a Status if it says so.
    var looksLikeStatus: Bool {
        kind == "Status" || (kind == nil && (code != nil || reason != nil || message != nil))
    }
}
