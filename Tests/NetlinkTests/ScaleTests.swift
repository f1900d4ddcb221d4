import Foundation
import Netlink
import XCTest

/// Transactions of the size a large cluster needs. Times are printed, never asserted
/// (speed targets live in bench/).
final class ScaleTests: XCTestCase {
    let table = NFTTableID(.inet, "skiff-test")

    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    func testHundredThousandMapElementsInOneTransaction() throws {
        let elementCount = 100_000, serviceChains = 1_000
        try TestNamespace.with { ns in
            let report = try ns.inside { [table] in
                let start = ContinuousClock.now
                let batch = NFTBatch()
                batch.add(NFTTable(.inet, table.name))
                batch.add(NFTSet.map(table: table, name: "service-ips", key: [.ipv4Addr, .inetProto, .inetService],
                                     data: .verdict))
                for i in 0..<serviceChains { batch.add(NFTChain(table: table, name: "svc-\(i)")) }
                let elements = (0..<elementCount).map { i -> NFTSetElement in
                    let address = NFTValue(ipv4: 0x0a60_0000 + UInt32(i))
                    let proto: NFTValue = i % 2 == 0 ? .tcp : .udp
                    let port = NFTValue.inetService(UInt16(80 + i % 7))
                    return NFTSetElement([address, proto, port], .goto("svc-\(i % serviceChains)"))
                }
                batch.add(elements: elements, to: "service-ips", in: table)
                let built = ContinuousClock.now
                let report = try batch.commit(on: NetlinkSocket())
                let committed = ContinuousClock.now
                print("""
                    [scale] \(elementCount) map elements + \(serviceChains) chains: \(report.messages) messages, \
                    \(report.bytes / 1024) KiB in \(report.pages) page(s); build \(built - start), commit \(committed - built)
                    """)
                return report
            }
            XCTAssertEqual(report.acknowledgements, report.messages)
            XCTAssertGreaterThan(report.messages, 1 + 1 + serviceChains + 1, "elements are split over several messages")
            let map = ns.listed("map", in: try ns.nftJSON("map", "inet", "skiff-test", "service-ips"))
            XCTAssertEqual((map.first?["elem"] as? [Any])?.count, elementCount)
        }
    }

    /// The proxy's full sync at 10,000 services of 2 endpoints each: 30,000 chains, 40,000
    /// rules (endpoints chosen by a numgen cascade), 10,000 dispatch elements, one transaction.
    func testTenThousandServicesInOneTransaction() throws {
        try services(10_000, balance: .cascade)
    }

    /// The same shape with nft's `numgen random mod N vmap { … }`, i.e. one anonymous map per
    /// service: correct, but the kernel's cost grows with the square of the number of sets
    /// (see `NFT.numgenCascade`), so this runs at 1,000 services.
    func testThousandServicesWithAnonymousMapsInOneTransaction() throws {
        try services(1_000, balance: .anonymousMaps)
    }

    enum Balance: String { case cascade, anonymousMaps }

    private func services(_ services: Int, balance: Balance) throws {
        for mode in [NFTBatch.Acknowledgements.everyMessage, .errorsOnly] {
            try TestNamespace.with { ns in
                let report = try ns.inside { [table] in
                    let start = ContinuousClock.now
                    let batch = NFTBatch(acknowledgements: mode)
                    Self.addServices(services, balance: balance, to: batch, table: table)
                    let built = ContinuousClock.now
                    let report = try batch.commit(on: NetlinkSocket())
                    let committed = ContinuousClock.now
                    print("""
                        [scale] \(services) services × 2 endpoints (\(balance)), acks \(mode): \(report.messages) messages, \
                        \(report.bytes / 1024) KiB in \(report.pages) page(s); build \(built - start), commit \(committed - built)
                        """)
                    return report
                }
                XCTAssertEqual(report.acknowledgements, mode == .everyMessage ? report.messages : 0)
                let json = try ns.nftJSON("ruleset")
                XCTAssertEqual(ns.listed("chain", in: json).count, services * 3 + 2)
                XCTAssertEqual(ns.listed("rule", in: json).count, services * (balance == .cascade ? 4 : 3) + 2)
                let map = ns.listed("map", in: try ns.nftJSON("map", "inet", "skiff-test", "service-ips"))
                XCTAssertEqual((map.first?["elem"] as? [Any])?.count, services)
            }
        }
    }

    static func addServices(_ services: Int, balance: Balance, to batch: NFTBatch, table: NFTTableID) {
        batch.add(NFTTable(.inet, table.name))
        batch.add(NFTSet.map(table: table, name: "service-ips", key: [.ipv4Addr, .inetProto, .inetService], data: .verdict))
        batch.add(NFTChain(table: table, name: "services"))
        batch.add(NFTChain(table: table, name: "nat-prerouting",
                           base: .init(type: .nat, hook: .prerouting, priority: NFTChain.Priority.dstnat)))
        batch.add(NFTRule(table: table, chain: "nat-prerouting", [.verdict(.jump("services"))]))
        batch.add(NFTRule(table: table, chain: "services",
                          NFT.vmap([.ipDaddr, .l4proto, .thDport], map: "service-ips", family: .inet)))
        var elements: [NFTSetElement] = []
        elements.reserveCapacity(services)
        for s in 0..<services {
            let service = "svc-\(s)"
            batch.add(NFTChain(table: table, name: service))
            var endpoints: [NFTVerdict] = []
            for e in 0..<2 {
                let chain = "ep-\(s)-\(e)"
                batch.add(NFTChain(table: table, name: chain))
                let pod = NFTValue(ipv4: 0x0af4_0000 + UInt32(s * 2 + e))
                batch.add(NFTRule(table: table, chain: chain,
                                  NFT.match(.l4proto, .eq, .tcp, family: .inet) + NFT.dnat(to: pod, port: 8080)))
                endpoints.append(.goto(chain))
            }
            switch balance {
            case .cascade:
                for rule in NFT.numgenCascade(endpoints) { batch.add(NFTRule(table: table, chain: service, rule)) }
            case .anonymousMaps:
                batch.add(NFTRule(table: table, chain: service, NFT.numgenVmap(endpoints)))
            }
            elements.append(NFTSetElement([NFTValue(ipv4: 0x0a60_0000 + UInt32(s)), .tcp, .inetService(80)], .goto(service)))
        }
        batch.add(elements: elements, to: "service-ips", in: table)
    }
}
