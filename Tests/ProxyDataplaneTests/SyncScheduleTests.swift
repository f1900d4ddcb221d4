import Foundation
import XCTest
@testable import ProxyDataplane

final class SyncScheduleTests: XCTestCase {
    private let t0 = ContinuousClock.now

    private func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int64(seconds * 1000)) }

    func testFirstSyncIsFullAndImmediate() {
        let s = SyncSchedule(minSyncPeriod: .seconds(1), syncPeriod: .seconds(30))
        XCTAssertEqual(s.decide(now: at(0)), .sync(full: true))
    }

    func testChangesAreCoalescedToOneSyncPerMinSyncPeriod() {
        var s = SyncSchedule(minSyncPeriod: .seconds(1), syncPeriod: .seconds(30))
        s.syncStarted(at: at(0))
        s.syncSucceeded(full: true)
        XCTAssertEqual(s.decide(now: at(0.1)), .wait(until: at(30)), "nothing pending: only the periodic resync")
        for i in 1...100 { s.changeQueued(at: at(0.1 + Double(i) / 1000)) }
        XCTAssertEqual(s.decide(now: at(0.2)), .wait(until: at(1)), "a burst waits for min-sync-period")
        XCTAssertEqual(s.decide(now: at(1)), .sync(full: false))
        s.syncStarted(at: at(1))
        s.syncSucceeded(full: false)
        XCTAssertEqual(s.decide(now: at(1.5)), .wait(until: at(31)))
        s.changeQueued(at: at(5))
        XCTAssertEqual(s.decide(now: at(5)), .sync(full: false), "a change after a quiet period syncs at once")
    }

    func testPeriodicResyncIsFull() {
        var s = SyncSchedule(minSyncPeriod: .seconds(1), syncPeriod: .seconds(30))
        s.syncStarted(at: at(0))
        s.syncSucceeded(full: true)
        XCTAssertEqual(s.decide(now: at(30)), .sync(full: true))
    }

    func testFailureRetriesFullWithBackoff() {
        var s = SyncSchedule(minSyncPeriod: .milliseconds(100), syncPeriod: .seconds(30))
        s.syncStarted(at: at(0))
        s.syncSucceeded(full: true)
        s.changeQueued(at: at(2))
        s.syncStarted(at: at(2))
        s.syncFailed(at: at(2))
        XCTAssertEqual(s.decide(now: at(2.5)), .wait(until: at(3)), "first retry after a second")
        XCTAssertEqual(s.decide(now: at(3)), .sync(full: true))
        s.syncStarted(at: at(3))
        s.syncFailed(at: at(3))
        XCTAssertEqual(s.decide(now: at(3)), .wait(until: at(5)), "then two")
        s.syncStarted(at: at(5))
        s.syncFailed(at: at(5))
        XCTAssertEqual(s.decide(now: at(5)), .wait(until: at(9)), "then four")
        for i in 0..<10 {
            s.syncStarted(at: at(100 + Double(i)))
            s.syncFailed(at: at(100 + Double(i)))
        }
        XCTAssertEqual(s.decide(now: at(109)), .wait(until: at(139)), "capped at the sync period")
        s.syncStarted(at: at(139))
        s.syncSucceeded(full: true)
        XCTAssertEqual(s.consecutiveFailures, 0)
        XCTAssertEqual(s.decide(now: at(140)), .wait(until: at(169)))
    }

    func testHealthFailsWhenAChangeWaitsLongerThanTheTimeout() {
        var h = ProxyHealth(healthTimeout: .seconds(60))
        let start = ContinuousClock.now
        h.queued(at: start)
        XCTAssertTrue(h.isHealthy(now: start + .seconds(59)))
        XCTAssertFalse(h.isHealthy(now: start + .seconds(61)), "the first sync never came")
        h.updated(at: Date(), stillPending: nil)
        XCTAssertTrue(h.isHealthy(now: start + .seconds(500)), "nothing pending stays healthy")
        h.queued(at: start + .seconds(500))
        h.queued(at: start + .seconds(550))
        XCTAssertFalse(h.isLive(now: start + .seconds(561)), "the oldest pending change counts")
        h.updated(at: Date(), stillPending: start + .seconds(550))
        XCTAssertTrue(h.isLive(now: start + .seconds(600)))
        XCTAssertFalse(h.isLive(now: start + .seconds(611)))
        h.nodeEligible = false
        h.updated(at: Date(), stillPending: nil)
        XCTAssertTrue(h.isLive(now: start + .seconds(700)))
        XCTAssertFalse(h.isHealthy(now: start + .seconds(700)), "a node being deleted fails /healthz, not /livez")
        let json = h.json(now: start, wallClock: Date(), includeNodeEligible: true)
        XCTAssertTrue(json.contains("\"nodeEligible\": false"), json)
        XCTAssertTrue(json.hasPrefix("{\"lastUpdated\": \""), json)
    }
}

final class SyncScheduleChurnTests: XCTestCase {
    func testSteadyChangesDoNotPostponeTheFullResync() {
        let t0 = ContinuousClock.now
        var s = SyncSchedule(minSyncPeriod: .seconds(1), syncPeriod: .seconds(30))
        s.syncStarted(at: t0)
        s.syncSucceeded(full: true)
        var fulls = 0
        for second in 1...65 {
            let now = t0 + .seconds(second)
            s.changeQueued(at: now)
            guard case .sync(let full) = s.decide(now: now) else { continue }
            if full { fulls += 1 }
            s.syncStarted(at: now)
            s.syncSucceeded(full: full)
        }
        XCTAssertEqual(fulls, 2, "one full resync per sync period even with a change every second")
    }
}
