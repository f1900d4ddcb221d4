import Foundation
import Glibc
import Netlink
import SkiffTestSupport
import XCTest

/// The ctnetlink side against the real kernel, in throwaway namespaces: entries are made with
/// `conntrack -I` or real traffic, read back with the library, deleted, and checked with
/// `conntrack -L`.
final class ConntrackTests: XCTestCase {
    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    private let udp = UInt8(IPPROTO_UDP)
    private let tcp = UInt8(IPPROTO_TCP)

    private func address(_ text: String) -> IPAddress { IPAddress(text)! }

    private func tuple(_ source: String, _ sourcePort: UInt16, _ destination: String, _ destinationPort: UInt16,
                       proto: UInt8 = UInt8(IPPROTO_UDP)) -> ConntrackTuple {
        ConntrackTuple(source: address(source), destination: address(destination), l4Protocol: proto,
                       sourcePort: sourcePort, destinationPort: destinationPort)
    }

    /// `conntrack -L` in the namespace, one line per entry (the tool's summary goes to stderr).
    private func listed(_ ns: TestNamespace, _ arguments: String...) throws -> [String] {
        let r = try Shell.status(["ip", "netns", "exec", ns.name, "conntrack", "-L"] + arguments)
        guard r.status == 0 else { throw TestFailure("conntrack -L: \(r.error)") }
        return r.output.split(separator: "\n").map(String.init)
    }

    func testAddressesRoundTrip() {
        XCTAssertEqual(address("10.0.0.1").ipv4Value, 0x0a00_0001)
        XCTAssertEqual(address("10.0.0.1").bytes, [10, 0, 0, 1])
        XCTAssertEqual(address("fd00::a").description, "fd00::a")
        XCTAssertEqual(address("fd00::a").family, .ipv6)
        XCTAssertEqual(address("fd00::a").bytes.count, 16)
        XCTAssertNil(IPAddress("10.0.0.256"))
        XCTAssertEqual(tuple("10.0.0.1", 40000, "10.96.0.10", 53).description, "udp 10.0.0.1:40000 -> 10.96.0.10:53")
    }

    func testDumpReadsTuplesOfOneFamilyAndProtocolAndDeleteRemovesExactlyOne() throws {
        try TestNamespace.with { ns in
            // A DNATed service flow (reply from the endpoint), the same tuple in zone 7, a plain
            // UDP flow, a TCP flow and an IPv6 UDP flow.
            try ns.exec("conntrack", "-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.96.0.10", "--sport", "40000",
                        "--dport", "53", "-r", "10.244.0.5", "-q", "10.0.0.1", "--reply-port-src", "5353",
                        "--reply-port-dst", "40000", "-t", "120")
            try ns.exec("conntrack", "-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.96.0.10", "--sport", "40000",
                        "--dport", "53", "-t", "120", "--zone", "7")
            try ns.exec("conntrack", "-I", "-p", "udp", "-s", "10.0.0.2", "-d", "10.0.0.3", "--sport", "40001",
                        "--dport", "9999", "-t", "120")
            try ns.exec("conntrack", "-I", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1234",
                        "--dport", "80", "--state", "ESTABLISHED", "-t", "120")
            try ns.exec("conntrack", "-I", "-p", "udp", "-s", "fd00::1", "-d", "fd00::2", "--sport", "3000",
                        "--dport", "53", "-t", "120")

            let (udp4, all4, udp6, filtered) = try ns.inside {
                let socket = try ConntrackSocket()
                let udp4 = try socket.dump(family: .ipv4, l4Protocol: UInt8(IPPROTO_UDP))
                let filtered = socket.kernelFiltersDumps
                return (udp4, try socket.dump(family: .ipv4), try socket.dump(family: .ipv6, l4Protocol: UInt8(IPPROTO_UDP)),
                        filtered)
            }
            XCTAssertEqual(filtered, true, "Linux 6.x filters dumps by protocol (CTA_FILTER)")
            XCTAssertEqual(udp4.count, 3, "\(udp4)")
            XCTAssertEqual(all4.count, 4, "without a protocol the TCP flow is there too: \(all4)")
            XCTAssertTrue(all4.contains { $0.original == tuple("10.0.0.1", 1234, "10.0.0.2", 80, proto: tcp) })

            let service = try XCTUnwrap(udp4.first { $0.original.destination == address("10.96.0.10") && $0.zone == 0 })
            XCTAssertEqual(service.original, tuple("10.0.0.1", 40000, "10.96.0.10", 53))
            XCTAssertEqual(service.reply, tuple("10.244.0.5", 5353, "10.0.0.1", 40000), "the reply comes from the endpoint")
            XCTAssertNotNil(service.id)
            let zoned = try XCTUnwrap(udp4.first { $0.zone == 7 })
            XCTAssertEqual(zoned.original, service.original)
            XCTAssertEqual(zoned.reply, tuple("10.96.0.10", 53, "10.0.0.1", 40000))
            let plain = try XCTUnwrap(udp4.first { $0.original.destinationPort == 9999 })
            XCTAssertEqual(plain.original, tuple("10.0.0.2", 40001, "10.0.0.3", 9999))

            XCTAssertEqual(udp6.map(\.original), [tuple("fd00::1", 3000, "fd00::2", 53)])
            XCTAssertEqual(udp6.first?.reply, tuple("fd00::2", 53, "fd00::1", 3000))

            // Delete the service flow by its tuple and id: only it goes, not its zone-7 twin.
            let deleted = try ns.inside { try ConntrackSocket().delete(service) }
            XCTAssertTrue(deleted)
            var lines = try listed(ns, "-p", "udp", "-d", "10.96.0.10")
            XCTAssertEqual(lines.count, 1, "\(lines)")
            XCTAssertTrue(lines.first?.contains("zone=7") ?? false, "\(lines)")
            XCTAssertFalse(lines.joined().contains("10.244.0.5"))

            // Gone already: not an error.
            XCTAssertFalse(try ns.inside { try ConntrackSocket().delete(service) })

            // Another flow's id: the kernel refuses, the entry stays (a dump's entry never takes
            // down a newer flow that reuses its tuple).
            let stale = ConntrackEntry(original: plain.original, reply: plain.reply, id: plain.id.map { $0 &+ 1 })
            XCTAssertFalse(try ns.inside { try ConntrackSocket().delete(stale) })
            XCTAssertEqual(try listed(ns, "-p", "udp", "--dport", "9999").count, 1)

            // By tuple alone, in a zone, and IPv6.
            let more = try ns.inside {
                let socket = try ConntrackSocket()
                return try [socket.delete(zoned),
                            socket.delete(original: ConntrackTuple(source: IPAddress("fd00::1")!,
                                                                   destination: IPAddress("fd00::2")!,
                                                                   l4Protocol: UInt8(IPPROTO_UDP), sourcePort: 3000,
                                                                   destinationPort: 53))]
            }
            XCTAssertEqual(more, [true, true])
            lines = try listed(ns)
            XCTAssertEqual(lines.count, 2, "the plain UDP and the TCP flows remain: \(lines)")
            XCTAssertTrue(lines.contains { $0.contains("dport=9999") })
            XCTAssertTrue(lines.contains { $0.hasPrefix("tcp") })
        }
    }

    func testDumpAndDeleteThousandsOfEntries() throws {
        try TestNamespace.with { ns in
            try ns.exec("ip", "link", "set", "lo", "up")
            // Conntrack only tracks a namespace whose rules use it: one `ct` rule switches it on.
            try ns.exec("nft", "add", "table", "ip", "skiff-ct-test")
            try ns.exec("nft", "add", "chain", "ip", "skiff-ct-test", "out",
                        "{ type filter hook output priority 0; }")
            try ns.exec("nft", "add", "rule", "ip", "skiff-ct-test", "out", "ct", "state", "new", "counter")
            // Real traffic: one socket, 5000 destination ports on loopback, one entry each.
            let count = 5000
            try ns.exec("python3", "-c", """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(("127.0.0.1", 45000))
                for p in range(20000, 20000 + \(count)):
                    s.sendto(b"x", ("127.0.0.1", p))
                """)
            XCTAssertEqual(try listed(ns, "-p", "udp", "--sport", "45000").count, count)

            let entries = try ns.inside { try ConntrackSocket().dump(family: .ipv4, l4Protocol: UInt8(IPPROTO_UDP)) }
            XCTAssertEqual(entries.count, count, "every part of a multi-part dump is read")
            XCTAssertEqual(Set(entries.map(\.original.destinationPort)), Set((20000..<(20000 + count)).map(UInt16.init)))
            XCTAssertTrue(entries.allSatisfy { $0.original.source == self.address("127.0.0.1") && $0.original.sourcePort == 45000 })

            // Delete half in one call (chunks of requests per datagram), then check what remains.
            let half = entries.filter { $0.original.destinationPort % 2 == 0 }
            let result = try ns.inside { try ConntrackSocket().delete(half) }
            XCTAssertEqual(result, ConntrackDeletion(deleted: half.count, alreadyGone: 0))
            let remaining = try listed(ns, "-p", "udp", "--sport", "45000")
            XCTAssertEqual(remaining.count, count - half.count)
            XCTAssertFalse(remaining.contains { $0.contains("dport=20000 ") }, "even ports were deleted")

            // The same again: all gone already, counted as such.
            let again = try ns.inside { try ConntrackSocket().delete(half) }
            XCTAssertEqual(again, ConntrackDeletion(deleted: 0, alreadyGone: half.count))
        }
    }
}
