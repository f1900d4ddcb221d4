@testable import ProxyDataplane
import XCTest

final class PortTableTests: XCTestCase {
    func testBehavesAsAMapWhateverTheInsertionOrder() {
        let http = Fixture.portName("web", "http"), dns = Fixture.portName("web", "dns", .udp)
        let dnsTCP = Fixture.portName("web", "dns", .tcp)
        var a = PortTable<Int>()
        a[http] = 1
        a[dns] = 2
        a[dnsTCP] = 3
        var b: PortTable<Int> = [dnsTCP: 3, http: 1]
        b[dns] = 2
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.hashValue, b.hashValue)
        XCTAssertEqual(a.keys, [dnsTCP, dns, http])   // sorted
        XCTAssertEqual(a[dns], 2)

        a[dns] = 20                                     // replaced in place
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a[dns], 20)
        a[dns] = nil                                    // removed
        a[Fixture.portName("web", "absent")] = nil      // no-op
        XCTAssertEqual(a.keys, [dnsTCP, http])
        XCTAssertNil(a[dns])
        XCTAssertEqual(Array(a.map(\.value)), [3, 1])
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(PortTable<Int>().isEmpty)
    }
}
