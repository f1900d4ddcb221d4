import Netlink

/// Merges the slices of one service into endpoints per service port, as upstream's
/// endpointInfoByServicePort/addEndpoints: a slice port contributes every endpoint of its
/// slice to the service port with the same name and protocol, at the slice port's number.
enum EndpointSliceMerge {
    private struct EndpointKey: Hashable {
        var address: IPAddress
        var port: UInt16
    }

    /// Cost: O(endpoints × ports of this service's slices).
    static func merge(service: ServiceName, slices: [String: CachedEndpointSlice],
                      config: ProxyModelConfig) -> PortTable<[EndpointInfo]> {
        var byPort: [ServicePortName: [EndpointKey: EndpointInfo]] = [:]
        // Slice-name order, so which copy of a duplicated endpoint wins never depends on
        // dictionary order.
        for sliceName in slices.keys.sorted() {
            let slice = slices[sliceName]!
            for port in slice.ports {
                let name = ServicePortName(service: service, port: port.name, protocol: port.protocol)
                var set = byPort[name] ?? [:]
                for endpoint in slice.endpoints {
                    let info = EndpointInfo(
                        address: endpoint.address, port: port.number, ready: endpoint.ready,
                        serving: endpoint.serving, terminating: endpoint.terminating,
                        nodeName: endpoint.nodeName, zone: endpoint.zone, zoneHints: endpoint.zoneHints,
                        isLocal: config.isLocal(endpoint.nodeName))
                    let key = EndpointKey(address: endpoint.address, port: port.number)
                    // The same address can sit in two slices while the controller moves it
                    // between them. Keep one: a local copy first (upstream favours isLocal),
                    // then the more usable one, so a stale not-ready copy cannot hide a ready one.
                    if let existing = set[key], rank(existing) >= rank(info) { continue }
                    set[key] = info
                }
                byPort[name] = set
            }
        }
        var result = PortTable<[EndpointInfo]>()
        for (name, set) in byPort where !set.isEmpty {
            result[name] = set.values.sorted(by: EndpointInfo.precedes)
        }
        return result
    }

    private static func rank(_ e: EndpointInfo) -> Int {
        (e.isLocal ? 4 : 0) + (e.ready ? 2 : 0) + (e.serving ? 1 : 0)
    }
}
