@testable import ControlPlane
import KubeAPI
import XCTest

/// The rollout arithmetic of the Deployment controller, against upstream's rules.
final class DeploymentRolloutTests: XCTestCase {
    func deployment(_ replicas: Int32, surge: IntOrString? = .int(1), unavailable: IntOrString? = .int(1),
                    type: String = "RollingUpdate", statusReplicas: Int32? = nil) -> Deployment {
        let strategy = DeploymentStrategy(type: type, rollingUpdate: type == "RollingUpdate"
                                          ? RollingUpdateDeployment(maxUnavailable: unavailable, maxSurge: surge) : nil)
        var d = Deployment(metadata: ObjectMeta(name: "web", namespace: "default"),
                           spec: DeploymentSpec(replicas: replicas, strategy: strategy))
        d.metadata?.generation = 1
        d.status = DeploymentStatus(replicas: statusReplicas)
        return d
    }

    func rs(_ name: String, _ replicas: Int32, available: Int32? = nil, existing: Int32? = nil, created: String = "2026-01-01T00:00:00Z",
            revision: Int? = nil, maxReplicas: Int32? = nil) -> ReplicaSet {
        var meta = ObjectMeta(name: name, namespace: "default")
        meta.creationTimestamp = created
        var annotations: [String: String] = [:]
        if let revision { annotations[DeploymentAnnotations.revision] = String(revision) }
        if let maxReplicas { annotations[DeploymentAnnotations.maxReplicas] = String(maxReplicas) }
        meta.annotations = annotations.isEmpty ? nil : annotations
        return ReplicaSet(metadata: meta, spec: ReplicaSetSpec(replicas: replicas),
                          status: ReplicaSetStatus(replicas: existing ?? replicas, availableReplicas: available ?? replicas))
    }

    func testBoundsRoundSurgeUpAndUnavailabilityDown() {
        XCTAssertEqual(RolloutBounds(deployment(10, surge: .string("25%"), unavailable: .string("25%"))),
                       RolloutBounds(maxSurge: 3, maxUnavailable: 2))
        XCTAssertEqual(RolloutBounds(deployment(1, surge: .string("25%"), unavailable: .string("25%"))),
                       RolloutBounds(maxSurge: 1, maxUnavailable: 0))
        // Both zero would never progress: one may be unavailable.
        XCTAssertEqual(RolloutBounds(deployment(3, surge: .int(0), unavailable: .int(0))), RolloutBounds(maxSurge: 0, maxUnavailable: 1))
        XCTAssertEqual(RolloutBounds(deployment(2, surge: .int(0), unavailable: .int(5))), RolloutBounds(maxSurge: 0, maxUnavailable: 2))
        XCTAssertEqual(RolloutBounds(deployment(3, type: "Recreate")), RolloutBounds(maxSurge: 0, maxUnavailable: 0))
    }

    func testTheNewReplicaSetGrowsOnlyIntoTheSurgeRoom() {
        let d = deployment(4, surge: .int(2))
        XCTAssertEqual(ReplicaSetSizing.newReplicaSetSize(d, all: [rs("old", 4), rs("new", 0)], new: rs("new", 0)), 2)
        XCTAssertEqual(ReplicaSetSizing.newReplicaSetSize(d, all: [rs("old", 3), rs("new", 2)], new: rs("new", 2)), 3)
        XCTAssertEqual(ReplicaSetSizing.newReplicaSetSize(d, all: [rs("old", 0), rs("new", 3)], new: rs("new", 3)), 4)
        // Pods an old ReplicaSet was told to drop may still exist: no room until they go.
        XCTAssertEqual(ReplicaSetSizing.newReplicaSetSize(d, all: [rs("old", 2, existing: 4), rs("new", 2)], new: rs("new", 2)), 2)
        XCTAssertEqual(ReplicaSetSizing.newReplicaSetSize(deployment(4, type: "Recreate"), all: [rs("new", 0)], new: rs("new", 0)), 4)
    }

    func testOldReplicaSetsShrinkUnavailablePodsFirstThenDownToTheFloor() {
        let d = deployment(4, surge: .int(1), unavailable: .int(1))
        // 4 old available + 1 new not yet available: one old may go (4 available, floor 3).
        XCTAssertEqual(sizes(ReplicaSetSizing.oldReplicaSetSizes(d, old: [rs("old", 4)], new: rs("new", 1, available: 0))), ["old": 3])
        // 2 of the old ones are unavailable: they go first, within the room the new one leaves.
        XCTAssertEqual(sizes(ReplicaSetSizing.oldReplicaSetSizes(d, old: [rs("old", 4, available: 2)], new: rs("new", 1, available: 1))),
                       ["old": 2])
        // At the floor nothing more goes.
        XCTAssertEqual(sizes(ReplicaSetSizing.oldReplicaSetSizes(d, old: [rs("old", 3)], new: rs("new", 1, available: 0))), [:])
        // A stale status (3 available while told to keep 2) counts only the 2 that stay.
        XCTAssertEqual(sizes(ReplicaSetSizing.oldReplicaSetSizes(d, old: [rs("old", 2, available: 3)], new: rs("new", 2, available: 1))), [:])
        // Oldest first across several old ReplicaSets.
        XCTAssertEqual(sizes(ReplicaSetSizing.oldReplicaSetSizes(
            deployment(4, surge: .int(0), unavailable: .int(2)),
            old: [rs("b", 2, created: "2026-01-02T00:00:00Z"), rs("a", 2, created: "2026-01-01T00:00:00Z")], new: rs("new", 0))),
            ["a": 0])
    }

    func testAScaleMidRolloutIsSharedInProportion() {
        // 4 old + 2 new under desired 4 / surge 2 (ceiling 6); scaled to 8 (ceiling 10).
        let d = deployment(8, surge: .int(2), unavailable: .int(0))
        let old = rs("old", 4, created: "2026-01-01T00:00:00Z", maxReplicas: 6)
        let new = rs("new", 2, created: "2026-01-02T00:00:00Z", maxReplicas: 6)
        XCTAssertEqual(sizes(ReplicaSetSizing.scaledSizes(d, new: new, old: [old])), ["old": 7, "new": 3])
        // Down to zero empties both.
        XCTAssertEqual(sizes(ReplicaSetSizing.scaledSizes(deployment(0, surge: .int(2), unavailable: .int(0)), new: new, old: [old])),
                       ["old": 0, "new": 0])
        // A lone active ReplicaSet takes the whole count.
        XCTAssertEqual(sizes(ReplicaSetSizing.scaledSizes(d, new: rs("new", 3), old: [rs("old", 0)])), ["new": 8])
        // A saturated new ReplicaSet retires the old.
        var saturated = rs("new", 8, available: 8)
        saturated.metadata?.annotations = [DeploymentAnnotations.desiredReplicas: "8"]
        XCTAssertEqual(sizes(ReplicaSetSizing.scaledSizes(d, new: saturated, old: [rs("old", 1)])), ["old": 0])
    }

    func testHistoryBeyondTheLimitGoesLowestRevisionFirstAndOnlyWhenEmpty() {
        var d = deployment(1)
        d.spec?.revisionHistoryLimit = 1
        var busy = rs("r1", 0, revision: 1)
        busy.status?.replicas = 1
        let old = [rs("r3", 0, revision: 3), busy, rs("r2", 0, revision: 2)]
        XCTAssertEqual(ReplicaSetSizing.surplusHistory(d, old: old).map(\.name), ["r2"])
    }

    func testTheTemplateHashIsStableIgnoresItsOwnLabelAndMovesWithCollisions() {
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]),
                                       spec: PodSpec(containers: [Container(name: "c", image: "busybox")]))
        let hash = PodTemplateHash.compute(template, collisionCount: nil)
        XCTAssertEqual(hash, PodTemplateHash.compute(template, collisionCount: nil))
        XCTAssertTrue(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        XCTAssertNotEqual(hash, PodTemplateHash.compute(template, collisionCount: 1))
        var labelled = template
        labelled.metadata?.labels?[PodTemplateHash.label] = hash
        XCTAssertTrue(PodTemplateHash.equalIgnoringHash(template, labelled))
        var changed = template
        changed.spec?.containers?[0].image = "busybox:2"
        XCTAssertFalse(PodTemplateHash.equalIgnoringHash(template, changed))
        XCTAssertNotEqual(hash, PodTemplateHash.compute(changed, collisionCount: nil))
    }

    func testProgressingConditionCompletesMovesAndTimesOut() {
        var d = deployment(2)
        d.spec?.progressDeadlineSeconds = 60
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let stamp = ObjectMetaRules.timestamp(start)
        d.status = DeploymentStatus(replicas: 2, updatedReplicas: 2)
        d.status?.conditions = [DeploymentCondition(type: "Progressing", status: "True", lastUpdateTime: stamp,
                                                    lastTransitionTime: stamp, reason: "NewReplicaSetCreated")]
        let new = rs("web-abc", 2, available: 0)
        let status = DeploymentProgress.status(of: d, all: [new], new: new, now: stamp)
        // Nothing moved and the deadline has passed.
        var late = status
        DeploymentProgress.updateProgressing(&late, d, new: new, now: start.addingTimeInterval(61))
        let cond = DeploymentProgress.condition(in: late, "Progressing")
        XCTAssertEqual(cond?.reason, "ProgressDeadlineExceeded")
        XCTAssertEqual(cond?.message, "ReplicaSet \"web-abc\" has timed out progressing.")
        // Before it, still waiting.
        var early = status
        DeploymentProgress.updateProgressing(&early, d, new: new, now: start.addingTimeInterval(30))
        XCTAssertEqual(DeploymentProgress.condition(in: early, "Progressing")?.reason, "NewReplicaSetCreated")
        XCTAssertEqual(DeploymentProgress.deadline(d, early), start.addingTimeInterval(60))
        // All available: complete.
        let done = rs("web-abc", 2)
        var complete = DeploymentProgress.status(of: d, all: [done], new: done, now: stamp)
        DeploymentProgress.updateProgressing(&complete, d, new: done, now: start.addingTimeInterval(61))
        XCTAssertEqual(DeploymentProgress.condition(in: complete, "Progressing")?.reason, "NewReplicaSetAvailable")
        XCTAssertEqual(DeploymentProgress.condition(in: complete, "Available")?.status, "True")
    }

    private func sizes(_ list: [(ReplicaSet, Int32)]) -> [String: Int32] {
        Dictionary(uniqueKeysWithValues: list.map { ($0.0.name, $0.1) })
    }
}
