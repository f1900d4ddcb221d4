@testable import ControlPlane
import KubeAPI
import XCTest

final class NodeLifecycleTests: XCTestCase {
    func node(ready: String?, unschedulable: Bool = false, taints: [Taint] = [], pressure: [String] = []) -> Node {
        var conditions = pressure.map { NodeCondition(type: $0, status: "True") }
        if let ready { conditions.append(NodeCondition(type: "Ready", status: ready)) }
        var spec = NodeSpec(taints: taints.isEmpty ? nil : taints)
        spec.unschedulable = unschedulable
        return Node(metadata: ObjectMeta(name: "n1"), spec: spec, status: NodeStatus(conditions: conditions))
    }

    func keys(_ taints: [Taint]) -> [String] { taints.map { "\($0.key ?? ""):\($0.effect ?? "")" } }

    func testConditionTaintsFollowReadinessPressureAndCordoning() {
        let now = "2026-11-23T00:00:00Z"
        XCTAssertEqual(keys(NodeConditionTaints.reconcile(node(ready: "True"), now: now)), [])
        let unknown = NodeConditionTaints.reconcile(node(ready: "Unknown"), now: now)
        XCTAssertEqual(keys(unknown), ["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"])
        XCTAssertEqual(unknown[0].timeAdded, now)
        XCTAssertNil(unknown[1].timeAdded)
        // Unknown → False swaps the taints; a user's own taint is kept.
        let user = Taint(key: "dedicated", value: "gpu", effect: "NoSchedule")
        XCTAssertEqual(keys(NodeConditionTaints.reconcile(node(ready: "False", taints: unknown + [user]), now: now)),
                       ["dedicated:NoSchedule", "node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/not-ready:NoSchedule"])
        // A taint that stays keeps its time.
        let old = Taint(key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: "2026-01-01T00:00:00Z")
        XCTAssertEqual(NodeConditionTaints.reconcile(node(ready: "Unknown", taints: [old]), now: now).first?.timeAdded, old.timeAdded)
        XCTAssertEqual(keys(NodeConditionTaints.reconcile(node(ready: "True", unschedulable: true, pressure: ["DiskPressure"]), now: now)),
                       ["node.kubernetes.io/disk-pressure:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"])
    }

    func testEvictionHonoursTheShortestTolerationUsed() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let added = ObjectMetaRules.timestamp(now.addingTimeInterval(-10))
        let unreachable = Taint(key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: added)
        let tolerate = { (seconds: Int64?) in
            Toleration(key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds)
        }
        XCTAssertEqual(TaintEviction(tolerations: [], taints: [unreachable], now: now), .now)
        XCTAssertEqual(TaintEviction(tolerations: [tolerate(nil)], taints: [unreachable], now: now), .stay)
        XCTAssertEqual(TaintEviction(tolerations: [tolerate(300)], taints: [unreachable], now: now), .at(now.addingTimeInterval(290)))
        XCTAssertEqual(TaintEviction(tolerations: [tolerate(300), tolerate(5)], taints: [unreachable], now: now), .now)
        XCTAssertEqual(TaintEviction(tolerations: [Toleration(operator: "Exists")], taints: [unreachable], now: now), .stay)
        // NoSchedule taints never evict.
        XCTAssertEqual(TaintEviction(tolerations: [], taints: [Taint(key: "x", effect: "NoSchedule")], now: now), .stay)
    }

    func testHeartbeatsRestartTheGracePeriodOnlyWhenTheyMove() {
        var beats = NodeHeartbeats()
        let t0 = ContinuousClock.now
        let lease = { (renew: String) in Lease(metadata: ObjectMeta(name: "n1"), spec: LeaseSpec(renewTime: renew)) }
        XCTAssertEqual(beats.observe("n1", node: nil, lease: lease("a"), at: t0), t0)
        XCTAssertEqual(beats.observe("n1", node: nil, lease: lease("a"), at: t0 + .seconds(30)), t0)
        XCTAssertEqual(beats.observe("n1", node: nil, lease: lease("b"), at: t0 + .seconds(40)), t0 + .seconds(40))
        beats.forget("n1")
        XCTAssertEqual(beats.observe("n1", node: nil, lease: lease("b"), at: t0 + .seconds(50)), t0 + .seconds(50))
    }
}
