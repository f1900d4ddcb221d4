import KubeAPI
import XCTest

@testable import ControlPlane

final class DatastoreFlagTests: XCTestCase {
    func testSqliteAndEtcdEndpoints() throws {
        XCTAssertEqual(try Datastore("sqlite"), .embedded)
        XCTAssertEqual(try Datastore(""), .embedded)
        XCTAssertEqual(try Datastore("etcd://10.0.0.5:2379,10.0.0.6:2379"),
                       .etcd(endpoints: ["10.0.0.5:2379", "10.0.0.6:2379"], tls: EtcdTLSFiles(), prefix: "/registry"))
        XCTAssertEqual(try Datastore("etcd://a:1,etcd://[::1]:2379/", prefix: "/x"),
                       .etcd(endpoints: ["a:1", "[::1]:2379"], tls: EtcdTLSFiles(), prefix: "/x"))
    }

    func testMalformedFlagsAreRefused() {
        for bad in ["postgres://x", "etcd://", "etcd://host", "etcd://host:0", "etcd://host:99999", "etcd://:2379", "etcd://h:1/path:2"] {
            XCTAssertThrowsError(try Datastore(bad), bad)
        }
        XCTAssertThrowsError(try Datastore("etcd://h:1", prefix: "registry"))
    }
}

final class RevisionStampTests: XCTestCase {
    func testThePlaceholderIsSwappedForTheRevision() throws {
        let stored = try RevisionStamp.render { Array("{\"metadata\":{\"resourceVersion\":\"\($0)\"}}".utf8) }
        XCTAssertEqual(String(decoding: RevisionStamp.stamp(stored, revision: 42), as: UTF8.self), "{\"metadata\":{\"resourceVersion\":\"42\"}}")
    }

    func testBytesWithoutThePlaceholderAreLeftAlone() {
        XCTAssertEqual(RevisionStamp.stamp(Array("{}".utf8), revision: 7), Array("{}".utf8))
    }

    func testAnImportedObjectGetsThePlaceholderBack() throws {
        let imported = RevisionStamp.restore(Array("{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"981\"}}".utf8))
        let object = try JSONParser.parse(RevisionStamp.stamp(imported, revision: 5))
        XCTAssertEqual(object[path: ["metadata", "resourceVersion"]]?.stringValue, "5")
        XCTAssertEqual(object[path: ["metadata", "name"]]?.stringValue, "a")
    }
}
