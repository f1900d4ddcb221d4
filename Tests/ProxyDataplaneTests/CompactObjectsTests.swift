import Foundation
import KubeAPI
@testable import ProxyDataplane
import XCTest

/// The proxy's informers decode Services and EndpointSlices straight into `ProxyService` and
/// `ProxyEndpointSlice`: they must keep every field the proxy reads, and equal the conversion
/// of the full object.
final class CompactObjectsTests: XCTestCase {
    let serviceJSON = """
    {"apiVersion":"v1","kind":"Service",
     "metadata":{"name":"web","namespace":"shop","resourceVersion":"42","uid":"u-1","labels":{"app":"web"},
       "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},
       "managedFields":[{"manager":"kubectl","operation":"Apply"}]},
     "spec":{"type":"LoadBalancer","selector":{"app":"web"},"clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10","fd00::a"],
       "ipFamilies":["IPv4","IPv6"],"externalIPs":["192.0.2.1"],"sessionAffinity":"ClientIP",
       "sessionAffinityConfig":{"clientIP":{"timeoutSeconds":600}},"loadBalancerSourceRanges":["198.51.100.0/24"],
       "externalTrafficPolicy":"Local","internalTrafficPolicy":"Cluster","healthCheckNodePort":31000,
       "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080,"nodePort":30080,"appProtocol":"http"}]},
     "status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7","ipMode":"VIP"}]},"conditions":[]}}
    """

    func testServiceDecodesToWhatTheProxyReads() throws {
        let compact = try JSONDecoder().decode(ProxyService.self, from: Data(serviceJSON.utf8))
        XCTAssertEqual(compact.meta.name, "web")
        XCTAssertEqual(compact.meta.namespace, "shop")
        XCTAssertEqual(compact.meta.resourceVersion, "42")
        XCTAssertNil(compact.meta.keptAnnotation)
        XCTAssertEqual(compact.spec?.clusterIPs, ["10.96.0.10", "fd00::a"])
        XCTAssertEqual(compact.spec?.ports, [ProxyService.Port(name: "http", protocol: "TCP", port: 80, nodePort: 30080)])
        XCTAssertEqual(compact.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds, 600)
        XCTAssertEqual(compact.status?.loadBalancer?.ingress?.first?.ip, "203.0.113.7")

        let full = try JSONDecoder().decode(Service.self, from: Data(serviceJSON.utf8))
        XCTAssertEqual(compact, ProxyService(full))
        XCTAssertEqual(ServiceTranslation(compact, families: [.ipv4, .ipv6]),
                       ServiceTranslation(ProxyService(full), families: [.ipv4, .ipv6]))
        let again = try JSONDecoder().decode(ProxyService.self, from: JSONEncoder().encode(compact))
        XCTAssertEqual(again, compact)
    }

    func testEndpointSliceKeepsTheFirstAddressHintsAndTriggerTime() throws {
        let json = """
        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
         "metadata":{"name":"web-abc","namespace":"shop","resourceVersion":"7",
           "labels":{"kubernetes.io/service-name":"web","endpointslice.kubernetes.io/managed-by":"x"},
           "annotations":{"endpoints.kubernetes.io/last-change-trigger-time":"2026-11-23T10:00:00Z","other":"y"},
           "ownerReferences":[{"apiVersion":"v1","kind":"Service","name":"web","uid":"u-1"}]},
         "addressType":"IPv4",
         "endpoints":[
           {"addresses":["10.244.1.5","10.244.1.6"],"conditions":{"ready":false,"serving":true,"terminating":true},
            "hostname":"pod-a","nodeName":"node-b","zone":"z1","hints":{"forZones":[{"name":"z1"},{"name":"z2"}]},
            "targetRef":{"kind":"Pod","namespace":"shop","name":"pod-a"}},
           {"addresses":[]}],
         "ports":[{"name":"http","protocol":"TCP","port":8080,"appProtocol":"http"}]}
        """
        let compact = try JSONDecoder().decode(ProxyEndpointSlice.self, from: Data(json.utf8))
        XCTAssertEqual(compact.meta.serviceName, "web")
        XCTAssertEqual(compact.meta.keptAnnotation, "2026-11-23T10:00:00Z")
        XCTAssertEqual(compact.metadata?.annotations, ["endpoints.kubernetes.io/last-change-trigger-time": "2026-11-23T10:00:00Z"])
        XCTAssertEqual(compact.endpoints, [
            ProxyEndpointSlice.Endpoint(address: "10.244.1.5",
                                        conditions: EndpointConditions(ready: false, serving: true, terminating: true),
                                        nodeName: "node-b", zone: "z1", zoneHints: ["z1", "z2"]),
            ProxyEndpointSlice.Endpoint(),
        ])

        let full = try JSONDecoder().decode(EndpointSlice.self, from: Data(json.utf8))
        XCTAssertEqual(compact, ProxyEndpointSlice(full))
        let cached = CachedEndpointSlice(compact, family: .ipv4)
        XCTAssertEqual(cached.problems, [.missingAddress])
        XCTAssertEqual(cached.endpoints.map(\.zoneHints), [["z1", "z2"]])
        let again = try JSONDecoder().decode(ProxyEndpointSlice.self, from: JSONEncoder().encode(compact))
        XCTAssertEqual(again, compact)
    }
}
