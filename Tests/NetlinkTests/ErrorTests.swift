import Foundation
import Netlink
import XCTest

/// A failed message fails the whole transaction, and the error names what failed.
final class ErrorTests: XCTestCase {
    let table = NFTTableID(.inet, "skiff-test")

    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    func testRuleInMissingChainFailsTheBatchAndIsNamed() throws {
        for mode in [NFTBatch.Acknowledgements.everyMessage, .errorsOnly] {
            try TestNamespace.with { ns in
                let error = try ns.inside { [table] () -> NetlinkError? in
                    let batch = NFTBatch(acknowledgements: mode)
                    batch.add(NFTTable(.inet, table.name))                                      // 1st
                    batch.add(NFTChain(table: table, name: "svc-abc"))                           // 2nd
                    batch.add(NFTRule(table: table, chain: "svc-missing", [.counter, .verdict(.accept)],
                                      comment: "the broken one"))                                // 3rd
                    batch.add(NFTSet.map(table: table, name: "service-ips", key: [.ipv4Addr, .inetProto, .inetService],
                                         data: .verdict))
                    batch.add(elements: [NFTSetElement([NFTValue(ipv4: "10.96.0.1")!, .tcp, .inetService(80)],
                                                       .goto("svc-abc"))], to: "service-ips", in: table)
                    do {
                        try batch.commit(on: NetlinkSocket())
                        return nil
                    } catch let error as NetlinkError {
                        return error
                    }
                }
                let failure = try XCTUnwrap(error, "\(mode): the batch must fail")
                XCTAssertEqual(failure.errno, ENOENT)
                XCTAssertEqual(failure.operation, "add rule")
                XCTAssertTrue(failure.object.hasPrefix("inet skiff-test/svc-missing"), failure.object)
                XCTAssertTrue(failure.object.contains("the broken one"), failure.object)
                XCTAssertTrue(failure.otherFailures.isEmpty, "\(failure.otherFailures)")
                XCTAssertTrue(failure.description.contains("add rule inet skiff-test/svc-missing"), failure.description)
                print("\(mode): \(failure)")

                // All or nothing: not even the table of the 1st message is there.
                XCTAssertEqual(try ns.exec("nft", "list", "ruleset").trimmingCharacters(in: .whitespacesAndNewlines), "")
            }
        }
    }

    func testRejectedElementIsNamedByItsKey() throws {
        try TestNamespace.with { ns in
            let error = try ns.inside { [table] () -> NetlinkError? in
                let socket = try NetlinkSocket()
                let setup = NFTBatch()
                setup.add(NFTTable(.inet, table.name))
                setup.add(NFTChain(table: table, name: "svc-a"))
                setup.add(NFTSet.map(table: table, name: "service-ips", key: [.ipv4Addr, .inetProto, .inetService],
                                     data: .verdict))
                setup.add(elements: [NFTSetElement([NFTValue(ipv4: "10.96.0.77")!, .udp, .inetService(53)], .goto("svc-a"))],
                          to: "service-ips", in: table)
                try setup.commit(on: socket)

                // 3000 new elements and, in the middle, one that already exists: `create` refuses it.
                var elements = (0..<3000).map { i in
                    NFTSetElement([NFTValue(ipv4: 0x0a60_1000 + UInt32(i)), .tcp, .inetService(80)], .goto("svc-a"))
                }
                elements.insert(NFTSetElement([NFTValue(ipv4: "10.96.0.77")!, .udp, .inetService(53)], .goto("svc-a")), at: 2500)
                let batch = NFTBatch()
                batch.create(elements: elements, to: "service-ips", in: table)
                batch.add(NFTChain(table: table, name: "svc-b"))
                do {
                    try batch.commit(on: socket)
                    return nil
                } catch let error as NetlinkError {
                    return error
                }
            }
            let failure = try XCTUnwrap(error)
            XCTAssertEqual(failure.errno, EEXIST)
            XCTAssertEqual(failure.operation, "create element")
            XCTAssertTrue(failure.object.contains("inet skiff-test/service-ips element 10.96.0.77 . udp . 53 (#2500)"),
                          failure.object)
            print(failure)
            let map = try ns.nftJSON("map", "inet", "skiff-test", "service-ips")
            XCTAssertEqual((ns.listed("map", in: map).first?["elem"] as? [Any])?.count, 1, "nothing of the batch applied")
            XCTAssertFalse(try ns.exec("nft", "list", "chains").contains("svc-b"))
        }
    }

    func testBadExpressionIsNamed() throws {
        try TestNamespace.with { ns in
            let error = try ns.inside { [table] () -> NetlinkError? in
                let batch = NFTBatch()
                batch.add(NFTTable(.inet, table.name))
                batch.add(NFTChain(table: table, name: "c"))
                // Looks up a set that does not exist: the kernel points at the lookup expression.
                batch.add(NFTRule(table: table, chain: "c",
                                  NFT.lookup([.ipDaddr], set: "nowhere", family: .inet) + [.verdict(.drop)]))
                do {
                    try batch.commit(on: NetlinkSocket())
                    return nil
                } catch let error as NetlinkError {
                    return error
                }
            }
            let failure = try XCTUnwrap(error)
            XCTAssertEqual(failure.errno, ENOENT)
            XCTAssertEqual(failure.operation, "add rule")
            XCTAssertTrue(failure.object.hasPrefix("inet skiff-test/c"), failure.object)
            print(failure)
            XCTAssertEqual(try ns.exec("nft", "list", "ruleset").trimmingCharacters(in: .whitespacesAndNewlines), "")
        }
    }

    func testSocketErrorsAreNamedToo() throws {
        XCTAssertThrowsError(try NetlinkSocket(bus: 9999)) { error in
            XCTAssertEqual((error as? NetlinkError)?.operation, "open netlink socket")
        }
    }
}
