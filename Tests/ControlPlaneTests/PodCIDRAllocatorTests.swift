@testable import ControlPlane
import Netlink
import XCTest

final class PodCIDRAllocatorTests: XCTestCase {
    func testHandsOutEachSubnetOnceAndSkipsTakenOnes() throws {
        var a = try PodCIDRAllocator(clusterCIDR: IPPrefix("10.244.0.0/22")!, nodeMaskSize: 24)
        XCTAssertEqual(a.capacity, 4)
        XCTAssertTrue(a.occupy(IPPrefix("10.244.1.0/24")!))
        XCTAssertFalse(a.occupy(IPPrefix("10.245.0.0/24")!))     // not ours
        XCTAssertFalse(a.occupy(IPPrefix("10.244.0.0/25")!))     // wrong size
        XCTAssertEqual(a.allocate()?.description, "10.244.0.0/24")
        XCTAssertEqual(a.allocate()?.description, "10.244.2.0/24")
        XCTAssertEqual(a.allocate()?.description, "10.244.3.0/24")
        XCTAssertNil(a.allocate())                                // exhausted, never a duplicate
        a.release(IPPrefix("10.244.2.0/24")!)
        XCTAssertEqual(a.allocate()?.description, "10.244.2.0/24")
    }

    func testIPv6Subnets() throws {
        var a = try PodCIDRAllocator(clusterCIDR: IPPrefix("fd00:10:244::/56")!, nodeMaskSize: 64)
        XCTAssertEqual(a.allocate()?.description, "fd00:10:244::/64")
        XCTAssertEqual(a.allocate()?.description, "fd00:10:244:1::/64")
        XCTAssertEqual(a.index(of: IPPrefix("fd00:10:244:ff::/64")!), 255)
        var b = try PodCIDRAllocator(clusterCIDR: IPPrefix("fd00::/60")!, nodeMaskSize: 72)
        XCTAssertEqual(b.subnet(1).description, "fd00::100:0:0:0/72")
        XCTAssertEqual(b.subnet(4095).description, "fd00:0:0:f:ff00::/72")
        XCTAssertEqual(b.index(of: b.subnet(4095)), 4095)
        _ = b.allocate()
    }

    func testRefusesMasksThatDoNotFit() {
        XCTAssertThrowsError(try PodCIDRAllocator(clusterCIDR: IPPrefix("10.244.0.0/16")!, nodeMaskSize: 16))
        XCTAssertThrowsError(try PodCIDRAllocator(clusterCIDR: IPPrefix("10.0.0.0/8")!, nodeMaskSize: 28))
    }
}
