@testable import ControlPlane
import KubeAPI
import XCTest

final class PodDeletionRankTests: XCTestCase {
    func pod(_ name: String, node: String? = "n1", phase: String = "Running", readySince: String? = nil,
             restarts: Int32 = 0, created: String = "2026-01-01T00:00:00Z") -> Pod {
        var meta = ObjectMeta(name: name)
        meta.creationTimestamp = created
        var spec = PodSpec(containers: [Container(name: "c")])
        spec.nodeName = node
        var status = PodStatus(phase: phase)
        if let readySince { status.conditions = [PodCondition(type: "Ready", status: "True", lastTransitionTime: readySince)] }
        status.containerStatuses = [ContainerStatus(name: "c", restartCount: restarts)]
        return Pod(metadata: meta, spec: spec, status: status)
    }

    func testLeastUsefulPodsGoFirst() {
        let pods = [
            pod("old-ready", readySince: "2026-01-01T00:00:00Z"),
            pod("new-ready", readySince: "2026-01-02T00:00:00Z"),
            pod("not-ready"),
            pod("unscheduled", node: nil, phase: "Pending"),
            pod("pending", phase: "Pending"),
            pod("crashy", restarts: 5),
            pod("newer", created: "2026-01-03T00:00:00Z"),
        ]
        XCTAssertEqual(pods.sorted(by: PodDeletionRank.deleteFirst).map { $0.metadata!.name! },
                       ["unscheduled", "pending", "crashy", "newer", "not-ready", "new-ready", "old-ready"])
    }
}
