@testable import ControlPlane
import KubeAPI
import XCTest

final class SchedulingAlgorithmTests: XCTestCase {
    func node(_ name: String, cpu: String = "4", memory: String = "8Gi", pods: String = "110", labels: [String: String] = [:],
              taints: [Taint]? = nil, ready: String = "True") -> Node {
        var n = Node(metadata: ObjectMeta(name: name, labels: labels))
        n.spec = NodeSpec(taints: taints)
        n.status = NodeStatus(allocatable: ["cpu": Quantity(cpu), "memory": Quantity(memory), "pods": Quantity(pods)],
                              conditions: [NodeCondition(type: "Ready", status: ready)])
        return n
    }

    func pod(cpu: String? = nil, owner: String? = nil, tolerations: [Toleration]? = nil) -> PodRequirements {
        var container = Container(name: "c")
        if let cpu { container.resources = ResourceRequirements(requests: ["cpu": Quantity(cpu)]) }
        var meta = ObjectMeta(name: "p")
        if let owner { meta.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: owner, controller: true)] }
        var spec = PodSpec(containers: [container])
        spec.tolerations = tolerations
        return PodRequirements(Pod(metadata: meta, spec: spec))
    }

    func testQuantities() {
        XCTAssertEqual(Quantity("100m").milliValue, 100)
        XCTAssertEqual(Quantity("0.5").milliValue, 500)
        XCTAssertEqual(Quantity("2").milliValue, 2000)
        XCTAssertEqual(Quantity("64Mi").value, 67_108_864)
        XCTAssertEqual(Quantity("1G").value, 1_000_000_000)
        XCTAssertEqual(Quantity("1.5Gi").value, 1_610_612_736)
        XCTAssertEqual(Quantity("1e3").value, 1000)
        XCTAssertEqual(Quantity("0.1m").milliValue, 1)          // rounded up
        XCTAssertNil(Quantity("abc").value)
        XCTAssertNil(Quantity("1Qi").value)
        XCTAssertNil(Quantity("99999999999Ei").value)          // does not fit
    }

    func testLeastAllocatedWinsAndAssumedPodsCount() {
        var a = SchedulingAlgorithm()
        a.upsert(node("busy"))
        a.upsert(node("idle"))
        a.place("default/x", on: "busy", pod(cpu: "3"))
        XCTAssertEqual(try a.schedule(pod(cpu: "500m")).get(), "idle")
        // Assumed placements count at once: four 1-CPU Pods on 4+1 free CPUs fill idle then busy.
        var placed: [String] = []
        for i in 0..<5 {
            let p = pod(cpu: "1")
            let node = try? a.schedule(p).get()
            if let node { a.place("default/p\(i)", on: node, p, assumed: true); placed.append(node) }
        }
        XCTAssertEqual(placed.filter { $0 == "idle" }.count, 4)
        XCTAssertEqual(placed.filter { $0 == "busy" }.count, 1)
        guard case .failure(let error) = a.schedule(pod(cpu: "1")) else { return XCTFail("nothing left") }
        XCTAssertEqual(error.description, "0/2 nodes are available: 2 Insufficient cpu.")
        a.unplace("default/p0")
        XCTAssertNotNil(try? a.schedule(pod(cpu: "1")).get())
    }

    func testTaintsTolerationsAndReadiness() {
        var a = SchedulingAlgorithm()
        a.upsert(node("gpu", taints: [Taint(key: "gpu", value: "yes", effect: "NoSchedule")]))
        a.upsert(node("down", ready: "Unknown"))
        guard case .failure(let error) = a.schedule(pod()) else { return XCTFail("no node") }
        XCTAssertEqual(error.description, "0/2 nodes are available: 1 node(s) had untolerated taint {gpu: yes}, "
                       + "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.")
        let tolerant = pod(tolerations: [Toleration(key: "gpu", operator: "Exists")])
        XCTAssertEqual(try a.schedule(tolerant).get(), "gpu")
    }

    func testPodsOfOneOwnerSpread() {
        var a = SchedulingAlgorithm()
        for n in ["a", "b", "c"] { a.upsert(node(n)) }
        var counts: [String: Int] = [:]
        for i in 0..<9 {
            let p = pod(owner: "rs-1")
            let n = try! a.schedule(p).get()
            a.place("default/r\(i)", on: n, p, assumed: true)
            counts[n, default: 0] += 1
        }
        XCTAssertEqual(counts, ["a": 3, "b": 3, "c": 3])
    }

    func testLargeClustersLookAtAShareOfNodes() {
        XCTAssertEqual(SchedulingAlgorithm.feasibleNodesToFind(50), 50)
        XCTAssertEqual(SchedulingAlgorithm.feasibleNodesToFind(1000), 420)    // 42%
        XCTAssertEqual(SchedulingAlgorithm.feasibleNodesToFind(5000), 500)    // 10%
        XCTAssertEqual(SchedulingAlgorithm.feasibleNodesToFind(100_000), 5000) // 5% floor
    }
}
