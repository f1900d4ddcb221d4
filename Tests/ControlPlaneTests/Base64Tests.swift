import Foundation
import XCTest

@testable import ControlPlane

final class Base64Tests: XCTestCase {
    typealias B = KubernetesProtobuf.Base64

    func testRoundTripsAgreeWithFoundationAtEveryLength() {
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let encoded = B.encode(bytes)
            XCTAssertEqual(encoded, Data(bytes).base64EncodedString(), "length \(length)")
            XCTAssertEqual(B.decode(encoded), bytes, "length \(length)")
        }
    }

    func testMalformedTextIsRefused() {
        for bad in ["A", "AB", "ABC", "AB=C", "A===", "====", "AB\nC", "AB-_", "QQ==QQ==", "Q"] {
            XCTAssertNil(B.decode(bad), bad)
        }
        XCTAssertEqual(B.decode("QQ=="), [0x41])
        XCTAssertEqual(B.decode("QUI="), [0x41, 0x42])
        XCTAssertEqual(B.decode(""), [])
    }
}
