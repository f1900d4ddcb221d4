import Foundation
import Netlink
import XCTest

/// Taking things away, in the order the proxy will: rules, then map elements, then chains.
final class DeleteFlushTests: XCTestCase {
    let table = NFTTableID(.inet, "skiff-test")

    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    /// Two services, each a chain with a numgen rule jumping to an endpoint chain, and the
    /// map elements that dispatch to them.
    private static func setUp(_ batch: NFTBatch, table t: NFTTableID) {
        batch.add(NFTTable(.inet, t.name))
        batch.add(NFTSet.map(table: t, name: "service-ips", key: [.ipv4Addr, .inetProto, .inetService], data: .verdict))
        for service in ["svc-a", "svc-b"] {
            batch.add(NFTChain(table: t, name: service))
            batch.add(NFTChain(table: t, name: "ep-\(service)"))
            batch.add(NFTRule(table: t, chain: service, NFT.numgenVmap([.goto("ep-\(service)")])))
            batch.add(NFTRule(table: t, chain: "ep-\(service)", [.counter]))
            batch.add(NFTRule(table: t, chain: "ep-\(service)",
                              NFT.match(.l4proto, .eq, .tcp, family: .inet) + NFT.dnat(to: NFTValue(ipv4: "10.244.0.9")!, port: 80)))
        }
        batch.add(elements: [
            NFTSetElement([NFTValue(ipv4: "10.96.0.1")!, .tcp, .inetService(80)], .goto("svc-a")),
            NFTSetElement([NFTValue(ipv4: "10.96.0.2")!, .tcp, .inetService(80)], .goto("svc-b")),
        ], to: "service-ips", in: t)
    }

    func testFlushDeleteElementsThenChains() throws {
        try TestNamespace.with { ns in
            try ns.inside { [table] in
                let socket = try NetlinkSocket()
                let setup = NFTBatch()
                Self.setUp(setup, table: table)
                try setup.commit(on: socket)

                // Removing svc-a the safe way, in one transaction: its map element first, then
                // its rules, then its chains (a chain that something still jumps to cannot go).
                let removal = NFTBatch()
                removal.delete(elements: [NFTSetElement([NFTValue(ipv4: "10.96.0.1")!, .tcp, .inetService(80)])],
                               from: "service-ips", in: table)
                removal.flush(chain: "svc-a", in: table)
                removal.flush(chain: "ep-svc-a", in: table)
                removal.delete(chain: "svc-a", in: table)
                removal.delete(chain: "ep-svc-a", in: table)
                try removal.commit(on: socket)
            }
            let text = try ns.exec("nft", "list", "ruleset")
            XCTAssertFalse(text.contains("svc-a"), text)
            XCTAssertTrue(text.contains("10.96.0.2 . tcp . 80 : goto svc-b"), text)
            XCTAssertFalse(text.contains("10.96.0.1 "), text)
        }
    }

    func testChainStillInAMapCannotBeDeleted() throws {
        try TestNamespace.with { ns in
            let error = try ns.inside { [table] () -> NetlinkError? in
                let socket = try NetlinkSocket()
                let setup = NFTBatch()
                Self.setUp(setup, table: table)
                try setup.commit(on: socket)
                let removal = NFTBatch()
                removal.flush(chain: "svc-b", in: table)
                removal.delete(chain: "svc-b", in: table)      // the map element still says goto svc-b
                do {
                    try removal.commit(on: socket)
                    return nil
                } catch let error as NetlinkError {
                    return error
                }
            }
            let failure = try XCTUnwrap(error)
            XCTAssertEqual(failure.errno, EBUSY)
            XCTAssertEqual(failure.operation, "delete chain")
            XCTAssertEqual(failure.object, "inet skiff-test/svc-b")
            // Nothing applied: svc-b still has its rule.
            XCTAssertTrue(try ns.exec("nft", "list", "chain", "inet", "skiff-test", "svc-b").contains("numgen"))
        }
    }

    func testRulesByHandleAndWholeSetsAndTables() throws {
        try TestNamespace.with { ns in
            try ns.inside { [table] in
                let setup = NFTBatch()
                Self.setUp(setup, table: table)
                try setup.commit(on: NetlinkSocket())
            }
            // Handles come from the kernel; read them as a user would.
            let rules = ns.listed("rule", in: try ns.nftJSON("chain", "inet", "skiff-test", "ep-svc-b"))
            XCTAssertEqual(rules.count, 2)
            let counterHandle = try XCTUnwrap(rules.first?["handle"] as? Int)
            let dnatHandle = try XCTUnwrap(rules.last?["handle"] as? Int)

            try ns.inside { [table] in
                let socket = try NetlinkSocket()
                let edit = NFTBatch()
                edit.delete(ruleHandle: UInt64(counterHandle), chain: "ep-svc-b", in: table)
                edit.replace(NFTRule(table: table, chain: "ep-svc-b",
                                     NFT.match(.l4proto, .eq, .tcp, family: .inet) + NFT.dnat(to: NFTValue(ipv4: "10.244.0.10")!, port: 8080),
                                     handle: UInt64(dnatHandle)))
                edit.insert(NFTRule(table: table, chain: "ep-svc-b", [.counter], comment: "first"))
                edit.add(NFTRule(table: table, chain: "ep-svc-b", [.verdict(.drop)], comment: "last"))
                edit.flush(set: "service-ips", in: table)
                try edit.commit(on: socket)
            }
            let chain = try ns.exec("nft", "list", "chain", "inet", "skiff-test", "ep-svc-b")
            let lines = chain.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(Array(lines.dropFirst(2).prefix(3)), [
                "counter packets 0 bytes 0 comment \"first\"",
                "meta l4proto tcp dnat ip to 10.244.0.10:8080",
                "drop comment \"last\"",
            ], chain)
            let map = ns.listed("map", in: try ns.nftJSON("map", "inet", "skiff-test", "service-ips"))
            XCTAssertNil(map.first?["elem"], "flushed")

            try ns.inside { [table] in
                let socket = try NetlinkSocket()
                let flush = NFTBatch()
                flush.flush(table: table)          // every rule goes, chains stay
                try flush.commit(on: socket)
            }
            XCTAssertEqual(ns.listed("rule", in: try ns.nftJSON("ruleset")).count, 0)
            XCTAssertEqual(ns.listed("chain", in: try ns.nftJSON("ruleset")).count, 4)

            try ns.inside { [table] in
                let drop = NFTBatch()
                drop.delete(set: "service-ips", in: table)
                drop.delete(table: table)
                try drop.commit(on: NetlinkSocket())
            }
            XCTAssertEqual(try ns.exec("nft", "list", "ruleset").trimmingCharacters(in: .whitespacesAndNewlines), "")
        }
    }
}
