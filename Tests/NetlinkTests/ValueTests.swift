import Netlink
import XCTest

/// Encodings that must be byte-exact for the kernel to match anything (no kernel needed).
final class ValueTests: XCTestCase {
    func testValuesAreInRegisterByteOrder() {
        XCTAssertEqual(NFTValue(ipv4: "10.96.0.1")?.bytes, [10, 96, 0, 1])
        XCTAssertEqual(NFTValue(ipv4: 0x0a60_0001).bytes, [10, 96, 0, 1])
        XCTAssertEqual(NFTValue(ipv6: "fd00::1")?.bytes, [0xfd, 0] + [UInt8](repeating: 0, count: 13) + [1])
        XCTAssertNil(NFTValue(ipv4: "10.96.0.256"))
        XCTAssertNil(NFTValue(ip: "not an address"))
        XCTAssertEqual(NFTValue.inetService(443).bytes, [0x01, 0xbb])       // network order
        XCTAssertEqual(NFTValue.mark(0x4000).bytes, [0x00, 0x40, 0, 0])     // host order (x86)
        XCTAssertEqual(NFTValue.tcp.bytes, [6])
        XCTAssertEqual(NFTValue(ifname: "eth0")?.bytes, Array("eth0".utf8) + [UInt8](repeating: 0, count: 12))
        XCTAssertNil(NFTValue(ifname: "a-name-far-too-long"))
    }

    func testConcatenatedKeysPadEachFieldToFourBytes() {
        let key: NFTKey = [NFTValue(ipv4: "10.96.0.1")!, .tcp, .inetService(443)]
        XCTAssertEqual(key.length, 12)
        XCTAssertEqual(key.bytes, [10, 96, 0, 1, 6, 0, 0, 0, 0x01, 0xbb, 0, 0])
        XCTAssertEqual(key.description, "10.96.0.1 . tcp . 443")
        let single: NFTKey = [.inetService(53)]
        XCTAssertEqual(single.bytes, [0, 53], "a lone field is not padded")
    }

    func testIntervalElements() throws {
        let cidr = try XCTUnwrap(NFTSetElement.prefix("10.244.0.0/16"))
        XCTAssertEqual(cidr.map(\.key.bytes), [[10, 244, 0, 0], [10, 245, 0, 0]])
        XCTAssertEqual(cidr.map(\.isIntervalEnd), [false, true])
        let host = try XCTUnwrap(NFTSetElement.prefix("192.168.1.1"))
        XCTAssertEqual(host.map(\.key.bytes), [[192, 168, 1, 1], [192, 168, 1, 2]])
        XCTAssertEqual(NFTSetElement.prefix("0.0.0.0/0")?.count, 1, "nothing after the top of the range")
        XCTAssertNil(NFTSetElement.prefix("10.0.0.0/33"))
    }

    func testStatementsAsNftBuildsThem() {
        // ip saddr != 10.244.0.0/16: two bytes loaded, no mask (byte-aligned prefix).
        XCTAssertEqual(NFT.match(.ipSaddr, prefix: "10.244.0.0/16", negated: true, family: .inet), [
            .meta(.nfproto, into: .r1), .cmp(.eq, .r1, [2]),
            .payload(base: .network, offset: 12, length: 2, into: .r1), .cmp(.neq, .r1, [10, 244]),
        ])
        // ip daddr 10.96.0.0/12 in an ip table: no nfproto guard, masked load.
        XCTAssertEqual(NFT.match(.ipDaddr, prefix: "10.96.0.0/12", family: .ip), [
            .payload(base: .network, offset: 16, length: 4, into: .r1),
            .bitwise(from: .r1, into: .r1, mask: [0xff, 0xf0, 0, 0], xor: [0, 0, 0, 0]),
            .cmp(.eq, .r1, [10, 96, 0, 0]),
        ])
        // ip6 daddr . meta l4proto . th dport: 16 bytes, then the next free 32-bit slots.
        XCTAssertEqual(NFT.load([.ip6Daddr, .l4proto, .thDport], family: .ip6), [
            .payload(base: .network, offset: 24, length: 16, into: .r1),
            .meta(.l4proto, into: NFTRegister(rawValue: 2)),
            .payload(base: .transport, offset: 2, length: 2, into: .reg32(5)),
        ])
        XCTAssertEqual(NFT.setMark(or: 0x4000)[1],
                       .bitwise(from: .r1, into: .r1, mask: NFTValue.mark(0xffff_bfff).bytes, xor: NFTValue.mark(0x4000).bytes))
        XCTAssertEqual(NFT.numgenCascade([.goto("a"), .goto("b"), .goto("c")]).map(\.count), [3, 3, 1])
    }

    func testErrorsReadWell() {
        let error = NetlinkError(errno: 2, operation: "add rule", object: "inet skiff/svc-abc")
        XCTAssertEqual(error.description, "add rule inet skiff/svc-abc: No such file or directory (ENOENT)")
    }
}
