import Netlink

/// Finds the UDP conntrack clean-up one apply calls for, looking only at the service ports
/// that changed in it (O(change)); upstream reconciles the whole table each sync, this yields
/// the same decisions for the frontends whose state moved, and UDPConntrackCleanupPlan.full
/// covers the periodic full resync.
enum StaleUDPDetection {
    struct Result {
        var cleanups: [UDPConntrackCleanup] = []
        var removedFrontends: [ConntrackFrontend] = []
    }

    static func detect(changedPorts: Set<ServicePortName>, services: ServicePortMap, endpoints: EndpointsMap,
                       serviceUpdate: ServiceMapUpdate, endpointsUpdate: EndpointsMapUpdate,
                       families: [IPFamily]) -> Result {
        var result = Result()
        for name in changedPorts.sorted() where name.protocol == .udp {
            let current = services[name]
            // Absent from the update means unchanged: then before == now.
            let before: ServicePortInfo? = serviceUpdate.previous[name] ?? current
            let nowEndpoints = endpoints[name]
            let beforeEndpoints = endpointsUpdate.previous[name] ?? nowEndpoints
            for family in families {
                let servingNow = servingAddresses(nowEndpoints, family)
                let servingBefore = servingAddresses(beforeEndpoints, family)
                let frontendsBefore = before?.conntrackFrontends(for: family) ?? []
                let frontendsNow = current?.conntrackFrontends(for: family) ?? []
                // Upstream: a port without serving endpoints needs no clean-up.
                if !servingNow.isEmpty {
                    let stopped = servingBefore.subtracting(servingNow)
                    for frontend in frontendsNow {
                        let isNew = !frontendsBefore.contains(frontend)
                        let becameReachable = servingBefore.isEmpty
                        guard !stopped.isEmpty || isNew || becameReachable else { continue }
                        result.cleanups.append(UDPConntrackCleanup(
                            servicePort: name, frontend: frontend, servingEndpoints: servingNow,
                            stoppedServing: stopped, requiresScan: isNew || becameReachable))
                    }
                }
                for frontend in frontendsBefore where !frontendsNow.contains(frontend) {
                    result.removedFrontends.append(frontend)
                }
            }
        }
        return result
    }

    private static func servingAddresses(_ endpoints: [EndpointInfo], _ family: IPFamily) -> Set<IPAddress> {
        // Serving, not ready, and no policy or topology: upstream keeps entries to any endpoint
        // that can still answer, so UDP behaves as TCP does across a rollout.
        Set(endpoints.lazy.filter { $0.serving && $0.family == family }.map(\.address))
    }
}
