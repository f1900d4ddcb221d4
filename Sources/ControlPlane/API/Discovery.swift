import KubeAPI

/// The legacy discovery documents (/api, /apis, /api/v1, /apis/G/V) and /version.
/// kubectl asks for the aggregated v2 form first and falls back to these when the
/// response's content type is plain JSON, which is what we answer with.
struct Discovery: Sendable {
    let registry: ResourceRegistry
    let serverAddress: String

    static let kubernetesVersion = "v1.32.0"

    var version: JSONValue {
        [
            "major": "1", "minor": "32", "gitVersion": .string(Self.kubernetesVersion + "+skiff"),
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2026-11-23T00:00:00Z", "goVersion": "swift6.3", "compiler": "swiftc",
            "platform": "linux/amd64",
        ]
    }

    var coreVersions: JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    var groupList: JSONValue {
        .object([
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(registry.groups.map { group(name: $0.group, versions: $0.versions) }),
        ])
    }

    func group(name: String) -> JSONValue? {
        registry.groups.first { $0.group == name }.map { group(name: $0.group, versions: $0.versions) }
    }

    private func group(name: String, versions: [String]) -> JSONValue {
        let list: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["kind": "APIGroup", "apiVersion": "v1", "name": .string(name), "versions": .array(list), "preferredVersion": list[0]]
    }

    /// APIResourceList of one group version, subresources included.
    func resources(group: String, version: String) -> JSONValue? {
        let defs = registry.definitions.filter { $0.group == group && $0.version == version }
        guard !defs.isEmpty else { return nil }
        var list: [JSONValue] = []
        for d in defs {
            var r: JSONValue = [
                "name": .string(d.plural), "singularName": .string(d.singular), "namespaced": .bool(d.namespaced),
                "kind": .string(d.kind), "verbs": .array(ResourceDefinition.verbs.map { .string($0) }),
                "storageVersionHash": .string(String(d.kind.hashValue & 0xFFFFFF, radix: 16)),
            ]
            if !d.shortNames.isEmpty { r["shortNames"] = .array(d.shortNames.map { .string($0) }) }
            if !d.categories.isEmpty { r["categories"] = .array(d.categories.map { .string($0) }) }
            list.append(r)
            if d.hasStatus {
                list.append(["name": .string("\(d.plural)/status"), "singularName": "", "namespaced": .bool(d.namespaced),
                             "kind": .string(d.kind), "verbs": ["get", "patch", "update"]])
            }
            if d.hasScale {
                list.append(["name": .string("\(d.plural)/scale"), "singularName": "", "namespaced": .bool(d.namespaced),
                             "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]])
            }
            if d.plural == "pods" {
                list.append(["name": "pods/binding", "singularName": "", "namespaced": true, "kind": "Binding", "verbs": ["create"]])
                list.append(["name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]])
            }
        }
        return .object(["kind": "APIResourceList", "apiVersion": "v1",
                        "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(list)])
    }
}
