@testable import NodeAgent
import KubeAPI
import XCTest

final class PodAdmissionTests: XCTestCase {
    func pod(cpu: String? = nil, memory: String? = nil, initCPU: String? = nil) -> Pod {
        var c = Container(name: "c")
        var requests: [String: Quantity] = [:]
        if let cpu { requests["cpu"] = Quantity(cpu) }
        if let memory { requests["memory"] = Quantity(memory) }
        c.resources = ResourceRequirements(requests: requests)
        var spec = PodSpec(containers: [c])
        if let initCPU {
            var i = Container(name: "i")
            i.resources = ResourceRequirements(requests: ["cpu": Quantity(initCPU)])
            spec.initContainers = [i]
        }
        return Pod(metadata: ObjectMeta(name: "p", namespace: "default"), spec: spec)
    }

    func testPodsThatDoNotFitAreRejectedWithTheKubeletsReasons() {
        let admission = PodAdmission(allocatable: ["cpu": "2", "memory": "1Gi", "pods": "3"])
        XCTAssertNil(admission.check(pod(cpu: "1500m"), admitted: [pod(cpu: "500m")]))
        XCTAssertEqual(admission.check(pod(cpu: "1"), admitted: [pod(cpu: "1500m")]),
                       .init(reason: "OutOfcpu", message: "Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000"))
        XCTAssertEqual(admission.check(pod(memory: "1Gi"), admitted: [pod(memory: "1Mi")])?.reason, "OutOfmemory")
        XCTAssertEqual(admission.check(pod(), admitted: [pod(), pod(), pod()]),
                       .init(reason: "OutOfpods", message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3"))
        // Init containers run before the others: the largest one counts, not their sum with the app.
        XCTAssertNil(admission.check(pod(cpu: "1", initCPU: "2"), admitted: []))
        XCTAssertEqual(admission.check(pod(cpu: "1", initCPU: "3"), admitted: [])?.reason, "OutOfcpu")
        // A Pod that asks for nothing always fits what is left.
        XCTAssertNil(admission.check(pod(), admitted: [pod(cpu: "2", memory: "1Gi")]))
    }
}
