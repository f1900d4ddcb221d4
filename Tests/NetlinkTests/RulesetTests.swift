import Foundation
import Netlink
import XCTest

/// The library against nft itself: the same ruleset, programmed once through NFTBatch and
/// once with `nft -f`, each in its own namespace, must list identically (text and JSON).
final class RulesetTests: XCTestCase {
    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    func testServiceRulesetIsWhatNftBuilds() throws {
        let ours = try programmed(ServiceRuleset.add)
        let theirs = try loadedByNft(ServiceRuleset.nftText)
        // The kernel's own account of both rulesets, expression by expression (it prints
        // registers in its canonical numbering, so this compares meaning, not spelling).
        XCTAssertEqual(ours.bytecode, theirs.bytecode)
        XCTAssertEqual(ours.bytecode.count, 21, "every rule of the fixture")
        XCTAssertTrue(ours.bytecode.contains { $0.contains("[ payload load 4b @ network header + 16 => reg 1 ]")
            && $0.contains("[ meta load l4proto => reg 9 ]") && $0.contains("[ payload load 2b @ transport header + 2 => reg 10 ]")
            && $0.contains("[ lookup reg 1 set service-ips dreg 0") }, "the concatenated dispatch, register for register")
        XCTAssertEqual(ours.text, theirs.text)
        XCTAssertEqual(ours.json as NSArray, theirs.json as NSArray)

        // And the objects are the ones asked for, read from the JSON.
        let json = ours.raw
        XCTAssertEqual(names("table", json), ["skiff-test"])
        XCTAssertEqual(names("map", json), ["service-ips", "service-ips-v6"])
        XCTAssertEqual(Set(names("chain", json)), ["services", "mark-for-masquerade", "svc-api", "ep-api-0", "ep-api-1",
                                                   "svc-dns", "ep-dns-0", "svc-v6", "ep-v6-0", "svc-cascade", "nat-prerouting",
                                                   "nat-output", "nat-postrouting", "filter-output"])
        let prerouting = objects("chain", json).first { $0["name"] as? String == "nat-prerouting" }!
        XCTAssertEqual(prerouting["type"] as? String, "nat")
        XCTAssertEqual(prerouting["hook"] as? String, "prerouting")
        XCTAssertEqual(prerouting["prio"] as? Int, -100)
        XCTAssertEqual(prerouting["policy"] as? String, "accept")

        let serviceIPs = objects("map", json).first { $0["name"] as? String == "service-ips" }!
        XCTAssertEqual(serviceIPs["type"] as? [String], ["ipv4_addr", "inet_proto", "inet_service"])
        XCTAssertEqual(serviceIPs["map"] as? String, "verdict")
        XCTAssertEqual((serviceIPs["elem"] as? [Any])?.count, 3)

        // The dispatch rule is one concatenated lookup into the verdict map.
        let dispatch = objects("rule", json).first { $0["chain"] as? String == "services" }!
        let vmap = (dispatch["expr"] as! [[String: Any]]).compactMap { $0["vmap"] as? [String: Any] }.first!
        XCTAssertEqual(vmap["data"] as? String, "@service-ips")
        let concat = ((vmap["key"] as? [String: Any])?["concat"] as? [[String: Any]])
        XCTAssertEqual(concat?.count, 3)

        // numgen + anonymous vmap, with the comment kept as user data.
        let balance = objects("rule", json).first { $0["chain"] as? String == "svc-api" && $0["comment"] != nil }!
        XCTAssertEqual(balance["comment"] as? String, "default/kubernetes:https")
        XCTAssertTrue(ours.text.contains("numgen random mod 2 vmap { 0 : goto ep-api-0, 1 : goto ep-api-1 }"))
        XCTAssertTrue(ours.text.contains("meta l4proto tcp dnat ip to 10.244.1.5:6443"))
        XCTAssertTrue(ours.text.contains("meta l4proto tcp dnat ip6 to [fd00:10:244::5]:8080"))
        XCTAssertTrue(ours.text.contains("ip saddr != 10.244.0.0/16 jump mark-for-masquerade"))
        XCTAssertTrue(ours.text.contains("meta mark set meta mark | 0x00004000"))
        XCTAssertTrue(ours.text.contains("ip daddr . meta l4proto . th dport vmap @service-ips"))
    }

    func testOtherExpressionsAreWhatNftBuilds() throws {
        let ours = try programmed(MiscellaneousRuleset.add)
        let theirs = try loadedByNft(MiscellaneousRuleset.nftText)
        XCTAssertEqual(ours.bytecode, theirs.bytecode)
        XCTAssertEqual(ours.text, theirs.text)
        XCTAssertEqual(ours.json as NSArray, theirs.json as NSArray)
        XCTAssertTrue(ours.text.contains("elements = { 10.0.0.0/8, 192.168.1.1 }"), ours.text)
        XCTAssertTrue(ours.text.contains("elements = { 10.0.0.0/8 . 80-90 }"), ours.text)
        XCTAssertTrue(ours.text.contains("iifname @ifs counter packets 0 bytes 0 accept comment \"from eth0\""), ours.text)
    }

    func testBothAcknowledgementModesCommit() throws {
        for mode in [NFTBatch.Acknowledgements.everyMessage, .errorsOnly] {
            let listing = try TestNamespace.with { ns in
                let report = try ns.inside {
                    let batch = NFTBatch(acknowledgements: mode)
                    ServiceRuleset.add(to: batch)
                    return try batch.commit(on: NetlinkSocket())
                }
                if mode == .everyMessage {
                    XCTAssertEqual(report.acknowledgements, report.messages)
                } else {
                    XCTAssertEqual(report.acknowledgements, 0)
                    XCTAssertTrue(report.endAcknowledged)
                }
                return try ns.exec("nft", "list", "ruleset")
            }
            XCTAssertTrue(listing.contains("map service-ips"), "\(mode)")
        }
    }

    // MARK: helpers

    struct Listing {
        /// Every rule's expressions as libnftnl prints them (the `nft --debug=netlink` format).
        var bytecode: [String]
        var text: String
        /// Objects with kernel-assigned handles removed and element lists sorted: what two
        /// programmings of the same ruleset must agree on.
        var json: [Any]
        var raw: [[String: Any]]
    }

    private func programmed(_ build: @escaping @Sendable (NFTBatch) -> Void) throws -> Listing {
        try TestNamespace.with { ns in
            let bytecode = try ns.inside {
                let batch = NFTBatch()
                build(batch)
                try batch.commit(on: NetlinkSocket())
                return try RuleBytecode.dump()
            }
            return try listing(ns, bytecode: bytecode)
        }
    }

    private func loadedByNft(_ text: String) throws -> Listing {
        try TestNamespace.with { ns in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(ns.name).nft")
            try text.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            try ns.exec("nft", "-f", file.path)
            return try listing(ns, bytecode: ns.inside { try RuleBytecode.dump() })
        }
    }

    private func listing(_ ns: TestNamespace, bytecode: [String]) throws -> Listing {
        let text = try ns.exec("nft", "list", "ruleset")
            .replacingOccurrences(of: #" expires [0-9hms]+"#, with: "", options: .regularExpression)
        let raw = try ns.nftJSON("ruleset")
        let normalized = raw.filter { $0["metainfo"] == nil }.map(Self.normalize)
        return Listing(bytecode: bytecode, text: text, json: normalized, raw: raw)
    }

    private static func normalize(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, inner) in object where key != "handle" && key != "expires" {
                out[key] = normalize(inner)
            }
            if let elements = out["elem"] as? [Any] {
                out["elem"] = elements.sorted { "\($0)" < "\($1)" }
            }
            return out
        }
        if let array = value as? [Any] { return array.map(normalize) }
        return value
    }

    private func objects(_ kind: String, _ json: [[String: Any]]) -> [[String: Any]] {
        json.compactMap { $0[kind] as? [String: Any] }
    }

    private func names(_ kind: String, _ json: [[String: Any]]) -> [String] {
        objects(kind, json).compactMap { $0["name"] as? String }
    }
}
