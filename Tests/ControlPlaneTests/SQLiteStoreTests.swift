import Foundation
import KubeAPI
import XCTest

@testable import ControlPlane

final class SQLiteStoreTests: XCTestCase {
    var directory: String!

    override func setUp() {
        directory = NSTemporaryDirectory() + "skiff-store-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func open(history: Int = 8192) throws -> SQLiteStore {
        try SQLiteStore(path: "\(directory!)/state.db", historyCapacity: history)
    }

    func value(_ text: String) -> ValueForRevision {
        { revision in Array("\(text)@\(revision)".utf8) }
    }

    func text(_ object: StoredObject?) -> String? {
        object.map { String(decoding: $0.value, as: UTF8.self) }
    }

    func testCreateUpdateDeleteWithCompareAndSwap() async throws {
        let store = try open()
        let a = try await store.create("/pods/ns/a", value: value("a1"))
        XCTAssertEqual(a.revision, 1)
        await XCTAssertThrowsErrorAsync(try await store.create("/pods/ns/a", value: self.value("again"))) {
            XCTAssertEqual($0 as? StoreError, .alreadyExists(key: "/pods/ns/a"))
        }
        let a2 = try await store.update("/pods/ns/a", expectedRevision: 1, value: value("a2"))
        XCTAssertEqual(a2.revision, 2)
        await XCTAssertThrowsErrorAsync(try await store.update("/pods/ns/a", expectedRevision: 1, value: self.value("stale"))) {
            XCTAssertEqual($0 as? StoreError, .conflict(key: "/pods/ns/a", expected: 1, actual: 2))
        }
        let fetched = try await store.get("/pods/ns/a")
        XCTAssertEqual(text(fetched), "a2@2")
        _ = try await store.delete("/pods/ns/a", expectedRevision: 2, value: value("gone"))
        let gone = try await store.get("/pods/ns/a")
        XCTAssertNil(gone)
        let revision = try await store.currentRevision()
        XCTAssertEqual(revision, 3)
    }

    func testListByPrefixPaginatesAndDoesNotLeakNeighbours() async throws {
        let store = try open()
        for name in ["a", "b", "c", "d"] { _ = try await store.create("/pods/ns/\(name)", value: value(name)) }
        _ = try await store.create("/pods/ns-other/x", value: value("x"))
        _ = try await store.create("/pods/ns0/y", value: value("y"))
        var page = try await store.list(prefix: "/pods/ns/", startAfter: nil, limit: 3, revision: nil)
        XCTAssertEqual(page.items.map(\.key), ["/pods/ns/a", "/pods/ns/b", "/pods/ns/c"])
        XCTAssertEqual(page.nextKey, "/pods/ns/c")
        XCTAssertEqual(page.remaining, 1)
        // Writes after the first page do not show in the continuation: it reads at the first page's revision.
        _ = try await store.create("/pods/ns/e", value: value("e"))
        _ = try await store.update("/pods/ns/d", expectedRevision: 4, value: value("d-new"))
        page = try await store.list(prefix: "/pods/ns/", startAfter: "/pods/ns/c", limit: 3, revision: page.revision)
        XCTAssertEqual(page.items.map(\.key), ["/pods/ns/d"])
        XCTAssertEqual(page.items.first.map { String(decoding: $0.value, as: UTF8.self) }, "d@4")
        let all = try await store.list(prefix: "/pods/", startAfter: nil, limit: 0, revision: nil)
        XCTAssertEqual(all.items.count, 7)
    }

    func testPagesAtAnOldRevisionSeeItsStateWhateverWasWrittenSince() async throws {
        let store = try open()
        let names = (0..<20).map { String(format: "k%02d", $0) }
        var revisions: [String: Int64] = [:]
        for name in names { revisions[name] = try await store.create("/pods/ns/\(name)", value: value(name)).revision }
        let snapshot = try await store.currentRevision()
        // Writes after the snapshot: updates, deletes and new keys among the old ones.
        for name in ["k01", "k02", "k07", "k13", "k19"] {
            revisions[name] = try await store.update("/pods/ns/\(name)", expectedRevision: revisions[name]!, value: value("new")).revision
        }
        for name in ["k03", "k08", "k14"] { _ = try await store.delete("/pods/ns/\(name)", expectedRevision: revisions[name]!, value: value("gone")) }
        for name in ["k015", "k05a", "k99"] { _ = try await store.create("/pods/ns/\(name)", value: value("late")) }
        var seen: [String] = []
        var after: String?
        repeat {
            let page = try await store.list(prefix: "/pods/ns/", startAfter: after, limit: 3, revision: snapshot)
            XCTAssertLessThanOrEqual(page.items.count, 3)
            seen += page.items.map { String(decoding: $0.value, as: UTF8.self) }
            after = page.nextKey
        } while after != nil
        XCTAssertEqual(seen, names.map { "\($0)@\(Int(String($0.dropFirst()))! + 1)" })
    }

    func testWatchReplaysFromRevisionThenFollowsLive() async throws {
        let store = try open()
        _ = try await store.create("/cm/ns/a", value: value("a"))
        _ = try await store.create("/pods/ns/skip", value: value("skip"))
        let stream = try await store.watch(prefix: "/cm/", afterRevision: 0)
        var iterator = stream.makeAsyncIterator()
        let first = try await iterator.next()
        XCTAssertEqual(first?.kind, .added)
        XCTAssertEqual(first?.object.key, "/cm/ns/a")
        _ = try await store.update("/cm/ns/a", expectedRevision: 1, value: value("a2"))
        _ = try await store.delete("/cm/ns/a", expectedRevision: 3, value: value("a-final"))
        let second = try await iterator.next()
        let third = try await iterator.next()
        XCTAssertEqual(second?.kind, .modified)
        XCTAssertEqual(second?.object.revision, 3)
        XCTAssertEqual(third?.kind, .deleted)
        XCTAssertEqual(third.map { String(decoding: $0.object.value, as: UTF8.self) }, "a-final@4")
    }

    func testWatchOlderThanTheRingReadsTheLog() async throws {
        let store = try open(history: 4)
        for i in 0..<20 { _ = try await store.create("/cm/ns/\(i)", value: value("v\(i)")) }
        let stream = try await store.watch(prefix: "/cm/", afterRevision: 2)
        var seen: [Int64] = []
        for try await event in stream {
            seen.append(event.object.revision)
            if seen.count == 18 { break }
        }
        XCTAssertEqual(seen, Array(3...20))
    }

    func testEventsCarryThePreviousVersionLiveAndReplayed() async throws {
        let store = try open(history: 2)
        _ = try await store.create("/cm/ns/a", value: value("v1"))
        _ = try await store.update("/cm/ns/a", expectedRevision: 1, value: value("v2"))
        for i in 0..<5 { _ = try await store.create("/other/ns/\(i)", value: value("x")) }  // push it out of the ring
        let replayed = try await store.watch(prefix: "/cm/", afterRevision: 0)
        var iterator = replayed.makeAsyncIterator()
        let created = try await iterator.next()
        let modified = try await iterator.next()
        XCTAssertNil(created?.previous)
        XCTAssertEqual(modified.map { String(decoding: $0.previous!.value, as: UTF8.self) }, "v1@1")

        let live = try await store.watch(prefix: "/cm/", afterRevision: 7)
        var liveIterator = live.makeAsyncIterator()
        _ = try await store.delete("/cm/ns/a", expectedRevision: 2, value: value("gone"))
        let deleted = try await liveIterator.next()
        XCTAssertEqual(deleted?.kind, .deleted)
        XCTAssertEqual(deleted.map { String(decoding: $0.previous!.value, as: UTF8.self) }, "v2@2")
    }

    func testResumingFarBackDeliversEveryEventAndNeverBlocksWriters() async throws {
        let store = try open(history: 64)
        for i in 0..<60_000 { _ = try await store.create("/cm/ns/\(i)", value: value("v")) }
        let stream = try await store.watch(prefix: "/cm/", afterRevision: 0)
        // A watcher that has not read anything yet must not hold up a write.
        _ = try await store.create("/cm/ns/after", value: value("a"))
        var expected: Int64 = 1
        for try await event in stream {
            XCTAssertEqual(event.object.revision, expected)
            if expected == 60_001 { break }
            expected += 1
        }
        XCTAssertEqual(expected, 60_001)
    }

    func testListThenWatchNeverRepeatsTheListedRevision() async throws {
        let store = try open()
        for round in 0..<300 {
            let write = value("w")
            let writer = Task.detached { try await store.create("/cm/ns/r\(round)", value: write) }
            let page = try await store.list(prefix: "/cm/", startAfter: nil, limit: 0, revision: nil)
            let stream = try await store.watch(prefix: "/cm/", afterRevision: page.revision)
            _ = try await writer.value
            _ = try await store.create("/cm/ns/m\(round)", value: value("m"))
            for try await event in stream {
                XCTAssertGreaterThan(event.object.revision, page.revision)
                if event.object.key.hasSuffix("/m\(round)") { break }
            }
        }
    }

    func testAQuietWatchReportsProgressWithTheStore() async throws {
        let store = try open()
        _ = try await store.create("/a/ns/x", value: value("x"))
        let watch = try await store.watch(prefix: "/a/", afterRevision: 1)
        for i in 0..<5 { _ = try await store.create("/b/ns/\(i)", value: value("y")) }
        XCTAssertEqual(watch.progress(), WatchProgress(delivered: 1, caughtUpTo: 6))
        _ = try await store.create("/a/ns/y", value: value("z"))
        XCTAssertNil(watch.progress().caughtUpTo)  // an event is waiting to be read
        var iterator = watch.makeAsyncIterator()
        let event = try await iterator.next()
        XCTAssertEqual(event?.object.revision, 7)
        XCTAssertEqual(watch.progress(), WatchProgress(delivered: 7, caughtUpTo: 7))
    }

    func testCompactionExpiresOldRevisionsButKeepsLiveState() async throws {
        let store = try open(history: 2)
        _ = try await store.create("/cm/ns/a", value: value("a"))
        _ = try await store.update("/cm/ns/a", expectedRevision: 1, value: value("a2"))
        _ = try await store.create("/cm/ns/b", value: value("b"))
        _ = try await store.delete("/cm/ns/b", expectedRevision: 3, value: value("b-gone"))
        _ = try await store.create("/cm/ns/c", value: value("c"))
        try await store.compact(to: 4)
        await XCTAssertThrowsErrorAsync(try await store.watch(prefix: "/cm/", afterRevision: 1)) {
            XCTAssertEqual($0 as? StoreError, .expired(requested: 1, compacted: 4))
        }
        await XCTAssertThrowsErrorAsync(try await store.list(prefix: "/cm/", startAfter: nil, limit: 1, revision: 2)) {
            XCTAssertEqual($0 as? StoreError, .expired(requested: 2, compacted: 4))
        }
        let page = try await store.list(prefix: "/cm/", startAfter: nil, limit: 0, revision: 4)
        XCTAssertEqual(page.items.map(\.key), ["/cm/ns/a"])
        let current = try await store.list(prefix: "/cm/", startAfter: nil, limit: 0, revision: nil)
        XCTAssertEqual(current.items.map { String(decoding: $0.value, as: UTF8.self) }, ["a2@2", "c@5"])
    }

    func testRevisionsAndStateSurviveReopen() async throws {
        do {
            let store = try open()
            for i in 0..<10 { _ = try await store.create("/cm/ns/\(i)", value: value("v")) }
            try await store.compact(to: 5)
        }
        let store = try open()
        let revision = try await store.currentRevision()
        XCTAssertEqual(revision, 10)
        XCTAssertEqual(store.compacted, 5)
        let next = try await store.create("/cm/ns/new", value: value("n"))
        XCTAssertEqual(next.revision, 11)
        let stream = try await store.watch(prefix: "/cm/", afterRevision: 8)
        var revisions: [Int64] = []
        for try await event in stream {
            revisions.append(event.object.revision)
            if revisions.count == 3 { break }
        }
        XCTAssertEqual(revisions, [9, 10, 11])
    }
}

func XCTAssertThrowsErrorAsync<T>(_ expression: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line,
                                  _ handler: (Error) -> Void = { _ in }) async {
    do {
        _ = try await expression()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        handler(error)
    }
}

final class EventExpiryTests: XCTestCase {
    func testOldEventsGoAndRecentOnesStay() async throws {
        let directory = NSTemporaryDirectory() + "skiff-events-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: "\(directory)/state.db")
        func event(_ name: String, created: String, last: String?) -> ValueForRevision {
            var e: JSONValue = ["kind": "Event", "metadata": ["name": .string(name), "namespace": "default",
                                                              "creationTimestamp": .string(created)]]
            if let last { e["lastTimestamp"] = .string(last) }
            return e.stampedWithRevision()
        }
        _ = try await store.create("/events/default/old", value: event("old", created: "2026-01-01T00:00:00Z", last: nil))
        _ = try await store.create("/events/default/repeated", value: event("repeated", created: "2026-01-01T00:00:00Z",
                                                                            last: "2026-01-01T11:30:00Z"))
        _ = try await store.create("/events/default/new", value: event("new", created: "2026-01-01T11:50:00Z", last: nil))
        _ = try await store.create("/configmaps/default/old", value: event("cm", created: "2020-01-01T00:00:00Z", last: nil))
        let now = ObjectMetaRules.parseTimestamp("2026-01-01T12:00:00Z")!
        let removed = try await EventExpiry(store: store, ttl: .seconds(3600)).sweep(now: now)
        XCTAssertEqual(removed, 1)
        let left = try await store.list(prefix: "/", startAfter: nil, limit: 0, revision: nil).items.map(\.key)
        XCTAssertEqual(left, ["/configmaps/default/old", "/events/default/new", "/events/default/repeated"])
    }
}
