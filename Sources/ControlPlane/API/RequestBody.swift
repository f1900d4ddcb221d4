import KubeAPI
import NIOHTTP1

/// Request bodies in the media types the API accepts.
enum RequestBody {
    enum PatchType: String {
        case json = "application/json-patch+json"
        case merge = "application/merge-patch+json"
        case strategic = "application/strategic-merge-patch+json"
        case apply = "application/apply-patch+yaml"
    }

    static func mediaType(_ headers: HTTPHeaders) -> String {
        let raw = headers.first(name: "content-type") ?? "application/json"
        return raw.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// The object in a create or update body (JSON or YAML).
    static func object(_ request: HTTPRequest) throws -> JSONValue {
        let type = mediaType(request.headers)
        let value: JSONValue
        switch type {
        case "application/json", "", "*/*":
            do { value = try JSONParser.parse(request.body) } catch {
                throw APIError.badRequest("the body of the request could not be decoded: \(error)")
            }
        case "application/yaml", "application/apply-patch+yaml":
            do { value = try Manifest.parseDocument(request.body) } catch {
                throw APIError.badRequest("error converting YAML to JSON: \(error)")
            }
        case "application/vnd.kubernetes.protobuf":
            // Typed clients (kubectl create configmap|secret|deployment|service) send protobuf.
            do { value = try KubernetesProtobuf.decode(request.body) } catch {
                throw APIError.badRequest("the body of the request could not be decoded: \(error)")
            }
        default:
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
        }
        guard value.objectValue != nil else {
            throw APIError.badRequest("the body of the request was not a JSON object")
        }
        return value
    }

    static func patchType(_ request: HTTPRequest) throws -> PatchType {
        let type = mediaType(request.headers)
        guard let patch = PatchType(rawValue: type) else {
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
        }
        return patch
    }

    static func patchDocument(_ request: HTTPRequest, type: PatchType) throws -> JSONValue {
        do {
            if type == .apply { return try Manifest.parseDocument(request.body) }
            return try JSONParser.parse(request.body)
        } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
    }
}
