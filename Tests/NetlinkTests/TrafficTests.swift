import Foundation
import Netlink
import XCTest

/// One look at real packets: what the library programs is what the kernel enforces.
final class TrafficTests: XCTestCase {
    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    func testTCPResetRefusesAtOnce() throws {
        try TestNamespace.with { ns in
            // Loopback plus a veth pair with both ends in the namespace, one holding 10.0.0.2/24:
            // 10.0.0.1 is routable but nobody answers, so without the rule a connect hangs.
            // (No dummy links here: the kernel lacks the module.)
            try ns.exec("ip", "link", "set", "lo", "up")
            try ns.exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
            try ns.exec("ip", "addr", "add", "10.0.0.2/24", "dev", "v0")
            try ns.exec("ip", "link", "set", "v0", "up")
            try ns.exec("ip", "link", "set", "v1", "up")

            XCTAssertEqual(try connect(in: ns, timeout: 1), "timeout", "without the rule the connect hangs")

            try ns.inside {
                let table = NFTTableID(.inet, "skiff-test")
                let batch = NFTBatch()
                batch.add(NFTTable(.inet, table.name))
                batch.add(NFTChain(table: table, name: "output",
                                   base: .init(type: .filter, hook: .output, priority: NFTChain.Priority.filter)))
                batch.add(NFTRule(table: table, chain: "output", parts: [
                    NFT.match(.ipDaddr, .eq, NFTValue(ipv4: "10.0.0.1")!, family: .inet),
                    NFT.match(.l4proto, .eq, .tcp, family: .inet),
                    NFT.match(.thDport, .eq, .inetService(80), family: .inet),
                    [.counter, .reject(.tcpReset)],
                ]))
                try batch.commit(on: NetlinkSocket())
            }
            XCTAssertTrue(try ns.exec("nft", "list", "ruleset").contains("ip daddr 10.0.0.1 tcp dport 80 counter"))

            let start = ContinuousClock.now
            XCTAssertEqual(try connect(in: ns, timeout: 5), "ECONNREFUSED", "the reset refuses the connection")
            print("[traffic] connect to 10.0.0.1:80 refused after \(ContinuousClock.now - start) (includes starting python)")
            let rules = ns.listed("rule", in: try ns.nftJSON("chain", "inet", "skiff-test", "output"))
            let counter = (rules.first?["expr"] as? [[String: Any]])?.compactMap { $0["counter"] as? [String: Any] }.first
            XCTAssertGreaterThan(counter?["packets"] as? Int ?? 0, 0, "the rule saw the SYN")
        }
    }

    /// Connects to 10.0.0.1:80 from inside the namespace: "connected", "timeout" or the errno name.
    private func connect(in ns: TestNamespace, timeout: Int) throws -> String {
        let script = """
            import errno, socket
            s = socket.socket()
            s.settimeout(\(timeout))
            try:
                s.connect(("10.0.0.1", 80)); print("connected")
            except socket.timeout:
                print("timeout")
            except OSError as e:
                print(errno.errorcode.get(e.errno, str(e.errno)))
            """
        return try ns.exec("/usr/bin/python3", "-c", script).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
