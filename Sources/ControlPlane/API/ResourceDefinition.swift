import KubeAPI

/// One served resource: its names as discovery advertises them, its scope and subresources.
/// (Field selector labels per kind live in KubeAPI's FieldLabelSupport.)
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
    /// The typed form, for schemas and strict field validation.
    var type: any KubeObject.Type

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var gvk: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    static let verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

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
