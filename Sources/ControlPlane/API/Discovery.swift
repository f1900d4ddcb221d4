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

    /// A short digest that stays the same across restarts (clients cache by it).
    static func stableHash(_ text: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return String(h, radix: 36)
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
                "storageVersionHash": .string(Self.stableHash(d.apiVersion + "/" + d.kind)),
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
                list.append(["name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": ["create", "get"]])
                list.append(["name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]])
                list.append(["name": "pods/portforward", "singularName": "", "namespaced": true, "kind": "PodPortForwardOptions",
                             "verbs": ["create", "get"]])
            }
        }
        return .object(["kind": "APIResourceList", "apiVersion": "v1",
                        "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(list)])
    }
}

/// Aggregated discovery (apidiscovery.k8s.io/v2): every group version's resources in one
/// document, so kubectl needs two requests instead of one per group version.
extension Discovery {
    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// True when the Accept header asks for the aggregated form first.
    static func wantsAggregated(_ accept: String?) -> Bool {
        guard let accept else { return false }
        for clause in accept.split(separator: ",") {
            let c = clause.replacingOccurrences(of: " ", with: "")
            if c.hasPrefix("application/json"), c.contains("g=apidiscovery.k8s.io"), c.contains("v=v2;"), c.contains("as=APIGroupDiscoveryList") {
                return true
            }
        }
        return false
    }

    /// `/api` (core: true) or `/apis` (core: false) in the aggregated form.
    func aggregated(core: Bool) -> JSONValue {
        let groups: [(String, [String])] = core ? [("", ["v1"])] : registry.groups.map { ($0.group, $0.versions) }
        let items: [JSONValue] = groups.map { group, versions in
            .object([
                "metadata": ["name": .string(group), "creationTimestamp": .null],
                "versions": .array(versions.map { version in
                    ["version": .string(version), "freshness": "Current",
                     "resources": .array(registry.definitions.filter { $0.group == group && $0.version == version }.map(aggregatedResource))]
                }),
            ])
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": .array(items)]
    }

    private func aggregatedResource(_ d: ResourceDefinition) -> JSONValue {
        func kind(_ group: String, _ version: String, _ kind: String) -> JSONValue {
            ["group": .string(group), "version": .string(version), "kind": .string(kind)]
        }
        var subresources: [JSONValue] = []
        if d.hasStatus {
            subresources.append(["subresource": "status", "responseKind": kind(d.group, d.version, d.kind), "verbs": ["get", "patch", "update"]])
        }
        if d.hasScale {
            subresources.append(["subresource": "scale", "responseKind": kind("autoscaling", "v1", "Scale"), "verbs": ["get", "patch", "update"]])
        }
        if d.plural == "pods" {
            subresources.append(["subresource": "binding", "responseKind": kind("", "v1", "Binding"), "verbs": ["create"]])
            subresources.append(["subresource": "exec", "responseKind": kind("", "v1", "PodExecOptions"), "verbs": ["create", "get"]])
            subresources.append(["subresource": "log", "responseKind": kind("", "v1", "Pod"), "verbs": ["get"]])
            subresources.append(["subresource": "portforward", "responseKind": kind("", "v1", "PodPortForwardOptions"), "verbs": ["create", "get"]])
        }
        var r: JSONValue = [
            "resource": .string(d.plural), "responseKind": kind(d.group, d.version, d.kind),
            "scope": d.namespaced ? "Namespaced" : "Cluster", "singularResource": .string(d.singular),
            "verbs": .array(ResourceDefinition.verbs.map { .string($0) }),
        ]
        if !d.shortNames.isEmpty { r["shortNames"] = .array(d.shortNames.map { .string($0) }) }
        if !d.categories.isEmpty { r["categories"] = .array(d.categories.map { .string($0) }) }
        if !subresources.isEmpty { r["subresources"] = .array(subresources) }
        return r
    }
}
