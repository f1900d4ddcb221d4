import Foundation
import Netlink
import Overlay
import SkiffTestSupport
import XCTest

/// The masquerade table, programmed over nfnetlink in a throwaway namespace and read back
/// with `nft -j`.
final class MasqueradeTests: XCTestCase {
    func testTableContentAndReplacement() throws {
        let namespace = "skiff-ov-nat-" + String(UInt64.random(in: 0..<(1 << 32)), radix: 16)
        try Shell.run(["ip", "netns", "add", namespace])
        defer { _ = try? Shell.run(["ip", "netns", "del", namespace]) }
        let ns = try NetworkNamespace(named: namespace)
        // Twice: the second apply replaces the first (no duplicate rules, no error).
        for _ in 0..<2 {
            try ns.run { try Masquerade(clusterCIDR: IPPrefix("10.244.0.0/16")!).apply(on: NetlinkSocket()) }
        }
        let text = try Shell.run(["ip", "netns", "exec", namespace, "nft", "-j", "list", "table", "ip", "skiff-overlay"])
        let objects = (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["nftables"] as? [[String: Any]] ?? []
        let chains = objects.compactMap { $0["chain"] as? [String: Any] }
        XCTAssertEqual(chains.count, 1)
        XCTAssertEqual(chains.first?["type"] as? String, "nat")
        XCTAssertEqual(chains.first?["hook"] as? String, "postrouting")
        XCTAssertEqual(chains.first?["prio"] as? Int, 100)
        let rules = objects.compactMap { $0["rule"] as? [String: Any] }
        XCTAssertEqual(rules.count, 3, text)
        let plain = try Shell.run(["ip", "netns", "exec", namespace, "nft", "list", "table", "ip", "skiff-overlay"])
        XCTAssertTrue(plain.contains("ip saddr 10.244.0.0/16 ip daddr 10.244.0.0/16 return"), plain)
        XCTAssertTrue(plain.contains("ip saddr 10.244.0.0/16 ip daddr 224.0.0.0/4 return"), plain)
        XCTAssertTrue(plain.contains("ip saddr 10.244.0.0/16 masquerade fully-random"), plain)

        try ns.run { try Masquerade.remove(on: NetlinkSocket()) }
        let after = try Shell.run(["ip", "netns", "exec", namespace, "nft", "list", "ruleset"])
        XCTAssertFalse(after.contains("skiff-overlay"), after)
        // Removing again is not an error.
        try ns.run { try Masquerade.remove(on: NetlinkSocket()) }
    }
}

extension MasqueradeTests {
    /// Pod traffic to a host outside the cluster (which has no route back to pods) works only
    /// once masqueraded; pod-to-pod traffic keeps its pod source address.
    func testPodTrafficLeavingTheClusterIsMasqueraded() throws {
        try OverlayTestbed.with(nodes: 2) { bed in
            let (n1, n2) = (bed.nodes[0], bed.nodes[1])
            for node in bed.nodes { try node.ensureDevice() }
            try n1.reconcile([n2])
            try n2.reconcile([n1])
            let outside = ["ping", "-c1", "-W1", "-I", n1.podIP, OverlayTestbed.outsideIP]
            XCTAssertNotEqual(try Shell.status(["ip", "netns", "exec", n1.namespace] + outside).status, 0,
                              "without masquerade the outside host cannot answer a pod")
            try NetworkNamespace(named: n1.namespace).run {
                try Masquerade(clusterCIDR: IPPrefix("10.244.0.0/16")!).apply(on: NetlinkSocket())
            }
            XCTAssertEqual(try Shell.status(["ip", "netns", "exec", n1.namespace] + outside).status, 0)

            // On node2, count what arrives from node1's pod address: pod to pod is not rewritten.
            try n2.exec("nft", "add table ip count; add chain ip count in { type filter hook input priority 0; };"
                        + " add rule ip count in ip saddr \(n1.podIP) counter")
            XCTAssertTrue(n1.ping(n2))
            let rules = try n2.exec("nft", "list", "chain", "ip", "count", "in")
            XCTAssertTrue(rules.contains("counter packets 1 "), rules)
        }
    }
}
