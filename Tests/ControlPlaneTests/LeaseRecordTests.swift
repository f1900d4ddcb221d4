@testable import ControlPlane
import KubeAPI
import XCTest

final class LeaseRecordTests: XCTestCase {
    func testAnotherHoldersLeaseCountsFromWhenWeSawItChange() {
        let record = LeaseRecord(LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, renewTime: "t1", leaseTransitions: 2))
        let seen = ContinuousClock.now
        XCTAssertTrue(record.heldByOther(than: "b", observedAt: seen, now: seen + .seconds(14)))
        XCTAssertFalse(record.heldByOther(than: "b", observedAt: seen, now: seen + .seconds(15)))
        XCTAssertFalse(record.heldByOther(than: "a", observedAt: seen, now: seen))
        XCTAssertFalse(LeaseRecord(LeaseSpec(leaseDurationSeconds: 15)).heldByOther(than: "b", observedAt: seen, now: seen))
    }

    func testTakingOverCountsATransitionAndRenewingDoesNot() {
        let held = LeaseRecord(LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "t0", renewTime: "t1", leaseTransitions: 2))
        let renewed = held.claimed(by: "a", duration: .seconds(15), now: "t2")
        XCTAssertEqual(renewed.leaseTransitions, 2)
        XCTAssertEqual(renewed.acquireTime, "t0")
        XCTAssertEqual(renewed.renewTime, "t2")
        let taken = held.claimed(by: "b", duration: .seconds(15), now: "t3")
        XCTAssertEqual(taken.holderIdentity, "b")
        XCTAssertEqual(taken.leaseTransitions, 3)
        XCTAssertEqual(taken.acquireTime, "t3")
        XCTAssertEqual(LeaseRecord(nil).claimed(by: "a", duration: .seconds(15), now: "t").leaseTransitions, 0)
    }
}
