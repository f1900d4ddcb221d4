import KubeAPI
@testable import ProxyDataplane
import Netlink

/// Builders for the API objects the tests feed the model.
enum Fixture {
    static func service(
        _ name: String, namespace: String = "default", type: String? = nil, clusterIP: String? = "10.96.0.10",
        clusterIPs: [String]? = nil, ports: [ServicePort] = [ServicePort(name: "http", protocol: "TCP", port: 80)],
        externalIPs: [String]? = nil, sessionAffinity: String? = nil, affinityTimeout: Int32? = nil,
        sourceRanges: [String]? = nil, externalTrafficPolicy: String? = nil, internalTrafficPolicy: String? = nil,
        healthCheckNodePort: Int32? = nil, ingress: [LoadBalancerIngress]? = nil, externalName: String? = nil,
        annotations: [String: String]? = nil
    ) -> Service {
        var spec = ServiceSpec(
            ports: ports, clusterIP: clusterIP, clusterIPs: clusterIPs ?? clusterIP.map { [$0] }, type: type,
            externalIPs: externalIPs, sessionAffinity: sessionAffinity, loadBalancerSourceRanges: sourceRanges,
            externalName: externalName, externalTrafficPolicy: externalTrafficPolicy,
            healthCheckNodePort: healthCheckNodePort, internalTrafficPolicy: internalTrafficPolicy)
        if let affinityTimeout {
            spec.sessionAffinityConfig = SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: affinityTimeout))
        }
        return Service(
            metadata: ObjectMeta(name: name, namespace: namespace, annotations: annotations),
            spec: spec,
            status: ingress.map { ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: $0)) })
    }

    static func endpoint(_ ip: String, ready: Bool? = true, serving: Bool? = nil, terminating: Bool? = nil,
                         node: String? = "node-b", zone: String? = nil, hints: [String]? = nil) -> Endpoint {
        Endpoint(addresses: [ip], conditions: EndpointConditions(ready: ready, serving: serving, terminating: terminating),
                 nodeName: node, zone: zone,
                 hints: hints.map { EndpointHints(forZones: $0.map { ForZone(name: $0) }) })
    }

    static func slice(_ name: String, service: String?, namespace: String = "default", addressType: String = "IPv4",
                      ports: [EndpointPort] = [EndpointPort(name: "http", port: 8080, protocol: "TCP")],
                      endpoints: [Endpoint]) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: name, namespace: namespace,
                                 labels: service.map { ["kubernetes.io/service-name": $0] }),
            addressType: addressType, endpoints: endpoints, ports: ports)
    }

    static func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    static func portName(_ service: String, _ port: String = "http", _ proto: TransportProtocol = .tcp,
                         namespace: String = "default") -> ServicePortName {
        ServicePortName(namespace: namespace, name: service, port: port, protocol: proto)
    }

    /// Node "node-a", IPv4 unless told otherwise.
    static func config(families: Set<IPFamily> = [.ipv4]) -> ProxyModelConfig {
        ProxyModelConfig(nodeName: "node-a", ipFamilies: families)
    }
}

// The tests build full API objects (as a manifest or the API server would have them) and
// hand them over in the compact form the proxy's informers decode.

extension ProxyModel {
    @discardableResult mutating func serviceAdded(_ s: Service) -> Bool { serviceAdded(ProxyService(s)) }
    @discardableResult mutating func serviceUpdated(old: Service, new: Service) -> Bool {
        serviceUpdated(old: ProxyService(old), new: ProxyService(new))
    }
    @discardableResult mutating func serviceDeleted(_ s: Service) -> Bool { serviceDeleted(ProxyService(s)) }
    @discardableResult mutating func endpointSliceAdded(_ s: EndpointSlice) -> Bool { endpointSliceAdded(ProxyEndpointSlice(s)) }
    @discardableResult mutating func endpointSliceUpdated(old: EndpointSlice, new: EndpointSlice) -> Bool {
        endpointSliceUpdated(old: ProxyEndpointSlice(old), new: ProxyEndpointSlice(new))
    }
    @discardableResult mutating func endpointSliceDeleted(_ s: EndpointSlice) -> Bool { endpointSliceDeleted(ProxyEndpointSlice(s)) }
}

extension ServiceTranslation {
    init?(_ service: Service, families: Set<IPFamily>) { self.init(ProxyService(service), families: families) }
}

extension CachedEndpointSlice {
    init(_ slice: EndpointSlice, family: IPFamily) { self.init(ProxyEndpointSlice(slice), family: family) }
}

extension EndpointSliceChangeTracker {
    @discardableResult mutating func add(_ s: EndpointSlice) -> Bool { add(ProxyEndpointSlice(s)) }
    @discardableResult mutating func update(_ s: EndpointSlice) -> Bool { update(ProxyEndpointSlice(s)) }
    @discardableResult mutating func delete(_ s: EndpointSlice) -> Bool { delete(ProxyEndpointSlice(s)) }
}

extension ServiceChangeTracker {
    @discardableResult mutating func add(_ s: Service) -> Bool { add(ProxyService(s)) }
    @discardableResult mutating func update(old: Service, new: Service) -> Bool {
        update(old: ProxyService(old), new: ProxyService(new))
    }
    @discardableResult mutating func delete(_ s: Service) -> Bool { delete(ProxyService(s)) }
}
