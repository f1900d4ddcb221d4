import KubeAPI

/// The selectors of the Services with one, by namespace, and which Pods each selects: which
/// Services a Pod change concerns, and a Service's Pods, without walking every Service or
/// every Pod of the cluster per event (the cost of an update is that of the change).
struct ServiceSelectorIndex: Sendable {
    private var byNamespace: [String: [String: [String: String]]] = [:]
    /// Service key → keys of the Pods it selects, and the reverse.
    private var members: [String: Set<String>] = [:]
    private var memberOf: [String: Set<String>] = [:]

    /// Records the Service's selector; true when it changed (its Pods must then be found again).
    mutating func update(_ service: Service) -> Bool {
        guard let namespace = service.metadata?.namespace, let name = service.metadata?.name else { return false }
        if let selector = service.spec?.selector, !selector.isEmpty, service.spec?.type != "ExternalName" {
            let changed = byNamespace[namespace]?[name] != selector
            byNamespace[namespace, default: [:]][name] = selector
            return changed
        }
        let had = byNamespace[namespace]?[name] != nil
        remove(namespace: namespace, name: name)
        return had
    }

    mutating func remove(namespace: String, name: String) {
        byNamespace[namespace]?[name] = nil
        if byNamespace[namespace]?.isEmpty == true { byNamespace[namespace] = nil }
        setMembers(of: namespace + "/" + name, to: [])
    }

    /// Replaces the Pods a Service selects (after its selector changed).
    mutating func setMembers(of service: String, to pods: Set<String>) {
        for pod in members[service] ?? [] where !pods.contains(pod) {
            memberOf[pod]?.remove(service)
            if memberOf[pod]?.isEmpty == true { memberOf[pod] = nil }
        }
        for pod in pods { memberOf[pod, default: []].insert(service) }
        members[service] = pods.isEmpty ? nil : pods
    }

    /// A Pod appeared, changed (`labels` its current ones) or went (`labels` nil); returns
    /// the Services it belonged to before or belongs to now.
    mutating func podChanged(_ pod: String, namespace: String, labels: [String: String]?) -> Set<String> {
        let now = labels.map { Set(services(selecting: $0, in: namespace)) } ?? []
        let before = memberOf[pod] ?? []
        for service in before.subtracting(now) {
            members[service]?.remove(pod)
            if members[service]?.isEmpty == true { members[service] = nil }
        }
        for service in now.subtracting(before) { members[service, default: []].insert(pod) }
        memberOf[pod] = now.isEmpty ? nil : now
        return before.union(now)
    }

    /// Keys of the Pods `service` selects.
    func pods(of service: String) -> Set<String> { members[service] ?? [] }

    /// `namespace/name` of the Services whose selector matches `labels` in `namespace`.
    func services(selecting labels: [String: String], in namespace: String) -> [String] {
        (byNamespace[namespace] ?? [:]).compactMap { name, selector in
            selector.allSatisfy { labels[$0.key] == $0.value } ? namespace + "/" + name : nil
        }
    }

    var allKeys: [String] {
        byNamespace.flatMap { namespace, services in services.keys.map { namespace + "/" + $0 } }
    }
}

extension Service {
    /// Whether `pod` is selected by this Service's selector (a Service without one selects nothing).
    func selects(_ pod: Pod) -> Bool {
        guard let selector = spec?.selector, !selector.isEmpty,
              pod.metadata?.namespace == metadata?.namespace else { return false }
        let labels = pod.metadata?.labels ?? [:]
        return selector.allSatisfy { labels[$0.key] == $0.value }
    }
}
