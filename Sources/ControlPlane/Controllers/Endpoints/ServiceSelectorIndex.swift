import KubeAPI

/// The selectors of the Services with one, by namespace: which Services a Pod change
/// concerns, without walking every Service of the cluster per Pod event.
struct ServiceSelectorIndex: Sendable {
    private var byNamespace: [String: [String: [String: String]]] = [:]

    mutating func update(_ service: Service) {
        guard let namespace = service.metadata?.namespace, let name = service.metadata?.name else { return }
        if let selector = service.spec?.selector, !selector.isEmpty, service.spec?.type != "ExternalName" {
            byNamespace[namespace, default: [:]][name] = selector
        } else {
            remove(namespace: namespace, name: name)
        }
    }

    mutating func remove(namespace: String, name: String) {
        byNamespace[namespace]?[name] = nil
        if byNamespace[namespace]?.isEmpty == true { byNamespace[namespace] = nil }
    }

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
