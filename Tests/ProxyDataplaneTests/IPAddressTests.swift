import XCTest
@testable import ProxyDataplane
import Netlink

final class IPAddressTests: XCTestCase {
    func testIPv4ParsesAndFormats() {
        XCTAssertEqual(IPAddress("10.96.0.10")?.description, "10.96.0.10")
        XCTAssertEqual(IPAddress("10.96.0.10")?.family, .ipv4)
        XCTAssertEqual(IPAddress("10.96.0.10")?.bytes, [10, 96, 0, 10])
        // Sloppy, as netutils.ParseIPSloppy: leading zeros are decimal.
        XCTAssertEqual(IPAddress("010.001.0.09")?.description, "10.1.0.9")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/32"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
    }

    func testIPv6ParsesAndFormatsCanonically() {
        XCTAssertEqual(IPAddress("fd00:10:96::a")?.description, "fd00:10:96::a")
        XCTAssertEqual(IPAddress("FD00:0010:0096:0000:0000:0000:0000:000A")?.description, "fd00:10:96::a")
        XCTAssertEqual(IPAddress("::")?.description, "::")
        XCTAssertEqual(IPAddress("::1")?.description, "::1")
        XCTAssertEqual(IPAddress("1::")?.description, "1::")
        XCTAssertEqual(IPAddress("1:0:0:2:0:0:0:3")?.description, "1:0:0:2::3") // longest run wins
        XCTAssertEqual(IPAddress("1:0:2:3:4:5:6:7")?.description, "1:0:2:3:4:5:6:7") // a single zero is not compressed
        XCTAssertEqual(IPAddress("64:ff9b::192.0.2.33")?.description, "64:ff9b::c000:221")
        XCTAssertEqual(IPAddress("::1")?.bytes.count, 16)
        for bad in [":", ":::", "1:2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "fe80::1%eth0",
                    "1:", ":1", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
    }

    func testIPv4MappedIsIPv4AsGoTreatsIt() {
        let ip = IPAddress("::ffff:10.0.0.1")
        XCTAssertEqual(ip?.family, .ipv4)
        XCTAssertEqual(ip, IPAddress("10.0.0.1"))
    }

    func testOrderingPutsIPv4First() {
        let sorted = ["fd00::1", "10.0.0.2", "10.0.0.10", "::1"].map { IPAddress($0)! }.sorted()
        XCTAssertEqual(sorted.map(\.description), ["10.0.0.2", "10.0.0.10", "::1", "fd00::1"])
    }

    func testPrefixParsingMasksHostBits() {
        XCTAssertEqual(IPPrefix("10.1.2.3/8")?.description, "10.0.0.0/8")
        XCTAssertEqual(IPPrefix(" 192.168.0.0/16 ")?.description, "192.168.0.0/16")
        XCTAssertEqual(IPPrefix("fd00::1:2/64")?.description, "fd00::/64")
        XCTAssertEqual(IPPrefix("0.0.0.0/0")?.description, "0.0.0.0/0")
        XCTAssertEqual(IPPrefix("fd00::1/128")?.description, "fd00::1/128")
        XCTAssertTrue(IPPrefix("10.0.0.0/8")!.contains(IPAddress("10.200.1.1")!))
        XCTAssertFalse(IPPrefix("10.0.0.0/8")!.contains(IPAddress("11.0.0.1")!))
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "fd00::/129", "x/8", "10.0.0.0/8/8"] {
            XCTAssertNil(IPPrefix(bad), bad)
        }
    }
}
