import KubeAPI

/// How a Pod appears among a Service's endpoints, as upstream's endpoint utilities
/// (ShouldPodBeInEndpoints, FindPort, podToEndpoint); shared by the EndpointSlice and the
/// legacy Endpoints controllers.
enum PodEndpoints {
    /// Whether a Pod belongs in a Service's endpoints at all: it has an address and has not
    /// finished for good (a Pod that will not restart and has ended is no endpoint).
    static func shouldInclude(_ pod: Pod, includeTerminating: Bool) -> Bool {
        guard let ip = pod.status?.podIP, !ip.isEmpty else { return false }
        if !includeTerminating && pod.metadata?.deletionTimestamp != nil { return false }
        let phase = pod.status?.phase
        switch pod.spec?.restartPolicy {
        case "Never": return phase != "Failed" && phase != "Succeeded"
        case "OnFailure": return phase != "Succeeded"
        default: return true
        }
    }

    /// The Pod's Ready condition is True.
    static func isReady(_ pod: Pod) -> Bool {
        pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
    }

    static func isTerminating(_ pod: Pod) -> Bool { pod.metadata?.deletionTimestamp != nil }

    /// The Pod's address of `family` ("IPv4"/"IPv6"): from `podIPs`, or `podIP` when the
    /// list is absent.
    static func address(of pod: Pod, family: String) -> String? {
        let ips = pod.status?.podIPs?.compactMap(\.ip) ?? pod.status?.podIP.map { [$0] } ?? []
        return ips.first { (family == "IPv6") == $0.contains(":") }
    }

    /// The container port `servicePort` reaches on this Pod: its `targetPort` number, or the
    /// container port of that name and protocol; nil when a name matches nothing (the Pod
    /// is then no endpoint of that port).
    static func targetPort(of servicePort: ServicePort, in pod: Pod) -> Int32? {
        switch servicePort.targetPort {
        case .string(let name)?:
            if let number = Int32(name) { return number }   // a quoted number, as upstream's IntOrString parse
            let proto = servicePort.protocol ?? "TCP"
            for container in pod.spec?.containers ?? [] {
                for port in container.ports ?? [] where port.name == name && (port.protocol ?? "TCP") == proto {
                    return port.containerPort
                }
            }
            return nil
        case .int(let number)?:
            return number
        case nil:
            return servicePort.port
        }
    }

    /// The Service's ports as this Pod serves them (ports whose named target the Pod lacks
    /// are left out), in the Service's order.
    static func ports(of service: Service, for pod: Pod) -> [EndpointPort] {
        (service.spec?.ports ?? []).compactMap { port in
            targetPort(of: port, in: pod).map {
                EndpointPort(name: port.name ?? "", port: $0, protocol: port.protocol ?? "TCP", appProtocol: port.appProtocol)
            }
        }
    }

    /// The DNS hostname of the Pod's endpoint: upstream sets it only when the Pod names the
    /// Service as its subdomain.
    static func hostname(of pod: Pod, in service: Service) -> String? {
        guard let hostname = pod.spec?.hostname, !hostname.isEmpty,
              pod.spec?.subdomain == service.metadata?.name,
              pod.metadata?.namespace == service.metadata?.namespace else { return nil }
        return hostname
    }

    static func reference(to pod: Pod) -> ObjectReference {
        ObjectReference(kind: "Pod", namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid)
    }
}
