@testable import NodeAgent
import XCTest

final class ImageReferenceTests: XCTestCase {
    func testNamesNormaliseAsContainerdDoes() {
        let cases = [
            ("busybox", "docker.io/library/busybox:latest"),
            ("busybox:1.36", "docker.io/library/busybox:1.36"),
            ("team/app", "docker.io/team/app:latest"),
            ("registry.local:5000/team/app:2", "registry.local:5000/team/app:2"),
            ("localhost/app", "localhost/app:latest"),
            ("quay.io/a/b/c@sha256:" + String(repeating: "a", count: 64), "quay.io/a/b/c@sha256:" + String(repeating: "a", count: 64)),
        ]
        for (input, expected) in cases { XCTAssertEqual(ImageReference(input)?.description, expected, input) }
        for bad in ["", "Busybox", "a b", "x:", "x@sha256:12", "//x"] { XCTAssertNil(ImageReference(bad), bad) }
    }
}
