import KubeAPI

/// The legacy Endpoints object of a Service, as upstream's Endpoints controller writes it for
/// older clients: the primary family's addresses only, ready ones in `addresses` and the
/// others in `notReadyAddresses`, grouped into subsets by the ports each Pod serves, sorted so
/// that the same Pods always give the same object. At most `maxAddresses` (upstream 1000);
/// beyond that the object is truncated and says so.
enum EndpointsSubsets {
    static let maxAddresses = 1000
    static let overCapacityAnnotation = "endpoints.kubernetes.io/over-capacity"

    static func subsets(service: Service, pods: [Pod], maxAddresses: Int = maxAddresses) -> (subsets: [EndpointSubset], truncated: Bool) {
        let family = EndpointSliceReconciler.addressTypes(of: service)[0]
        let publishNotReady = service.spec?.publishNotReadyAddresses == true
        var byPorts: [[EndpointPort]: (ready: [EndpointAddress], notReady: [EndpointAddress])] = [:]
        for pod in pods where PodEndpoints.shouldInclude(pod, includeTerminating: publishNotReady) {
            guard let ip = PodEndpoints.address(of: pod, family: family) else { continue }
            let ports = PodEndpoints.ports(of: service, for: pod).sorted { ($0.name ?? "", $0.port ?? 0) < ($1.name ?? "", $1.port ?? 0) }
            // A Service without ports still lists its addresses (upstream: headless without ports).
            if ports.isEmpty && !(service.spec?.ports ?? []).isEmpty { continue }
            let node = pod.spec?.nodeName.flatMap { $0.isEmpty ? nil : $0 }
            let address = EndpointAddress(ip: ip, hostname: PodEndpoints.hostname(of: pod, in: service), nodeName: node,
                                          targetRef: PodEndpoints.reference(to: pod))
            if publishNotReady || PodEndpoints.isReady(pod) {
                byPorts[ports, default: ([], [])].ready.append(address)
            } else {
                byPorts[ports, default: ([], [])].notReady.append(address)
            }
        }
        var budget = maxAddresses
        var truncated = false
        var subsets: [EndpointSubset] = []
        let order: (EndpointAddress, EndpointAddress) -> Bool = { ($0.ip ?? "", $0.targetRef?.uid ?? "") < ($1.ip ?? "", $1.targetRef?.uid ?? "") }
        for ports in byPorts.keys.sorted(by: { sortKey($0) < sortKey($1) }) {
            var (ready, notReady) = byPorts[ports]!
            ready.sort(by: order)
            notReady.sort(by: order)
            // Ready addresses are kept before not-ready ones when cutting, as upstream.
            if ready.count > budget { ready = Array(ready.prefix(budget)); truncated = true }
            budget -= ready.count
            if notReady.count > budget { notReady = Array(notReady.prefix(budget)); truncated = true }
            budget -= notReady.count
            guard !ready.isEmpty || !notReady.isEmpty else { continue }
            subsets.append(EndpointSubset(addresses: ready.isEmpty ? nil : ready, notReadyAddresses: notReady.isEmpty ? nil : notReady,
                                          ports: ports.isEmpty ? nil : ports))
        }
        return (subsets, truncated)
    }

    private static func sortKey(_ ports: [EndpointPort]) -> String {
        ports.map { "\($0.name ?? ""):\($0.port ?? 0)/\($0.protocol ?? "")" }.joined(separator: ",")
    }
}
