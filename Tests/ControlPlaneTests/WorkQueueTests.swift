@testable import ControlPlane
import XCTest

final class WorkQueueTests: XCTestCase {
    func testDuplicatesCollapseAndAKeyChangedWhileHeldComesBackAfterDone() async {
        let q = WorkQueue<String>()
        await q.add("a")
        await q.add("b")
        await q.add("a")
        let count = await q.count
        XCTAssertEqual(count, 2)
        let first = await q.next()
        XCTAssertEqual(first, "a")
        await q.add("a")                      // changed while a worker holds it: not handed out twice
        let second = await q.next()
        XCTAssertEqual(second, "b")
        let empty = await q.count
        XCTAssertEqual(empty, 0)
        await q.done("a")                     // now it comes back
        let again = await q.next()
        XCTAssertEqual(again, "a")
    }

    func testRetriesBackOffAndShutDownWakesWorkers() async {
        let q = WorkQueue<String>(baseDelay: .milliseconds(1), maxDelay: .milliseconds(50))
        await q.retry("x")
        let retried = await q.next()
        XCTAssertEqual(retried, "x")
        let failures = await q.failureCount("x")
        XCTAssertEqual(failures, 1)
        await q.forget("x")
        let reset = await q.failureCount("x")
        XCTAssertEqual(reset, 0)
        async let waiting = q.next()
        try? await Task.sleep(for: .milliseconds(20))
        await q.shutDown()
        let none = await waiting
        XCTAssertNil(none)
    }
}
