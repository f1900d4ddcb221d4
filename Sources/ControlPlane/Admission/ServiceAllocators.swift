import Foundation
import KubeAPI

/// Service ClusterIPs and NodePorts, as the API server allocates them upstream. The
/// allocated sets are rebuilt from the stored Services at start, so nothing is handed out
/// twice across restarts; within a run the actor serialises allocation.
actor ServiceAllocators {
    let cidr: IPv4CIDR
    let nodePorts: ClosedRange<Int>
    private var usedIPs: Set<UInt32> = []
    private var usedPorts: Set<Int> = []

    init(serviceCIDR: IPv4CIDR, nodePorts: ClosedRange<Int>) {
        cidr = serviceCIDR
        self.nodePorts = nodePorts
    }

    /// Marks what existing Services hold (at start).
    func recordExisting(_ service: JSONValue) {
        for ip in Self.clusterIPs(of: service) { if let v = IPv4CIDR.parse(ip) { usedIPs.insert(v) } }
        for port in Self.nodePorts(of: service) { usedPorts.insert(port) }
    }

    enum AllocationError: Error { case invalid(String), taken(String), full(String) }

    func allocateIP(_ requested: String?) throws -> String {
        if let requested {
            guard let v = IPv4CIDR.parse(requested) else { throw AllocationError.invalid("must be a valid IP address") }
            guard cidr.containsHost(v) else {
                throw AllocationError.invalid("the provided IP (\(requested)) is not in the valid range. The range of valid IPs is \(cidr)")
            }
            guard !usedIPs.contains(v) else { throw AllocationError.taken("failed to allocate IP \(requested): provided IP is already allocated") }
            usedIPs.insert(v)
            return requested
        }
        let size = cidr.hostCount
        guard UInt64(usedIPs.count) < size else { throw AllocationError.full("range is full") }
        // Random probing keeps allocation O(1) on average in a mostly-empty /12, and
        // avoids handing out the just-released address (upstream allocates randomly too).
        for _ in 0..<4096 {
            let v = cidr.host(UInt32.random(in: 1...UInt32(size)))
            if !usedIPs.contains(v) && !cidr.isReservedLowBand(v) {
                usedIPs.insert(v)
                return IPv4CIDR.format(v)
            }
        }
        for offset in 1...UInt32(size) where !usedIPs.contains(cidr.host(offset)) {
            usedIPs.insert(cidr.host(offset))
            return IPv4CIDR.format(cidr.host(offset))
        }
        throw AllocationError.full("range is full")
    }

    func releaseIP(_ ip: String) {
        if let v = IPv4CIDR.parse(ip) { usedIPs.remove(v) }
    }

    func allocatePort(_ requested: Int?) throws -> Int {
        if let requested {
            guard nodePorts.contains(requested) else {
                throw AllocationError.invalid("provided port is not in the valid range. The range of valid ports is \(nodePorts.lowerBound)-\(nodePorts.upperBound)")
            }
            guard !usedPorts.contains(requested) else { throw AllocationError.taken("provided port is already allocated") }
            usedPorts.insert(requested)
            return requested
        }
        guard usedPorts.count < nodePorts.count else { throw AllocationError.full("range is full") }
        for _ in 0..<1024 {
            let p = Int.random(in: nodePorts)
            if !usedPorts.contains(p) {
                usedPorts.insert(p)
                return p
            }
        }
        for p in nodePorts where !usedPorts.contains(p) {
            usedPorts.insert(p)
            return p
        }
        throw AllocationError.full("range is full")
    }

    func releasePort(_ port: Int) { usedPorts.remove(port) }

    static func clusterIPs(of service: JSONValue) -> [String] {
        var ips = (service[path: ["spec", "clusterIPs"]]?.arrayValue ?? []).compactMap(\.stringValue)
        if ips.isEmpty, let ip = service[path: ["spec", "clusterIP"]]?.stringValue { ips = [ip] }
        return ips.filter { $0 != "None" && !$0.isEmpty }
    }

    static func nodePorts(of service: JSONValue) -> [Int] {
        var ports = (service[path: ["spec", "ports"]]?.arrayValue ?? []).compactMap { $0["nodePort"]?.intValue }.map(Int.init)
        if let hc = service[path: ["spec", "healthCheckNodePort"]]?.intValue { ports.append(Int(hc)) }
        return ports.filter { $0 > 0 }
    }
}

/// An IPv4 prefix such as 10.96.0.0/12.
struct IPv4CIDR: Sendable, CustomStringConvertible {
    var base: UInt32
    var prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let ip = Self.parse(String(parts[0])), let p = Int(parts[1]), (0...32).contains(p) else { return nil }
        prefix = p
        base = p == 0 ? 0 : ip & (UInt32.max << (32 - p))
    }

    var description: String { "\(Self.format(base))/\(prefix)" }
    /// Usable hosts: all but the network and broadcast addresses.
    var hostCount: UInt64 { prefix >= 31 ? 0 : (UInt64(1) << (32 - prefix)) - 2 }
    func host(_ offset: UInt32) -> UInt32 { base &+ offset }
    func containsHost(_ v: UInt32) -> Bool {
        let mask = prefix == 0 ? 0 : UInt32.max << (32 - prefix)
        return v & mask == base && v != base && v != base | ~mask
    }
    /// The first address (10.96.0.1) is the `kubernetes` Service's and the tenth the DNS
    /// Service's by convention; dynamic allocation leaves the first 16 for explicit requests.
    func isReservedLowBand(_ v: UInt32) -> Bool { v &- base <= 16 }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var v: UInt32 = 0
        for o in octets {
            guard let n = UInt32(o), n <= 255, !(o.count > 1 && o.hasPrefix("0")) else { return nil }
            v = v << 8 | n
        }
        return v
    }

    static func format(_ v: UInt32) -> String {
        "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
    }
}

/// What one request allocated (released if the request fails) and what it gives back
/// (released only once the write lands).
final class AllocationRecord: @unchecked Sendable {
    private let allocators: ServiceAllocators
    private let lock = NSLock()
    private var ips: [String] = []
    private var ports: [Int] = []
    private var releasedIPs: [String] = []
    private var releasedPorts: [Int] = []

    init(_ allocators: ServiceAllocators) { self.allocators = allocators }

    func allocated(ip: String) { lock.withLock { ips.append(ip) } }
    func allocated(port: Int) { lock.withLock { ports.append(port) } }
    func toRelease(ip: String) { lock.withLock { releasedIPs.append(ip) } }
    func toRelease(port: Int) { lock.withLock { releasedPorts.append(port) } }

    /// The request failed: give back what it took.
    func release() async {
        let (i, p) = lock.withLock { (ips, ports) }
        for ip in i { await allocators.releaseIP(ip) }
        for port in p { await allocators.releasePort(port) }
    }

    /// The request landed: give back what the object no longer holds.
    func commitReleases() async {
        let (i, p) = lock.withLock { (releasedIPs, releasedPorts) }
        for ip in i { await allocators.releaseIP(ip) }
        for port in p { await allocators.releasePort(port) }
    }
}
