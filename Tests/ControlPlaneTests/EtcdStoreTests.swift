import Foundation
import KubeAPI
import SkiffTestSupport
import Netlink
import XCTest

@testable import ControlPlane

/// The etcd store against a real etcd (Debian's etcd-server) on loopback.
final class EtcdStoreTests: XCTestCase {
    var cluster: EtcdCluster!
    var stores: [EtcdStore] = []

    override func setUpWithError() throws {
        cluster = try EtcdCluster(members: 1)
    }

    override func tearDown() async throws {
        for store in stores { try? await store.shutdown() }
        stores = []
        cluster?.stop()
    }

    func open(_ endpoints: [String]? = nil, watchCache: Bool = true, history: Int = 8192) throws -> EtcdStore {
        let store = try EtcdStore(endpoints: endpoints ?? cluster.endpoints, watchCache: watchCache, historyCapacity: history)
        stores.append(store)
        return store
    }

    func value(_ text: String) -> ValueForRevision {
        { revision in Array("{\"metadata\":{\"name\":\"\(text)\",\"resourceVersion\":\"\(revision)\"}}".utf8) }
    }

    func name(_ object: StoredObject?) -> String? {
        object.flatMap { try? JSONParser.parse($0.value)[path: ["metadata", "name"]]?.stringValue }
    }

    func resourceVersion(_ object: StoredObject?) -> String? {
        object.flatMap { try? JSONParser.parse($0.value)[path: ["metadata", "resourceVersion"]]?.stringValue }
    }

    func testCreateUpdateDeleteWithCompareAndSwap() async throws {
        let store = try open()
        let a = try await store.create("/pods/ns/a", value: value("a1"))
        XCTAssertEqual(resourceVersion(a), String(a.revision))
        await XCTAssertThrowsErrorAsync(try await store.create("/pods/ns/a", value: self.value("again"))) {
            XCTAssertEqual($0 as? StoreError, .alreadyExists(key: "/pods/ns/a"))
        }
        let a2 = try await store.update("/pods/ns/a", expectedRevision: a.revision, value: value("a2"))
        XCTAssertEqual(a2.revision, a.revision + 1)
        await XCTAssertThrowsErrorAsync(try await store.update("/pods/ns/a", expectedRevision: a.revision, value: self.value("stale"))) {
            XCTAssertEqual($0 as? StoreError, .conflict(key: "/pods/ns/a", expected: a.revision, actual: a2.revision))
        }
        let fetched = try await store.get("/pods/ns/a")
        XCTAssertEqual(name(fetched), "a2")
        XCTAssertEqual(fetched?.revision, a2.revision)
        XCTAssertEqual(resourceVersion(fetched), String(a2.revision))
        let deleted = try await store.delete("/pods/ns/a", expectedRevision: a2.revision, value: value("gone"))
        XCTAssertEqual(resourceVersion(deleted), String(deleted.revision))
        let gone = try await store.get("/pods/ns/a")
        XCTAssertNil(gone)
        await XCTAssertThrowsErrorAsync(try await store.update("/pods/ns/a", expectedRevision: a2.revision, value: self.value("x"))) {
            XCTAssertEqual($0 as? StoreError, .notFound(key: "/pods/ns/a"))
        }
        let revision = try await store.currentRevision()
        XCTAssertEqual(revision, deleted.revision)
    }

    func testAnObjectThatContainsThePlaceholderDigitsKeepsThemAndGetsItsVersion() async throws {
        let store = try open()
        let digits = String(Int64.max)
        let created = try await store.create("/configmaps/ns/c") { revision in
            Array("{\"data\":{\"n\":\"\(digits)\"},\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"\(revision)\"}}".utf8)
        }
        let fetched = try await store.get("/configmaps/ns/c")
        let object = try JSONParser.parse(fetched!.value)
        XCTAssertEqual(object[path: ["data", "n"]]?.stringValue, digits)
        XCTAssertEqual(object[path: ["metadata", "resourceVersion"]]?.stringValue, String(created.revision))
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
        let at = page.revision
        _ = try await store.create("/pods/ns/e", value: value("e"))
        page = try await store.list(prefix: "/pods/ns/", startAfter: "/pods/ns/c", limit: 3, revision: at)
        XCTAssertEqual(page.items.map(\.key), ["/pods/ns/d"])  // the snapshot, without e
        XCTAssertNil(page.nextKey)
        XCTAssertEqual(page.revision, at)
        let all = try await store.list(prefix: "/pods/", startAfter: nil, limit: 0, revision: nil)
        XCTAssertEqual(all.items.count, 7)
        XCTAssertEqual(all.items.map { self.resourceVersion($0) }, all.items.map { String($0.revision) })
    }

    func testWatchReplaysFromRevisionThenFollowsLiveWithPreviousVersions() async throws {
        let store = try open()
        let a = try await store.create("/cm/ns/a", value: value("a"))
        _ = try await store.create("/pods/ns/skip", value: value("skip"))
        let stream = try await store.watch(prefix: "/cm/", afterRevision: a.revision - 1)
        var iterator = stream.makeAsyncIterator()
        let first = try await iterator.next()
        XCTAssertEqual(first?.kind, .added)
        XCTAssertEqual(first?.object.key, "/cm/ns/a")
        XCTAssertNil(first?.previous)
        let a2 = try await store.update("/cm/ns/a", expectedRevision: a.revision, value: value("a2"))
        let deleted = try await store.delete("/cm/ns/a", expectedRevision: a2.revision, value: value("a-final"))
        let second = try await iterator.next()
        let third = try await iterator.next()
        XCTAssertEqual(second?.kind, .modified)
        XCTAssertEqual(second?.object.revision, a2.revision)
        XCTAssertEqual(name(second?.previous), "a")
        XCTAssertEqual(resourceVersion(second?.previous), String(a.revision))
        XCTAssertEqual(third?.kind, .deleted)
        XCTAssertEqual(third?.object.revision, deleted.revision)
        // etcd delivers the last stored state, stamped with the deletion's revision.
        XCTAssertEqual(name(third?.object), "a2")
        XCTAssertEqual(resourceVersion(third?.object), String(deleted.revision))
    }

    func testCompactionExpiresOldRevisionsForListsAndWatches() async throws {
        let store = try open()
        let a = try await store.create("/cm/ns/a", value: value("a"))
        let a2 = try await store.update("/cm/ns/a", expectedRevision: a.revision, value: value("a2"))
        _ = try await store.create("/cm/ns/b", value: value("b"))
        try await store.compact(to: a2.revision)
        await XCTAssertThrowsErrorAsync(try await self.firstEvent(store, after: a.revision - 1)) {
            XCTAssertEqual($0 as? StoreError, .expired(requested: a.revision - 1, compacted: a2.revision))
        }
        await XCTAssertThrowsErrorAsync(try await store.list(prefix: "/cm/", startAfter: nil, limit: 1, revision: a.revision)) {
            XCTAssertEqual($0 as? StoreError, .expired(requested: a.revision, compacted: a2.revision))
        }
        let live = try await store.list(prefix: "/cm/", startAfter: nil, limit: 0, revision: nil)
        XCTAssertEqual(live.items.map { self.name($0) }, ["a2", "b"])
        // A second server's compaction in the same round is a no-op, not an error.
        let other = try open()
        try await other.compact(to: a2.revision + 1)
    }

    private func firstEvent(_ store: EtcdStore, after: Int64) async throws -> StoreEvent? {
        var iterator = try await store.watch(prefix: "/cm/", afterRevision: after).makeAsyncIterator()
        return try await iterator.next()
    }

    func testAWriteThroughOneStoreIsSeenInOrderByAnotherStoresWatch() async throws {
        let a = try open(), b = try open()
        let start = try await b.currentRevision()
        let watch = try await b.watch(prefix: "/cm/", afterRevision: start)
        var written: [Int64] = []
        for i in 0..<50 { written.append(try await a.create("/cm/ns/o\(i)", value: value("o\(i)")).revision) }
        var seen: [Int64] = []
        for try await event in watch {
            seen.append(event.object.revision)
            if seen.count == written.count { break }
        }
        XCTAssertEqual(seen, written)
    }

    func testAWriteThroughOneStoreIsInTheNextListOfAnother() async throws {
        let a = try open(), b = try open()
        _ = try await b.list(prefix: "/cm/", startAfter: nil, limit: 0, revision: nil)  // b's cache is loaded
        for i in 0..<30 {
            let made = try await a.create("/cm/ns/c\(i)", value: value("c\(i)"))
            let page = try await b.list(prefix: "/cm/", startAfter: nil, limit: 0, revision: nil)
            XCTAssertEqual(page.items.count, i + 1)
            XCTAssertGreaterThanOrEqual(page.revision, made.revision)
        }
    }

    func testAWatchFurtherBackThanTheRingReadsItsHistoryFromEtcd() async throws {
        let store = try open(history: 4)
        var revisions: [Int64] = []
        for i in 0..<20 {
            revisions.append(try await store.create("/cm/ns/\(i)", value: value("v\(i)")).revision)
            _ = try await store.create("/other/ns/\(i)", value: value("x"))
        }
        _ = try await store.list(prefix: "/cm/", startAfter: nil, limit: 0, revision: nil)
        let stream = try await store.watch(prefix: "/cm/", afterRevision: revisions[1])
        var seen: [Int64] = []
        for try await event in stream {
            seen.append(event.object.revision)
            if seen.count == 18 { break }
        }
        XCTAssertEqual(seen, Array(revisions[2...]))
    }

    func testWithoutTheWatchCacheReadsAndWatchesGoToEtcd() async throws {
        let store = try open(watchCache: false)
        let a = try await store.create("/cm/ns/a", value: value("a"))
        let b = try await store.create("/cm/ns/b", value: value("b"))
        let page = try await store.list(prefix: "/cm/", startAfter: nil, limit: 1, revision: nil)
        XCTAssertEqual(page.items.map(\.key), ["/cm/ns/a"])
        XCTAssertEqual(page.remaining, 1)
        var iterator = try await store.watch(prefix: "/cm/", afterRevision: a.revision - 1).makeAsyncIterator()
        let first = try await iterator.next(), second = try await iterator.next()
        XCTAssertEqual([first?.object.revision, second?.object.revision], [a.revision, b.revision])
        let updated = try await store.update("/cm/ns/a", expectedRevision: a.revision, value: value("a2"))
        let third = try await iterator.next()
        XCTAssertEqual(third?.kind, .modified)
        XCTAssertEqual(third?.object.revision, updated.revision)
        XCTAssertEqual(name(third?.previous), "a")
    }

    func testAContinueKeyBeforeThePrefixStaysInsideIt() async throws {
        let store = try open(watchCache: false)
        _ = try await store.create("/configmaps/ns/a", value: value("a"))
        _ = try await store.create("/pods/ns/p", value: value("p"))
        let page = try await store.list(prefix: "/pods/", startAfter: "/a", limit: 10, revision: nil)
        XCTAssertEqual(page.items.map(\.key), ["/pods/ns/p"])
    }

    func testAQuietWatchReportsProgressFromEtcd() async throws {
        let store = try open()
        let x = try await store.create("/a/ns/x", value: value("x"))
        let watch = try await store.watch(prefix: "/a/", afterRevision: x.revision)
        var last = x.revision
        for i in 0..<5 { last = try await store.create("/b/ns/\(i)", value: value("y")).revision }
        // etcd sends a progress notification once a second here (the test cluster's setting);
        // it is taken in as the watch is read, as the watch session always is.
        let deadline = Date().addingTimeInterval(10)
        let reader = Task { var i = watch.makeAsyncIterator(); return try await i.next() }
        while (watch.progress().caughtUpTo ?? 0) < last, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        reader.cancel()
        XCTAssertGreaterThanOrEqual(watch.progress().caughtUpTo ?? 0, last)
        XCTAssertEqual(watch.progress().delivered, x.revision)
    }

    func testWithEtcdGoneCallsFailAsUnavailableAndRecoverWhenItReturns() async throws {
        let store = try open()
        _ = try await store.create("/cm/ns/a", value: value("a"))
        cluster.kill(0)
        await XCTAssertThrowsErrorAsync(try await store.get("/cm/ns/a")) {
            guard case .unavailable = $0 as? StoreError else { return XCTFail("\($0)") }
        }
        await XCTAssertThrowsErrorAsync(try await store.create("/cm/ns/b", value: self.value("b"))) {
            guard case .unavailable = $0 as? StoreError else { return XCTFail("\($0)") }
        }
        try cluster.start(0)
        try cluster.waitHealthy()
        let back = try await store.get("/cm/ns/a")
        XCTAssertEqual(name(back), "a")
    }

    func testAValueOverEtcdsLimitIsTooLargeAndStoresNothing() async throws {
        let store = try open()
        // Over etcd's request limit, and over gRPC's message limit above it.
        for size in [1_600_000, 2 << 20] {
            let big = String(repeating: "x", count: size)
            await XCTAssertThrowsErrorAsync(try await store.create("/cm/ns/big") { Array("{\"d\":\"\(big)\",\"r\":\"\($0)\"}".utf8) }) {
                XCTAssertEqual($0 as? StoreError, .tooLarge(limit: EtcdStore.defaultRequestLimit))
            }
        }
        let stored = try await store.get("/cm/ns/big")
        XCTAssertNil(stored)
    }

    func testFirstPublisherWinsTheSharedValue() async throws {
        let a = try open(), b = try open()
        async let first = a.loadOrPublish("/skiff/test") { Array("from-a".utf8) }
        async let second = b.loadOrPublish("/skiff/test") { Array("from-b".utf8) }
        let (x, y) = try await (first, second)
        XCTAssertEqual(x, y)
        let again = try await a.loadOrPublish("/skiff/test") { Array("later".utf8) }
        XCTAssertEqual(again, x)
    }
}

/// Shuts down every store and stops every etcd a test made, pass or fail: a dropped
/// HTTPClient traps, and an etcd left running outlives the test.
class EtcdFixtureTestCase: XCTestCase {
    var clusters: [EtcdCluster] = []
    var stores: [EtcdStore] = []

    func cluster(members: Int = 1, tls: Bool = false) throws -> EtcdCluster {
        let made = try EtcdCluster(members: members, tls: tls)
        clusters.append(made)
        return made
    }

    func store(_ cluster: EtcdCluster, tls: EtcdTLSFiles = EtcdTLSFiles()) throws -> EtcdStore {
        let made = try EtcdStore(endpoints: cluster.endpoints, tls: tls)
        stores.append(made)
        return made
    }

    override func tearDown() async throws {
        for store in stores { try? await store.shutdown() }
        stores = []
        for cluster in clusters { cluster.stop() }
        clusters = []
    }
}

/// A three-member cluster: the store keeps working with one member gone.
final class EtcdClusterStoreTests: EtcdFixtureTestCase {
    func testLosingOneMemberKeepsTheStoreWorking() async throws {
        let cluster = try cluster(members: 3)
        let etcd = try store(cluster)
        let a = try await etcd.create("/cm/ns/a", value: { Array("{\"metadata\":{\"resourceVersion\":\"\($0)\"}}".utf8) })
        cluster.kill(0)  // the member the store was using, perhaps the raft leader
        // While the others elect a leader, writes fail ("request timed out, possibly due to
        // previous leader failure") and are not re-sent, as they may yet commit; once the
        // two have a leader (their /health says so), the store works through them.
        try cluster.waitHealthy()
        let updated = try await etcd.update("/cm/ns/a", expectedRevision: a.revision, value: { Array("{\"v\":2,\"metadata\":{\"resourceVersion\":\"\($0)\"}}".utf8) })
        let fetched = try await etcd.get("/cm/ns/a")
        XCTAssertEqual(fetched?.revision, updated.revision)
        let watch = try await etcd.watch(prefix: "/cm/", afterRevision: a.revision - 1)
        var seen: [Int64] = []
        for try await event in watch {
            seen.append(event.object.revision)
            if seen.count == 2 { break }
        }
        XCTAssertEqual(seen, [a.revision, updated.revision])
    }
}

/// Two API servers' allocators on one etcd never hand out the same ClusterIP or NodePort.
final class SharedServiceAllocationTests: EtcdFixtureTestCase {
    func testTwoServersNeverAllocateTheSameAddress() async throws {
        let cluster = try cluster()
        let storeA = try store(cluster), storeB = try store(cluster)
        let range = try XCTUnwrap(ServiceIPRange("10.96.0.0/27"))
        let a = ServiceAllocators(serviceCIDRs: [range], nodePorts: 30000...30019, store: storeA)
        let b = ServiceAllocators(serviceCIDRs: [range], nodePorts: 30000...30019, store: storeB)
        try await a.start(services: [])
        try await b.start(services: [])

        // The same address asked for on both at once: exactly one gets it.
        async let first = Result(catching: { try await a.allocateIP("10.96.0.20", family: .ipv4) })
        async let second = Result(catching: { try await b.allocateIP("10.96.0.20", family: .ipv4) })
        let outcomes = await [first, second]
        XCTAssertEqual(outcomes.filter { (try? $0.get()) != nil }.count, 1)

        // Random picks from both until the ranges are full: all distinct.
        var ips: [String] = ["10.96.0.20"]
        var ports: [Int] = []
        while true {
            async let x = try? a.allocateIP(nil, family: .ipv4)
            async let y = try? b.allocateIP(nil, family: .ipv4)
            let got = await [x, y].compactMap { $0 }
            if got.isEmpty { break }
            ips += got
        }
        while true {
            async let x = try? a.allocatePort(nil)
            async let y = try? b.allocatePort(nil)
            let got = await [x, y].compactMap { $0 }
            if got.isEmpty { break }
            ports += got
        }
        XCTAssertEqual(Set(ips).count, ips.count)
        XCTAssertEqual(ips.count, 30)  // a /27 without network and broadcast addresses
        XCTAssertEqual(Set(ports).count, 20)
        XCTAssertEqual(ports.count, 20)

        // Released through the other server, every address can be picked here again.
        for ip in ips where ip != "10.96.0.20" { await b.releaseIP(ip) }
        for port in ports { await b.releasePort(port) }
        let picked = try await a.allocateIP(nil, family: .ipv4)
        XCTAssertNotEqual(picked, "10.96.0.20")
        let port = try await a.allocatePort(nil)
        XCTAssertTrue((30000...30019).contains(port))
        await a.releaseIP(picked)

        // Released on one server, the address can be asked for on the other.
        await a.releaseIP("10.96.0.20")
        let again = try await b.allocateIP("10.96.0.20", family: .ipv4)
        XCTAssertEqual(again, "10.96.0.20")
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// TLS to etcd with client certificates (kube-apiserver's --etcd-cafile/certfile/keyfile).
final class EtcdTLSStoreTests: EtcdFixtureTestCase {
    func testTLSWithAClientCertificateWorksAndWithoutOneIsRefused() async throws {
        let cluster = try cluster(tls: true)
        let trusted = try store(cluster, tls: EtcdTLSFiles(caFile: cluster.caFile, certFile: cluster.clientCertFile, keyFile: cluster.clientKeyFile))
        let created = try await trusted.create("/cm/ns/a") { Array("{\"metadata\":{\"resourceVersion\":\"\($0)\"}}".utf8) }
        let fetched = try await trusted.get("/cm/ns/a")
        XCTAssertEqual(fetched?.revision, created.revision)
        var iterator = try await trusted.watch(prefix: "/cm/", afterRevision: created.revision - 1).makeAsyncIterator()
        let event = try await iterator.next()
        XCTAssertEqual(event?.object.revision, created.revision)

        // Trusting etcd but showing no certificate: etcd refuses the handshake.
        let anonymous = try store(cluster, tls: EtcdTLSFiles(caFile: cluster.caFile))
        await XCTAssertThrowsErrorAsync(try await anonymous.get("/cm/ns/a")) {
            guard case .unavailable = $0 as? StoreError else { return XCTFail("\($0)") }
        }
        // Without the CA, etcd's certificate is not trusted (the system's roots did not sign it).
        let untrusting = try store(cluster, tls: EtcdTLSFiles(certFile: cluster.clientCertFile, keyFile: cluster.clientKeyFile))
        await XCTAssertThrowsErrorAsync(try await untrusting.get("/cm/ns/a")) {
            guard case .unavailable = $0 as? StoreError else { return XCTFail("\($0)") }
        }
        // A certificate without its key is a configuration error, found before any request.
        XCTAssertThrowsError(try EtcdStore(endpoints: cluster.endpoints, tls: EtcdTLSFiles(certFile: cluster.clientCertFile)))
    }
}
