import Foundation
import KubeAPI
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane

/// Size sanity check (timings are printed, never asserted: targets live in bench/).
final class ProxyScaleTests: XCTestCase {
    func testTenThousandServicesFullAndPartialSync() throws {
        let name = "skp-scale-" + String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
        try Shell.run(["ip", "netns", "add", name])
        defer { _ = try? Shell.status(["ip", "netns", "del", name]) }
        let config = RulesetConfig(clusterCIDRs: [IPPrefix("10.244.0.0/16")!], serviceCIDRs: [IPPrefix("10.96.0.0/12")!],
                                   nodePortAddresses: [IPAddress("192.168.50.1")!])
        let syncer = try ProxySyncer(configs: [config], networkNamespace: "/var/run/netns/\(name)")
        var model = ProxyModel(config: Fixture.config())
        let count = 10_000
        func ip(_ base: UInt32, _ i: Int) -> String {
            let v = base + UInt32(i)
            return "\(v >> 24).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)"
        }
        for i in 0..<count {
            model.serviceAdded(Fixture.service("s\(i)", clusterIP: ip(0x0A60_0000 + 10, i),
                                               ports: [ServicePort(name: "http", protocol: "TCP", port: 80)]))
            model.endpointSliceAdded(Fixture.slice("s\(i)-1", service: "s\(i)", endpoints: [
                Fixture.endpoint(ip(0x0AF4_0000, 2 * i)), Fixture.endpoint(ip(0x0AF4_0000, 2 * i + 1))]))
        }
        let full = try syncer.syncNow(applying: &model)
        print("[proxy-scale] full sync of \(count) services x 2: \(full.messages) messages, \(full.bytes) bytes, \(full.duration) (kernel \(full.commitDuration))")
        XCTAssertTrue(full.full)

        model.endpointSliceUpdated(old: Fixture.slice("s7-1", service: "s7", endpoints: []),
                                   new: Fixture.slice("s7-1", service: "s7", endpoints: [Fixture.endpoint("10.250.0.1")]))
        let partial = try syncer.syncNow(applying: &model)
        print("[proxy-scale] one-service change: \(partial.messages) messages, \(partial.bytes) bytes, \(partial.duration) (kernel \(partial.commitDuration))")
        XCTAssertFalse(partial.full)
        XCTAssertLessThan(partial.messages, 20)

        let listed = try Shell.run(["ip", "netns", "exec", name, "nft", "list", "map", "ip", "skiff-proxy", "service-ips"])
        XCTAssertEqual(listed.components(separatedBy: "goto service-").count - 1, count)

        // What the kernel charges for one small transaction in this table, through nft itself:
        // any jump/goto (rule or map element) makes it validate the whole table at commit.
        for (label, command) in [
            ("counter rule", "add rule ip skiff-proxy masquerading counter"),
            ("goto map element", "add element ip skiff-proxy no-endpoint-nodeports { tcp . 1 : goto reject-chain }"),
            ("drop map element", "add element ip skiff-proxy no-endpoint-nodeports { tcp . 2 : drop }"),
        ] {
            let start = ContinuousClock.now
            try Shell.run(["ip", "netns", "exec", name, "nft", command])
            print("[proxy-scale] nft \(label) at \(count) services: \(ContinuousClock.now - start) (includes exec)")
        }

        let again = try syncer.syncNow(applying: &model, full: true)
        print("[proxy-scale] full resync over an existing table: \(again.duration)")
        try syncer.cleanup()
    }
}

final class ProxyDriftDetectionTests: XCTestCase {
    func testSyncerNoticesAnyForeignCommitThroughTheGeneration() throws {
        let name = "skp-gen-" + String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
        try Shell.run(["ip", "netns", "add", name])
        defer { _ = try? Shell.status(["ip", "netns", "del", name]) }
        let syncer = try ProxySyncer(configs: [RulesetConfig(serviceCIDRs: [IPPrefix("10.96.0.0/12")!])],
                                     networkNamespace: "/var/run/netns/\(name)")
        var model = ProxyModel(config: Fixture.config())
        XCTAssertTrue(syncer.rulesetChangedSinceLastSync(), "unknown before the first sync")
        model.serviceAdded(Fixture.service("web", clusterIP: "10.96.0.20", ports: [ServicePort(name: "http", protocol: "TCP", port: 80)]))
        try syncer.syncNow(applying: &model)
        XCTAssertFalse(syncer.rulesetChangedSinceLastSync())
        try Shell.run(["ip", "netns", "exec", name, "nft", "add", "table", "inet", "unrelated"])
        XCTAssertTrue(syncer.rulesetChangedSinceLastSync(), "any commit counts, even to another table")
        try syncer.syncNow(applying: &model, full: true)
        XCTAssertFalse(syncer.rulesetChangedSinceLastSync())
        try Shell.run(["ip", "netns", "exec", name, "nft", "flush", "ruleset"])
        XCTAssertTrue(syncer.rulesetChangedSinceLastSync())
    }
}
