import Foundation
import KubeAPI
import Netlink

/// Service ClusterIPs and NodePorts, as the API server allocates them upstream. The
/// allocated sets are rebuilt from the stored Services at start, so nothing is handed out
/// twice across restarts; within a run the actor serialises allocation.
actor ServiceAllocators {
    /// The service CIDRs in flag order: the first is the primary family, what a Service without
    /// `ipFamilies` gets; with two the cluster is dual-stack.
    let ranges: [ServiceIPRange]
    let nodePorts: ClosedRange<Int>
    private var usedIPs: Set<IPAddress> = []
    private var usedPorts: Set<Int> = []

    init(serviceCIDRs: [ServiceIPRange], nodePorts: ClosedRange<Int>) {
        ranges = serviceCIDRs
        self.nodePorts = nodePorts
    }

    nonisolated var primaryFamily: IPFamily { ranges[0].family }
    nonisolated var isDualStack: Bool { ranges.count == 2 }
    nonisolated func range(_ family: IPFamily) -> ServiceIPRange? { ranges.first { $0.family == family } }

    /// Marks what existing Services hold (at start).
    func recordExisting(_ service: JSONValue) {
        for ip in Self.clusterIPs(of: service) { if let v = IPAddress(ip) { usedIPs.insert(v) } }
        for port in Self.nodePorts(of: service) { usedPorts.insert(port) }
    }

    enum AllocationError: Error { case invalid(String), taken(String), full(String) }

    /// A ClusterIP of `family`: the requested one when free and in range, else a random free one.
    func allocateIP(_ requested: String?, family: IPFamily) throws -> String {
        guard let range = range(family) else { throw AllocationError.invalid("\(family) is not configured on this cluster") }
        if let requested {
            guard let ip = IPAddress(requested) else { throw AllocationError.invalid("must be a valid IP address") }
            guard ip.family == family, range.offset(of: ip) != nil else {
                throw AllocationError.invalid("the provided IP (\(requested)) is not in the valid range. The range of valid IPs is \(range)")
            }
            guard !usedIPs.contains(ip) else { throw AllocationError.taken("failed to allocate IP \(requested): provided IP is already allocated") }
            usedIPs.insert(ip)
            return ip.description
        }
        let last = range.lastOffset
        let low = min(range.lowBand, last - 1)
        // Random probing of the upper band keeps allocation O(1) on average in a mostly-empty
        // range and avoids handing out the just-released address (upstream allocates randomly
        // too); the low band is used once the upper one is full.
        for _ in 0..<4096 {
            let ip = range.address(at: UInt64.random(in: (low + 1)...last))
            if !usedIPs.contains(ip) {
                usedIPs.insert(ip)
                return ip.description
            }
        }
        for band in [(low + 1)...last, 1...low] {
            for offset in band where !usedIPs.contains(range.address(at: offset)) {
                let ip = range.address(at: offset)
                usedIPs.insert(ip)
                return ip.description
            }
        }
        throw AllocationError.full("range is full")
    }

    func releaseIP(_ ip: String) {
        if let v = IPAddress(ip) { usedIPs.remove(v) }
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
