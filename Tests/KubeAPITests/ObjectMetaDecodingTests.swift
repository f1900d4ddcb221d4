import Foundation
@testable import KubeAPI
import XCTest

final class ObjectMetaDecodingTests: XCTestCase {
    let json = """
    {"name":"a","generateName":"a-","namespace":"ns","selfLink":"/x","uid":"u","resourceVersion":"7","generation":3,
     "creationTimestamp":"2026-01-01T00:00:00Z","deletionTimestamp":"2026-01-02T00:00:00Z","deletionGracePeriodSeconds":30,
     "labels":{"k":"v"},"annotations":{"a":"b"},
     "ownerReferences":[{"apiVersion":"v1","kind":"Service","name":"s","uid":"o"}],"finalizers":["f"],
     "managedFields":[{"manager":"kubectl","operation":"Apply","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{}}}]}
    """

    func testEveryFieldDecodesAndRoundTrips() throws {
        let meta = try JSONDecoder().decode(ObjectMeta.self, from: Data(json.utf8))
        XCTAssertEqual(meta.generation, 3)
        XCTAssertEqual(meta.deletionGracePeriodSeconds, 30)
        XCTAssertEqual(meta.ownerReferences?.first?.uid, "o")
        XCTAssertEqual(meta.managedFields?.first?.manager, "kubectl")
        let again = try JSONDecoder().decode(ObjectMeta.self, from: JSONEncoder().encode(meta))
        XCTAssertEqual(again, meta)
    }

    func testManagedFieldsAreSkippedForReadersThatDropThem() throws {
        let meta = try ObjectMeta.$decodesManagedFields.withValue(false) {
            try JSONDecoder().decode(ObjectMeta.self, from: Data(json.utf8))
        }
        XCTAssertNil(meta.managedFields)
        XCTAssertEqual(meta.labels, ["k": "v"])
        XCTAssertEqual(meta.finalizers, ["f"])
    }
}
