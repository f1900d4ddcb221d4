/// The patch formats the API server accepts, told apart by the request's Content-Type.
public enum PatchType: String, Sendable, Hashable, CaseIterable {
    /// RFC 7386 JSON merge patch.
    case merge
    /// RFC 6902 JSON patch (an array of operations).
    case json
    /// Kubernetes strategic merge patch (lists merged by their patch merge key).
    case strategic
    /// Server-side apply; needs a field manager.
    case apply

    public var contentType: String {
        switch self {
        case .merge: "application/merge-patch+json"
        case .json: "application/json-patch+json"
        case .strategic: "application/strategic-merge-patch+json"
        // JSON is valid YAML, so the JSON body we send is fine under this type.
        case .apply: "application/apply-patch+yaml"
        }
    }
}
