import DNS
import Netlink
import XCTest

final class PackedEndpointsTests: XCTestCase {
    typealias Endpoint = DNSEndpointSlice.Endpoint

    func testEveryFieldComesBackAsItWent() {
        let long = String(repeating: "a", count: 63)
        let endpoints: [Endpoint] = [
            Endpoint(addresses: ["10.244.1.5"], conditions: .init(ready: true), hostname: "db-0"),
            Endpoint(addresses: ["fd00:10:244::5"], conditions: .init(ready: false, serving: true, terminating: true)),
            Endpoint(addresses: ["10.244.1.7"]),
            Endpoint(address: nil, conditions: .init(serving: false), hostname: long),
            Endpoint(addresses: ["255.255.255.255"], conditions: .init(ready: true, serving: nil, terminating: false), hostname: ""),
        ]
        let packed = PackedEndpoints(endpoints)
        XCTAssertEqual(packed.count, 5)
        XCTAssertEqual(Array(packed), endpoints)
        XCTAssertEqual(Array(packed)[1].address, IPAddress("fd00:10:244::5"))
    }

    func testAHostnameDNSCannotServeIsDropped() {
        let packed = PackedEndpoints([Endpoint(addresses: ["10.0.0.1"], hostname: String(repeating: "b", count: 64))])
        XCTAssertEqual(Array(packed), [Endpoint(addresses: ["10.0.0.1"])])
    }

    /// The API's JSON in, the same endpoints out: only the first address is kept.
    func testSlicesDecodeIntoPackedEndpoints() throws {
        let json = """
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","addressType":"IPv4",
             "metadata":{"name":"web-1","namespace":"default","resourceVersion":"7","labels":{"kubernetes.io/service-name":"web","x":"y"}},
             "endpoints":[{"addresses":["10.0.0.1","10.0.0.9"],"conditions":{"ready":true},"nodeName":"n1",
                           "targetRef":{"kind":"Pod","name":"p"}},
                          {"addresses":["10.0.0.2"],"conditions":{"ready":false,"terminating":true},"hostname":"h"}],
             "ports":[{"name":"http","port":8080,"protocol":"TCP"}]}
            """
        let slice = try JSONDecoder().decode(DNSEndpointSlice.self, from: Data(json.utf8))
        XCTAssertEqual(slice.serviceName, "web")
        XCTAssertEqual(slice.metadata?.resourceVersion, "7")
        XCTAssertEqual(slice.endpoints, [Endpoint(addresses: ["10.0.0.1"], conditions: .init(ready: true)),
                                         Endpoint(addresses: ["10.0.0.2"], conditions: .init(ready: false, terminating: true),
                                                  hostname: "h")])
        let again = try JSONDecoder().decode(DNSEndpointSlice.self, from: JSONEncoder().encode(slice))
        XCTAssertEqual(again, slice)
    }
}
