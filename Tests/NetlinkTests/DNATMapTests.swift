import Foundation
import Netlink
import XCTest

/// The flat proxy layout's building blocks against nft: the DNAT through a data map keyed by
/// `frontend . numgen` (`NFT.dnatThroughMap`), the `typeof` maps it reads, and the hairpin rule.
///
/// nft 1.0.6 refuses `dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map
/// @named` ("conflicting protocols specified: ip vs. th") but builds the same statement with an
/// anonymous map, so the bytecode is compared with the map's name left out; the maps are
/// created by both sides from the same `typeof` and must list identically.
final class DNATMapTests: XCTestCase {
    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    static let v4 = NFTTableID(.ip, "skiff-test")
    static let v6 = NFTTableID(.ip6, "skiff-test")

    static func ours(_ batch: NFTBatch) {
        let ip = { (text: String) in NFTValue(ip: text)! }
        for (t, daddr, saddr, address) in [(v4, NFTField.ipDaddr, NFTField.ipSaddr, NFTDataType.ipv4Addr),
                                           (v6, .ip6Daddr, .ip6Saddr, .ipv6Addr)] {
            batch.add(NFTTable(t.family, t.name))
            batch.add(NFTSet.map(table: t, name: "endpoints", typeof: [.field(daddr), .field(.l4proto), .field(.thDport), .numgen(.random)],
                                 data: [.field(daddr), .field(.thDport)], comment: "service endpoints"))
            batch.add(NFTSet.map(table: t, name: "nodeports", typeof: [.field(.l4proto), .field(.thDport), .numgen(.random)],
                                 data: [.field(daddr), .field(.thDport)]))
            batch.add(NFTSet(table: t, name: "hairpin", key: [address, address]))
            batch.add(NFTChain(table: t, name: "lb"))
            batch.add(NFTChain(table: t, name: "post"))
            batch.add(NFTRule(table: t, chain: "lb", NFT.dnatThroughMap([daddr, .l4proto, .thDport], numgenModulus: 2,
                                                                        map: "endpoints", address: address, family: t.family)))
            batch.add(NFTRule(table: t, chain: "lb", NFT.dnatThroughMap([.l4proto, .thDport], numgenModulus: 3,
                                                                        map: "nodeports", address: address, family: t.family)))
            batch.add(NFTRule(table: t, chain: "post", parts: [NFT.ctStatus(.dnat),
                                                               NFT.lookup([saddr, daddr], set: "hairpin", family: t.family),
                                                               NFT.setMark(or: 0x4000)]))
        }
        batch.add(elements: [
            NFTSetElement([ip("10.96.0.1"), .tcp, .inetService(80), .integer(0)], value: [ip("10.244.1.2"), .inetService(8080)]),
            NFTSetElement([ip("10.96.0.1"), .tcp, .inetService(80), .integer(1)], value: [ip("10.244.2.2"), .inetService(8080)]),
        ], to: "endpoints", in: v4)
        batch.add(elements: [
            NFTSetElement([.udp, .inetService(30053), .integer(0)], value: [ip("10.244.1.2"), .inetService(53)]),
        ], to: "nodeports", in: v4)
        batch.add(elements: [NFTSetElement([ip("10.244.1.2"), ip("10.244.1.2")])], to: "hairpin", in: v4)
        batch.add(elements: [
            NFTSetElement([ip("fd00:96::1"), .tcp, .inetService(80), .integer(0)], value: [ip("fd00:1::2"), .inetService(8081)]),
        ], to: "endpoints", in: v6)
        batch.add(elements: [NFTSetElement([ip("fd00:1::2"), ip("fd00:1::2")])], to: "hairpin", in: v6)
    }

    static let nftText = """
        add table ip skiff-test
        add map ip skiff-test endpoints { typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport; comment "service endpoints"; }
        add map ip skiff-test nodeports { typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport; }
        add set ip skiff-test hairpin { type ipv4_addr . ipv4_addr; }
        add chain ip skiff-test lb
        add chain ip skiff-test post
        add rule ip skiff-test lb dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map { 10.96.0.9 . tcp . 9 . 0 : 10.0.0.9 . 9 }
        add rule ip skiff-test lb dnat ip to meta l4proto . th dport . numgen random mod 3 map { tcp . 9 . 0 : 10.0.0.9 . 9 }
        add rule ip skiff-test post ct status dnat ip saddr . ip daddr @hairpin meta mark set meta mark | 0x4000
        add element ip skiff-test endpoints { 10.96.0.1 . tcp . 80 . 0 : 10.244.1.2 . 8080, 10.96.0.1 . tcp . 80 . 1 : 10.244.2.2 . 8080 }
        add element ip skiff-test nodeports { udp . 30053 . 0 : 10.244.1.2 . 53 }
        add element ip skiff-test hairpin { 10.244.1.2 . 10.244.1.2 }
        add table ip6 skiff-test
        add map ip6 skiff-test endpoints { typeof ip6 daddr . meta l4proto . th dport . numgen random mod 1 : ip6 daddr . th dport; comment "service endpoints"; }
        add map ip6 skiff-test nodeports { typeof meta l4proto . th dport . numgen random mod 1 : ip6 daddr . th dport; }
        add set ip6 skiff-test hairpin { type ipv6_addr . ipv6_addr; }
        add chain ip6 skiff-test lb
        add chain ip6 skiff-test post
        add rule ip6 skiff-test lb dnat ip6 to ip6 daddr . meta l4proto . th dport . numgen random mod 2 map { fd00::9 . tcp . 9 . 0 : fd00::99 . 9 }
        add rule ip6 skiff-test lb dnat ip6 to meta l4proto . th dport . numgen random mod 3 map { tcp . 9 . 0 : fd00::99 . 9 }
        add rule ip6 skiff-test post ct status dnat ip6 saddr . ip6 daddr @hairpin meta mark set meta mark | 0x4000
        add element ip6 skiff-test endpoints { fd00:96::1 . tcp . 80 . 0 : fd00:1::2 . 8081 }
        add element ip6 skiff-test hairpin { fd00:1::2 . fd00:1::2 }

        """

    func testDNATThroughMapIsWhatNftBuilds() throws {
        let ours = try TestNamespace.with { ns in
            let bytecode = try ns.inside {
                let batch = NFTBatch()
                Self.ours(batch)
                try batch.commit(on: NetlinkSocket())
                return try RuleBytecode.dump()
            }
            return (bytecode, try Self.maps(ns), try ns.exec("nft", "list", "ruleset"), try ns.nftJSON("ruleset"))
        }
        let theirs = try TestNamespace.with { ns in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(ns.name).nft")
            try Self.nftText.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            try ns.exec("nft", "-f", file.path)
            return (try ns.inside { try RuleBytecode.dump() }, try Self.maps(ns))
        }

        // Register for register, with the map's name (named here, anonymous there) left out.
        func unnamed(_ rules: [String]) -> [String] {
            rules.map { $0.replacingOccurrences(of: #"set (__map\d+|endpoints|nodeports) dreg"#, with: "set MAP dreg",
                                                options: .regularExpression) }
        }
        XCTAssertEqual(unnamed(ours.0), unnamed(theirs.0))
        XCTAssertEqual(ours.0.count, 6)
        let v4 = ours.0.first { $0.hasPrefix("ip skiff-test lb") && $0.contains("set endpoints") } ?? ""
        for line in ["[ payload load 4b @ network header + 16 => reg 1 ]", "[ meta load l4proto => reg 9 ]",
                     "[ payload load 2b @ transport header + 2 => reg 10 ]", "[ numgen reg 11 = random mod 2 ]",
                     "[ lookup reg 1 set endpoints dreg 1", "[ nat dnat ip addr_min reg 1 addr_max reg 1 proto_min reg 9 proto_max reg 9"] {
            XCTAssertTrue(v4.contains(line), "\(line) in \(v4)")
        }
        let v6 = ours.0.first { $0.hasPrefix("ip6 skiff-test lb") && $0.contains("set endpoints") } ?? ""
        for line in ["[ payload load 16b @ network header + 24 => reg 1 ]", "[ meta load l4proto => reg 2 ]",
                     "[ payload load 2b @ transport header + 2 => reg 13 ]", "[ numgen reg 14 = random mod 2 ]",
                     "[ nat dnat ip6 addr_min reg 1 addr_max reg 1 proto_min reg 2 proto_max reg 2"] {
            XCTAssertTrue(v6.contains(line), "\(line) in \(v6)")
        }

        // The maps read back the same, text and JSON: our typeof user data is nft's.
        XCTAssertEqual(ours.1.text, theirs.1.text)
        XCTAssertEqual(ours.1.json as NSArray, theirs.1.json as NSArray)
        XCTAssertTrue(ours.1.text.contains("typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport"),
                      ours.1.text)
        XCTAssertTrue(ours.1.text.contains("10.96.0.1 . tcp . 80 . 1 : 10.244.2.2 . 8080"), ours.1.text)
        XCTAssertTrue(ours.1.text.contains("comment \"service endpoints\""), ours.1.text)

        // And nft prints our rules, named maps and all (text and JSON).
        let listing = ours.2
        XCTAssertTrue(listing.contains("dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @endpoints"), listing)
        XCTAssertTrue(listing.contains("dnat ip to meta l4proto . th dport . numgen random mod 3 map @nodeports"), listing)
        XCTAssertTrue(listing.contains("dnat ip6 to ip6 daddr . meta l4proto . th dport . numgen random mod 2 map @endpoints"), listing)
        XCTAssertTrue(listing.contains("ct status dnat ip saddr . ip daddr @hairpin meta mark set meta mark | 0x00004000"), listing)
        XCTAssertTrue(listing.contains("ct status dnat ip6 saddr . ip6 daddr @hairpin"), listing)
        XCTAssertEqual(ours.3.compactMap { $0["rule"] }.count, 6)
    }

    /// `nft list map` of both families' maps and sets, text and JSON (handles removed).
    static func maps(_ ns: TestNamespace) throws -> (text: String, json: [Any]) {
        var text = "", json: [Any] = []
        for family in ["ip", "ip6"] {
            for (kind, name) in [("map", "endpoints"), ("map", "nodeports"), ("set", "hairpin")] {
                text += try ns.exec("nft", "list", kind, family, "skiff-test", name)
                json += try ns.nftJSON(kind, family, "skiff-test", name).filter { $0["metainfo"] == nil }.map { object in
                    object.mapValues { value -> Any in
                        guard var inner = value as? [String: Any] else { return value }
                        inner["handle"] = nil
                        return inner
                    }
                }
            }
        }
        return (text, json)
    }
}
