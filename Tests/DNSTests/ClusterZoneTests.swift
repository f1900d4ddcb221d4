import DNS
import KubeAPI
import Netlink
import XCTest

/// The zone's answers from Service and EndpointSlice objects, in-process (the e2e tests ask
/// the real server with dig).
final class ClusterZoneTests: XCTestCase {
    let records = ClusterRecords()
    lazy var zone = ClusterZone(domain: DNSName("cluster.local")!, ttl: 5, records: records)

    func service(_ name: String, _ ns: String = "default", clusterIP: String? = nil, type: String? = nil,
                 externalName: String? = nil, ports: [DNSService.Port] = [], publishNotReady: Bool? = nil) -> DNSService {
        DNSService(metadata: ObjectMeta(name: name, namespace: ns),
                   spec: .init(type: type, clusterIP: clusterIP, clusterIPs: clusterIP.map { $0 == "None" ? [$0] : $0.split(separator: ",").map(String.init) },
                               externalName: externalName, publishNotReadyAddresses: publishNotReady, ports: ports))
    }

    func slice(_ name: String, for service: String, namespace ns: String = "default",
               _ endpoints: [DNSEndpointSlice.Endpoint], ports: [DNSEndpointSlice.Port] = []) -> DNSEndpointSlice {
        DNSEndpointSlice(metadata: ObjectMeta(name: name, namespace: ns, labels: ["kubernetes.io/service-name": service]),
                         addressType: "IPv4", endpoints: endpoints, ports: ports)
    }

    func ask(_ name: String, _ type: DNSRecordType = .a) -> ZoneAnswer? {
        zone.answer(DNSQuestion(name: DNSName(name)!, type: type))
    }

    func rdata(_ answer: ZoneAnswer?) -> [String] {
        (answer?.answers ?? []).map { record in
            switch record.data {
            case .a(let b), .aaaa(let b): return IPAddress(bytes: b)!.description
            case .cname(let n), .ptr(let n): return n.description
            case .srv(let p, let w, let port, let target): return "\(p) \(w) \(port) \(target)"
            case .txt(let s): return s.map { String(decoding: $0, as: UTF8.self) }.joined()
            default: return "\(record.data)"
            }
        }
    }

    func testClusterIPServiceNoDataAndNXDomain() {
        records.upsert(service("web", clusterIP: "10.96.0.20", ports: [.init(name: "http", protocol: "TCP", port: 80)]))
        XCTAssertEqual(rdata(ask("web.default.svc.cluster.local")), ["10.96.0.20"])
        XCTAssertEqual(rdata(ask("WEB.Default.SVC.cluster.LOCAL")), ["10.96.0.20"], "case-insensitive")
        // The name exists, no AAAA: NODATA with the SOA.
        let aaaa = ask("web.default.svc.cluster.local", .aaaa)
        XCTAssertEqual(aaaa?.responseCode, .noError)
        XCTAssertEqual(aaaa?.answers, [])
        XCTAssertEqual(aaaa?.authority.first?.type, .soa)
        XCTAssertEqual(ask("nope.default.svc.cluster.local")?.responseCode, .nxDomain)
        XCTAssertEqual(ask("nope.default.svc.cluster.local")?.authority.first?.type, .soa)
        // Namespaces with Services exist (NODATA), others do not.
        XCTAssertEqual(ask("default.svc.cluster.local")?.responseCode, .noError)
        XCTAssertEqual(ask("other.svc.cluster.local")?.responseCode, .nxDomain)
        XCTAssertEqual(ask("svc.cluster.local")?.responseCode, .noError)
        XCTAssertEqual(ask("cluster.local", .soa)?.answers.first?.type, .soa)
        XCTAssertEqual(rdata(ask("dns-version.cluster.local", .txt)), ["1.1.0"])
        XCTAssertNil(ask("example.org"), "not ours: forwarded")
        // SRV: named port, the A record in additional; the _tcp node exists, _udp does not.
        let srv = ask("_http._tcp.web.default.svc.cluster.local", .srv)
        XCTAssertEqual(rdata(srv), ["0 100 80 web.default.svc.cluster.local."])
        XCTAssertEqual(srv?.additional.count, 1)
        XCTAssertEqual(ask("_tcp.web.default.svc.cluster.local")?.responseCode, .noError)
        XCTAssertEqual(ask("_udp.web.default.svc.cluster.local")?.responseCode, .nxDomain)
        XCTAssertEqual(ask("_dns._udp.web.default.svc.cluster.local", .srv)?.responseCode, .nxDomain)
        XCTAssertEqual(ask("_http._tcp.web.default.svc.cluster.local", .a)?.responseCode, .noError)
        // PTR for the ClusterIP.
        XCTAssertEqual(rdata(ask("20.0.96.10.in-addr.arpa", .ptr)), ["web.default.svc.cluster.local."])
        XCTAssertNil(ask("21.0.96.10.in-addr.arpa", .ptr), "an unknown address goes upstream")
        // Deleted: gone.
        records.remove(service: service("web", clusterIP: "10.96.0.20"))
        XCTAssertEqual(ask("web.default.svc.cluster.local")?.responseCode, .nxDomain)
        XCTAssertNil(ask("20.0.96.10.in-addr.arpa", .ptr))
    }

    func testDualStackService() {
        records.upsert(service("dual", clusterIP: "10.96.0.30,fd00::30"))
        XCTAssertEqual(rdata(ask("dual.default.svc.cluster.local")), ["10.96.0.30"])
        XCTAssertEqual(rdata(ask("dual.default.svc.cluster.local", .aaaa)), ["fd00::30"])
        let reverse = "0.3." + String(repeating: "0.", count: 26) + "0.0.d.f.ip6.arpa"
        XCTAssertEqual(rdata(ask(reverse, .ptr)), ["dual.default.svc.cluster.local."])
    }

    func testHeadlessServiceEndpointsHostnamesAndReadiness() {
        records.upsert(slice("db-1", for: "db", [
            .init(addresses: ["10.244.1.5"], conditions: .init(ready: true), hostname: "db-0"),
            .init(addresses: ["10.244.1.6"], conditions: .init(ready: true)),
            .init(addresses: ["10.244.1.7"], conditions: .init(ready: false), hostname: "db-2"),
        ], ports: [.init(name: "pg", protocol: "TCP", port: 5432)]))
        // The slice arrived first; the Service makes it count.
        records.upsert(service("db", clusterIP: "None", ports: [.init(name: "pg", protocol: "TCP", port: 5432)]))
        XCTAssertEqual(Set(rdata(ask("db.default.svc.cluster.local"))), ["10.244.1.5", "10.244.1.6"])
        XCTAssertEqual(rdata(ask("db-0.db.default.svc.cluster.local")), ["10.244.1.5"])
        XCTAssertEqual(rdata(ask("10-244-1-6.db.default.svc.cluster.local")), ["10.244.1.6"])
        XCTAssertEqual(ask("db-2.db.default.svc.cluster.local")?.responseCode, .nxDomain, "not ready")
        let srv = ask("_pg._tcp.db.default.svc.cluster.local", .srv)
        XCTAssertEqual(Set(rdata(srv)), ["0 50 5432 db-0.db.default.svc.cluster.local.",
                                         "0 50 5432 10-244-1-6.db.default.svc.cluster.local."])
        XCTAssertEqual(srv?.additional.count, 2)
        XCTAssertEqual(rdata(ask("5.1.244.10.in-addr.arpa", .ptr)), ["db-0.db.default.svc.cluster.local."])
        XCTAssertNil(ask("7.1.244.10.in-addr.arpa", .ptr), "not ready: no PTR")
        // publishNotReadyAddresses includes the not-ready one.
        records.upsert(service("db", clusterIP: "None", ports: [.init(name: "pg", protocol: "TCP", port: 5432)], publishNotReady: true))
        XCTAssertEqual(rdata(ask("db-2.db.default.svc.cluster.local")), ["10.244.1.7"])
        // No ready endpoint: NXDOMAIN (spec 2.4.1).
        records.upsert(slice("db-1", for: "db", [.init(addresses: ["10.244.1.5"], conditions: .init(ready: false))]))
        records.upsert(service("db", clusterIP: "None"))
        XCTAssertEqual(ask("db.default.svc.cluster.local")?.responseCode, .nxDomain)
        records.remove(slice: slice("db-1", for: "db", []))
        XCTAssertNil(ask("5.1.244.10.in-addr.arpa", .ptr))
    }

    func testExternalNameIsACNAMEChasedInsideTheZone() {
        records.upsert(service("web", clusterIP: "10.96.0.20"))
        records.upsert(service("alias", type: "ExternalName", externalName: "web.default.svc.cluster.local"))
        records.upsert(service("outside", type: "ExternalName", externalName: "www.example.com"))
        XCTAssertEqual(rdata(ask("alias.default.svc.cluster.local")), ["web.default.svc.cluster.local.", "10.96.0.20"])
        XCTAssertEqual(rdata(ask("outside.default.svc.cluster.local")), ["www.example.com."])
        XCTAssertEqual(rdata(ask("outside.default.svc.cluster.local", .cname)), ["www.example.com."])
        // A loop of ExternalNames ends.
        records.upsert(service("a", type: "ExternalName", externalName: "b.default.svc.cluster.local"))
        records.upsert(service("b", type: "ExternalName", externalName: "a.default.svc.cluster.local"))
        XCTAssertLessThanOrEqual(ask("a.default.svc.cluster.local")?.answers.count ?? 0, 10)
    }

    func testPodRecords() {
        XCTAssertEqual(rdata(ask("10-244-1-9.default.pod.cluster.local")), ["10.244.1.9"])
        XCTAssertEqual(ask("10-244-1-9.default.pod.cluster.local", .aaaa)?.responseCode, .noError)
        XCTAssertEqual(rdata(ask("fd00--9.default.pod.cluster.local", .aaaa)), ["fd00::9"])
        XCTAssertEqual(ask("10-244-1-999.default.pod.cluster.local")?.responseCode, .nxDomain)
    }

    func testSearchCompletionOnlyForTheAskingPodsNamespace() {
        let pods = PodDirectory()
        pods.upsert(DNSPod(metadata: ObjectMeta(name: "p", namespace: "team"), status: .init(podIP: "10.244.1.10")))
        pods.upsert(DNSPod(metadata: ObjectMeta(name: "h", namespace: "team"), spec: .init(dnsPolicy: "Default"),
                           status: .init(podIP: "10.244.1.11")))
        let completion = SearchCompletion(pods: pods, hostSearchDomains: [DNSName("corp.example")!])
        let name = DNSName("example.com.team.svc.cluster.local")!
        XCTAssertEqual(completion.remainingSearch(after: name, client: IPAddress("10.244.1.10")!, zone: zone)?.map(\.description),
                       ["example.com.svc.cluster.local.", "example.com.cluster.local.", "example.com.corp.example.",
                        "example.com."])
        XCTAssertNil(completion.remainingSearch(after: DNSName("example.com.other.svc.cluster.local")!,
                                                client: IPAddress("10.244.1.10")!, zone: zone), "another namespace")
        XCTAssertNil(completion.remainingSearch(after: name, client: IPAddress("10.244.1.11")!, zone: zone), "dnsPolicy Default")
        XCTAssertNil(completion.remainingSearch(after: name, client: IPAddress("10.244.1.12")!, zone: zone), "unknown pod")
    }
}
