import KubeAPI

/// One served resource: its names as discovery advertises them, its scope, subresources
/// and the fields it can be selected by.
struct ResourceDefinition: Sendable {
    var group: String
    var version: String
    var kind: String
    var plural: String
    var singular: String
    var shortNames: [String] = []
    var categories: [String] = []
    var namespaced: Bool
    var hasStatus = false
    var hasScale = false
    /// Field selector labels beyond metadata.name/metadata.namespace, as dotted paths.
    var fieldLabels: [String] = []
    /// The typed form, for schemas and strict field validation.
    var type: any KubeObject.Type

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var gvk: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    static let verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// The value of a field label for field selectors; nil when the kind does not support it.
    func fieldValue(_ label: String, in object: JSONValue) -> String?? {
        guard label == "metadata.name" || label == "metadata.namespace" || fieldLabels.contains(label) else { return nil }
        let value = object[path: label.split(separator: ".").map(String.init)]
        switch value {
        case .string(let s)?: return .some(s)
        case .bool(let b)?: return .some(b ? "true" : "false")
        case .int(let i)?: return .some(String(i))
        default:
            // Upstream exposes booleans/ints as their zero value when unset.
            if label == "spec.unschedulable" || label == "spec.hostNetwork" { return .some("false") }
            if label == "status.replicas" { return .some("0") }
            return .some("")
        }
    }

    /// Storage key of an object: `{plural}[.{group}]/{namespace}/{name}` or `…/{name}`.
    func key(namespace: String?, name: String) -> String {
        namespaced ? "\(storagePrefix)\(namespace ?? "")/\(name)" : "\(storagePrefix)\(name)"
    }

    /// Prefix of every key of this resource, or of one namespace's objects.
    func prefix(namespace: String?) -> String {
        if namespaced, let namespace { return "\(storagePrefix)\(namespace)/" }
        return storagePrefix
    }

    private var storagePrefix: String { group.isEmpty ? "/\(plural)/" : "/\(plural).\(group)/" }
}
