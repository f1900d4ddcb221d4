import Foundation
import KubeAPI
import SkiffTestSupport
import XCTest
@testable import ProxyDataplane
import Netlink

/// Size sanity check (timings are printed, never asserted: targets live in bench/).
final class ProxyScaleTests: XCTestCase {
    static let count = 10_000

    static func ip(_ base: UInt32, _ i: Int) -> String {
        let v = base + UInt32(i)
        return "\(v >> 24).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)"
    }

    static func slice(_ service: String, _ ips: [String]) -> EndpointSlice {
        Fixture.slice("\(service)-1", service: service, endpoints: ips.map { Fixture.endpoint($0) })
    }

    /// Endpoints of service i: two per service, consecutive addresses in 10.244/16.
    static func endpoints(_ i: Int) -> [String] { [ip(0x0AF4_0000, 2 * i), ip(0x0AF4_0000, 2 * i + 1)] }

    static func service(_ i: Int) -> Service {
        Fixture.service("s\(i)", clusterIP: ip(0x0A60_0000 + 10, i), ports: [ServicePort(name: "http", protocol: "TCP", port: 80)])
    }

    func testTenThousandServicesFullAndPartialSync() throws {
        try run(layout: "flat", config: Self.config())
    }

    /// The same with every service in the per-service layout (`maxSharedEndpoints: 0`: a chain
    /// per service and per endpoint, as before the flat layout), for comparison on this machine.
    func testTenThousandServicesDedicatedChainsForComparison() throws {
        try run(layout: "dedicated", config: Self.config(maxSharedEndpoints: 0))
    }

    static func config(maxSharedEndpoints: Int = 64) -> RulesetConfig {
        RulesetConfig(clusterCIDRs: [IPPrefix("10.244.0.0/16")!], serviceCIDRs: [IPPrefix("10.96.0.0/12")!],
                      nodePortAddresses: [IPAddress("192.168.50.1")!], maxSharedEndpoints: maxSharedEndpoints)
    }

    private func run(layout: String, config: RulesetConfig) throws {
        let name = "skp-scale-" + String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
        try Shell.run(["ip", "netns", "add", name])
        defer { _ = try? Shell.status(["ip", "netns", "del", name]) }
        let syncer = try ProxySyncer(configs: [config], networkNamespace: "/var/run/netns/\(name)")
        var model = ProxyModel(config: Fixture.config())
        let count = Self.count
        for i in 0..<count {
            model.serviceAdded(Self.service(i))
            model.endpointSliceAdded(Self.slice("s\(i)", Self.endpoints(i)))
        }
        let full = try syncer.syncNow(applying: &model)
        let chains = syncer.programmed[0].chainCount
        print("[proxy-scale] \(layout): full sync of \(count) services x 2: \(chains) chains, \(full.messages) messages, \(full.bytes) bytes, \(full.duration) (kernel \(full.commitDuration))")
        XCTAssertTrue(full.full)

        let listed = try Shell.run(["ip", "netns", "exec", name, "nft", "list", "map", "ip", "skiff-proxy", "service-ips"])
        let dispatch = config.maxSharedEndpoints >= 2 ? "goto cluster-lb-2" : "goto service-"
        XCTAssertEqual(listed.components(separatedBy: dispatch).count - 1, count)

        // One-service changes, each its own partial sync, five of each kind: the kernel's time
        // (commit: send and acknowledgements) is what the layout decides.
        func measure(_ label: String, _ change: (Int, inout ProxyModel) -> Void) throws {
            var kernel: [Duration] = [], total: [Duration] = []
            var messages = 0
            for round in 0..<5 {
                change(round, &model)
                let report = try syncer.syncNow(applying: &model)
                XCTAssertFalse(report.full, label)
                XCTAssertLessThan(report.messages, 20, label)
                kernel.append(report.commitDuration)
                total.append(report.duration)
                messages = report.messages
            }
            func ms(_ d: Duration) -> String {
                let v = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
                return String(format: "%.2f", v)
            }
            let sorted = kernel.sorted()
            print("[proxy-scale] \(layout): \(label): kernel median \(ms(sorted[2])) ms (min \(ms(sorted[0])), max \(ms(sorted[4]))), "
                  + "whole sync median \(ms(total.sorted()[2])) ms, \(messages) messages")
        }
        // An endpoint replaced by another: same count.
        try measure("endpoint replaced") { round, m in
            let i = 100 + round
            m.endpointSliceUpdated(old: Self.slice("s\(i)", []), new: Self.slice("s\(i)", [Self.endpoints(i)[0], "10.250.0.\(round + 1)"]))
        }
        // An endpoint added: the count changes 2 → 3.
        try measure("endpoint added") { round, m in
            let i = 200 + round
            m.endpointSliceUpdated(old: Self.slice("s\(i)", []), new: Self.slice("s\(i)", Self.endpoints(i) + ["10.251.0.\(round + 1)"]))
        }
        // An endpoint removed: 2 → 1.
        try measure("endpoint removed") { round, m in
            let i = 300 + round
            m.endpointSliceUpdated(old: Self.slice("s\(i)", []), new: Self.slice("s\(i)", [Self.endpoints(i)[0]]))
        }
        // A new service with two endpoints.
        try measure("service added") { round, m in
            let i = count + round
            m.serviceAdded(Self.service(i))
            m.endpointSliceAdded(Self.slice("s\(i)", Self.endpoints(i)))
        }
        // A service deleted.
        try measure("service deleted") { round, m in
            m.serviceDeleted(Self.service(400 + round))
        }

        // What the kernel charges for one small transaction in this table, through nft itself:
        // any jump/goto (rule or map element) makes it validate the whole table at commit.
        for (label, command) in [
            ("counter rule", "add rule ip skiff-proxy masquerading counter"),
            ("goto map element", "add element ip skiff-proxy no-endpoint-nodeports { tcp . 1 : goto reject-chain }"),
            ("drop map element", "add element ip skiff-proxy no-endpoint-nodeports { tcp . 2 : drop }"),
        ] {
            let start = ContinuousClock.now
            try Shell.run(["ip", "netns", "exec", name, "nft", command])
            print("[proxy-scale] \(layout): nft \(label) at \(count) services: \(ContinuousClock.now - start) (includes exec)")
        }

        let again = try syncer.syncNow(applying: &model, full: true)
        print("[proxy-scale] \(layout): full resync over an existing table: \(again.duration) (kernel \(again.commitDuration))")
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
