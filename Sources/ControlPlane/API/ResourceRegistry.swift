import KubeAPI

/// Every resource the API server serves, with upstream's names and short names.
struct ResourceRegistry: Sendable {
    let definitions: [ResourceDefinition]

    static let standard = ResourceRegistry(definitions: [
        ResourceDefinition(group: "", version: "v1", kind: "Namespace", plural: "namespaces", singular: "namespace",
                           shortNames: ["ns"], namespaced: false, hasStatus: true,
                           type: Namespace.self),
        ResourceDefinition(group: "", version: "v1", kind: "Node", plural: "nodes", singular: "node",
                           shortNames: ["no"], namespaced: false, hasStatus: true,
                           type: Node.self),
        ResourceDefinition(group: "", version: "v1", kind: "Pod", plural: "pods", singular: "pod",
                           shortNames: ["po"], categories: ["all"], namespaced: true, hasStatus: true,
                           type: Pod.self),
        ResourceDefinition(group: "", version: "v1", kind: "Service", plural: "services", singular: "service",
                           shortNames: ["svc"], categories: ["all"], namespaced: true, hasStatus: true, type: Service.self),
        ResourceDefinition(group: "", version: "v1", kind: "Endpoints", plural: "endpoints", singular: "endpoints",
                           shortNames: ["ep"], namespaced: true, type: Endpoints.self),
        ResourceDefinition(group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap",
                           shortNames: ["cm"], namespaced: true, type: ConfigMap.self),
        ResourceDefinition(group: "", version: "v1", kind: "Secret", plural: "secrets", singular: "secret",
                           namespaced: true, type: Secret.self),
        ResourceDefinition(group: "", version: "v1", kind: "Event", plural: "events", singular: "event",
                           shortNames: ["ev"], namespaced: true,
                           type: Event.self),
        ResourceDefinition(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", singular: "deployment",
                           shortNames: ["deploy"], categories: ["all"], namespaced: true, hasStatus: true, hasScale: true,
                           type: Deployment.self),
        ResourceDefinition(group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", singular: "replicaset",
                           shortNames: ["rs"], categories: ["all"], namespaced: true, hasStatus: true, hasScale: true, type: ReplicaSet.self),
        ResourceDefinition(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices",
                           singular: "endpointslice", namespaced: true, type: EndpointSlice.self),
        ResourceDefinition(group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", singular: "lease",
                           namespaced: true, type: Lease.self),
    ])

    func lookup(group: String, version: String, resource: String) -> ResourceDefinition? {
        definitions.first { $0.group == group && $0.version == version && $0.plural == resource }
    }

    func lookup(apiVersion: String, kind: String) -> ResourceDefinition? {
        definitions.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    func lookup(kind: String) -> ResourceDefinition? {
        definitions.first { $0.kind == kind }
    }

    /// Group versions in discovery order (core first, then groups by name).
    var groups: [(group: String, versions: [String])] {
        var seen: [String: [String]] = [:]
        var order: [String] = []
        for d in definitions where !d.group.isEmpty {
            if seen[d.group] == nil { order.append(d.group) }
            if !(seen[d.group]?.contains(d.version) ?? false) { seen[d.group, default: []].append(d.version) }
        }
        return order.map { ($0, seen[$0]!) }
    }
}
