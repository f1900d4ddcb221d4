import KubeAPI
import NIOHTTP1

/// An error the API answers with a meta/v1 Status, worded and coded as upstream's
/// k8s.io/apimachinery/pkg/api/errors.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public var description: String { "\(code) \(reason): \(message)" }

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var status: JSONValue {
        var s: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { s["details"] = details }
        if reason.isEmpty { s.removeValue(forKey: "reason") }
        return s
    }

    public var response: HTTPResponse {
        .json(HTTPResponseStatus(statusCode: code), JSONSerializer.serialize(status))
    }

    static func details(_ resource: ResourceName) -> JSONValue {
        var d: JSONValue = ["kind": .string(resource.resource)]
        if !resource.group.isEmpty { d["group"] = .string(resource.group) }
        if let name = resource.name { d["name"] = .string(name) }
        return d
    }

    /// `pods "x"` or `deployments.apps "x"`, as upstream prints a qualified resource.
    static func qualified(_ r: ResourceName) -> String {
        r.group.isEmpty ? r.resource : "\(r.resource).\(r.group)"
    }

    public static func notFound(_ r: ResourceName) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(qualified(r)) \"\(r.name ?? "")\" not found", details: details(r))
    }

    public static func alreadyExists(_ r: ResourceName) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(qualified(r)) \"\(r.name ?? "")\" already exists", details: details(r))
    }

    public static func conflict(_ r: ResourceName, _ why: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(qualified(r)) \"\(r.name ?? "")\": \(why)", details: details(r))
    }

    public static func invalid(kind: String, group: String, name: String, causes: [FieldError]) -> APIError {
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        let list = causes.map(\.description)
        let summary = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        var d: JSONValue = ["name": .string(name), "kind": .string(kind),
                            "causes": .array(causes.map { ["reason": .string($0.type.reason), "message": .string($0.detailMessage), "field": .string($0.field)] })]
        if !group.isEmpty { d["group"] = .string(group) }
        return APIError(code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(summary)", details: d)
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource") -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    public static func unsupportedMediaType(_ type: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf"
                 + (type.isEmpty ? "" : ""))
    }

    public static func notAcceptable(_ message: String) -> APIError {
        APIError(code: 406, reason: "NotAcceptable", message: message)
    }

    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Gone", message: message)
    }

    public static func requestEntityTooLarge(limit: Int) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)")
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    public static func serviceUnavailable(_ message: String) -> APIError {
        APIError(code: 503, reason: "ServiceUnavailable", message: message)
    }

    public static func forbidden(_ r: ResourceName, _ why: String) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: "\(qualified(r)) \"\(r.name ?? "")\" is forbidden: \(why)", details: details(r))
    }

    public static func notFoundPath() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }
}

/// Names what a Status is about: group, plural resource, object name.
public struct ResourceName: Sendable {
    public var group: String
    public var resource: String
    public var name: String?
}

/// One field problem, as upstream's field.Error prints it:
/// `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`.
public struct FieldError: Sendable, CustomStringConvertible {
    public enum ErrorType: Sendable {
        case required, invalid, notSupported, duplicate, forbidden, tooLong

        var reason: String {
            switch self {
            case .required: return "FieldValueRequired"
            case .invalid: return "FieldValueInvalid"
            case .notSupported: return "FieldValueNotSupported"
            case .duplicate: return "FieldValueDuplicate"
            case .forbidden: return "FieldValueForbidden"
            case .tooLong: return "FieldValueTooLong"
            }
        }
    }

    public var type: ErrorType
    public var field: String
    public var value: JSONValue?
    public var detail: String

    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(type: .required, field: field, value: nil, detail: detail)
    }
    public static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(type: .invalid, field: field, value: value, detail: detail)
    }
    public static func notSupported(_ field: String, _ value: JSONValue, _ supported: [String]) -> FieldError {
        FieldError(type: .notSupported, field: field, value: value,
                   detail: "supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", "))
    }
    public static func duplicate(_ field: String, _ value: JSONValue) -> FieldError {
        FieldError(type: .duplicate, field: field, value: value, detail: "")
    }
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(type: .forbidden, field: field, value: nil, detail: detail)
    }

    var detailMessage: String {
        switch type {
        case .required: return "Required value" + (detail.isEmpty ? "" : ": \(detail)")
        case .forbidden: return "Forbidden: \(detail)"
        case .duplicate: return "Duplicate value: \(valueText)"
        case .notSupported: return "Unsupported value: \(valueText): \(detail)"
        case .invalid, .tooLong: return "Invalid value: \(valueText)" + (detail.isEmpty ? "" : ": \(detail)")
        }
    }

    private var valueText: String {
        guard let value else { return "\"\"" }
        switch value {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        default: return JSONSerializer.string(value)
        }
    }

    public var description: String {
        switch type {
        case .required: return "\(field): \(detailMessage)"
        default: return "\(field): \(detailMessage)"
        }
    }
}
