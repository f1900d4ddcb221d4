@testable import ControlPlane
import KubeAPI
import XCTest

final class EndpointsSubsetsTests: XCTestCase {
    func pod(_ i: Int, ready: Bool, named: Bool = true) -> Pod {
        var meta = ObjectMeta(name: "p\(i)", namespace: "default", labels: ["app": "web"])
        meta.uid = "u\(i)"
        let ports = named ? [ContainerPort(name: "web", containerPort: 8080)] : []
        return Pod(metadata: meta, spec: PodSpec(containers: [Container(name: "c", ports: ports)]),
                   status: PodStatus(phase: "Running", conditions: [PodCondition(type: "Ready", status: ready ? "True" : "False")],
                                     podIP: "10.0.0.\(i)"))
    }

    func testGroupsByPortSetSortsAndTruncatesReadyFirst() {
        var spec = ServiceSpec(ports: [ServicePort(name: "http", port: 80, targetPort: .string("web")),
                                       ServicePort(name: "admin", port: 9000)], selector: ["app": "web"])
        spec.ipFamilies = ["IPv4"]
        let service = Service(metadata: ObjectMeta(name: "web", namespace: "default"), spec: spec)
        let pods = [pod(3, ready: false), pod(2, ready: true), pod(1, ready: true), pod(4, ready: true, named: false)]
        let (subsets, truncated) = EndpointsSubsets.subsets(service: service, pods: pods)
        XCTAssertFalse(truncated)
        XCTAssertEqual(subsets.count, 2)
        let both = subsets.first { $0.ports?.count == 2 }
        XCTAssertEqual(both?.addresses?.map(\.ip), ["10.0.0.1", "10.0.0.2"])
        XCTAssertEqual(both?.notReadyAddresses?.map(\.ip), ["10.0.0.3"])
        XCTAssertEqual(both?.ports?.map(\.name), ["admin", "http"])
        XCTAssertEqual(subsets.first { $0.ports?.count == 1 }?.addresses?.map(\.ip), ["10.0.0.4"])

        let (cut, wasCut) = EndpointsSubsets.subsets(service: service, pods: Array(pods.prefix(3)), maxAddresses: 2)
        XCTAssertTrue(wasCut)
        XCTAssertEqual(cut.first?.addresses?.map(\.ip), ["10.0.0.1", "10.0.0.2"])
        XCTAssertNil(cut.first?.notReadyAddresses)
    }
}
