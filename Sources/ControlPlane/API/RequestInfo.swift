import NIOHTTP1

/// What a resource URL addresses, parsed as kube-apiserver's RequestInfoFactory does:
/// `/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}` and the `/apis/{group}/{version}/…` form.
struct RequestInfo: Equatable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?
    var verb: String

    /// nil when the path is not a resource path (discovery, health, openapi).
    init?(method: HTTPMethod, path: String, query: QueryParameters) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let prefix = parts.first else { return nil }
        if prefix == "api" {
            guard parts.count >= 3 else { return nil }
            group = ""
            version = parts[1]
            parts.removeFirst(2)
        } else if prefix == "apis" {
            guard parts.count >= 4 else { return nil }
            group = parts[1]
            version = parts[2]
            parts.removeFirst(3)
        } else {
            return nil
        }
        // Deprecated /watch/ prefix form.
        var watchPath = false
        if parts.first == "watch" {
            watchPath = true
            parts.removeFirst()
        }
        // namespaces/{ns}/{resource}/… addresses a namespaced resource; namespaces/{name}
        // and namespaces/{name}/status|finalize address the Namespace object itself.
        if parts.count >= 3, parts[0] == "namespaces", parts[2] != "status", parts[2] != "finalize" {
            namespace = parts[1]
            parts.removeFirst(2)
        } else {
            namespace = nil
        }
        guard !parts.isEmpty else { return nil }
        resource = parts.removeFirst()
        name = parts.isEmpty ? nil : parts.removeFirst()
        subresource = parts.isEmpty ? nil : parts.joined(separator: "/")
        switch method {
        case .GET, .HEAD:
            if watchPath || query.bool("watch") {
                verb = "watch"
            } else {
                verb = name == nil ? "list" : "get"
            }
        case .POST: verb = "create"
        case .PUT: verb = "update"
        case .PATCH: verb = "patch"
        case .DELETE: verb = name == nil ? "deletecollection" : "delete"
        default: verb = ""
        }
    }
}
