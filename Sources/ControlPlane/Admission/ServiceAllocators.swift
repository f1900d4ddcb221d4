import Foundation
import KubeAPI
import Netlink

/// Service ClusterIPs and NodePorts, as the API server allocates them upstream.
///
/// Each allocation is a reservation key in the store (`/allocations/clusterips/IP`,
/// `/allocations/nodeports/PORT`) made with a create, which the store makes atomic: of
/// two API servers on one etcd picking the same address at once, one create fails and that
/// server picks again (upstream's IPAddress objects work the same way). The sets held here
/// are this server's view, which makes picking cheap; a reservation another server has
/// made since shows up as a failed create, one it has released as a missing key when a
/// Service asks for that address by name.
actor ServiceAllocators {
    /// The service CIDRs in flag order: the first is the primary family, what a Service without
    /// `ipFamilies` gets; with two the cluster is dual-stack.
    let ranges: [ServiceIPRange]
    let nodePorts: ClosedRange<Int>
    private let store: any Store
    private var usedIPs: Set<IPAddress> = []
    private var usedPorts: Set<Int> = []

    static let ipPrefix = "/allocations/clusterips/"
    static let portPrefix = "/allocations/nodeports/"

    init(serviceCIDRs: [ServiceIPRange], nodePorts: ClosedRange<Int>, store: any Store) {
        ranges = serviceCIDRs
        self.nodePorts = nodePorts
        self.store = store
    }

    nonisolated var primaryFamily: IPFamily { ranges[0].family }
    nonisolated var isDualStack: Bool { ranges.count == 2 }
    nonisolated func range(_ family: IPFamily) -> ServiceIPRange? { ranges.first { $0.family == family } }

    /// At start: what the stored Services hold and what is reserved. A Service from before
    /// reservations existed (or an import) gets its reservations made now.
    func start(services: [JSONValue]) async throws {
        var reservedIPs: Set<String> = [], reservedPorts: Set<Int> = []
        for item in try await listAll(Self.ipPrefix) { reservedIPs.insert(String(item.key.dropFirst(Self.ipPrefix.count))) }
        for item in try await listAll(Self.portPrefix) { if let p = Int(item.key.dropFirst(Self.portPrefix.count)) { reservedPorts.insert(p) } }
        for ip in reservedIPs { if let v = IPAddress(ip) { usedIPs.insert(v) } }
        usedPorts.formUnion(reservedPorts)
        for service in services {
            for ip in Self.clusterIPs(of: service) {
                guard let v = IPAddress(ip), range(v.family)?.offset(of: v) != nil else { continue }
                usedIPs.insert(v)
                if !reservedIPs.contains(v.description) { _ = try await reserve(Self.ipPrefix + v.description) }
            }
            for port in Self.nodePorts(of: service) {
                usedPorts.insert(port)
                if !reservedPorts.contains(port) { _ = try await reserve(Self.portPrefix + String(port)) }
            }
        }
    }

    /// This server's view replaced by the store's reservations.
    private func reloadReservations() async throws {
        let ips = try await listAll(Self.ipPrefix).compactMap { IPAddress(String($0.key.dropFirst(Self.ipPrefix.count))) }
        let ports = try await listAll(Self.portPrefix).compactMap { Int($0.key.dropFirst(Self.portPrefix.count)) }
        usedIPs = Set(ips)
        usedPorts = Set(ports)
    }

    private func listAll(_ prefix: String) async throws -> [StoredObject] {
        var items: [StoredObject] = []
        var after: String?
        repeat {
            let page = try await store.list(prefix: prefix, startAfter: after, limit: 10_000, revision: nil)
            items += page.items
            after = page.nextKey
        } while after != nil
        return items
    }

    /// Creates the reservation; false when it exists already (held by someone).
    private func reserve(_ key: String) async throws -> Bool {
        do {
            _ = try await store.create(key) { _ in Array("{}".utf8) }
            return true
        } catch StoreError.alreadyExists {
            return false
        }
    }

    private func unreserve(_ key: String) async {
        // A reservation that cannot be removed now stays, and its address is not handed out
        // again: the safe way to be wrong (nothing reclaims it yet; upstream has a repair loop).
        for _ in 0..<4 {
            guard let stored = try? await store.get(key) else { return }
            do {
                _ = try await store.delete(key, expectedRevision: stored.revision) { _ in stored.value }
                return
            } catch StoreError.notFound {
                return
            } catch {
                continue
            }
        }
    }

    enum AllocationError: Error { case invalid(String), taken(String), full(String) }

    /// A ClusterIP of `family`: the requested one when free and in range, else a random free one.
    func allocateIP(_ requested: String?, family: IPFamily) async throws -> String {
        guard let range = range(family) else { throw AllocationError.invalid("\(family) is not configured on this cluster") }
        if let requested {
            guard let ip = IPAddress(requested) else { throw AllocationError.invalid("must be a valid IP address") }
            guard ip.family == family, range.offset(of: ip) != nil else {
                throw AllocationError.invalid("the provided IP (\(requested)) is not in the valid range. The range of valid IPs is \(range)")
            }
            // Asked for by name, the store decides: another server may have released it.
            usedIPs.insert(ip)
            guard try await reserveOrForget(ip: ip) else {
                throw AllocationError.taken("failed to allocate IP \(requested): provided IP is already allocated")
            }
            return ip.description
        }
        for attempt in 0..<2 {
            // Addresses released through other servers are still marked here: look again
            // at the store's reservations before calling the range full.
            if attempt == 1 { try await reloadReservations() }
            while let ip = pickIP(range) {
                usedIPs.insert(ip)
                if try await reserveOrForget(ip: ip) { return ip.description }
            }
        }
        throw AllocationError.full("range is full")
    }

    /// Reserves `ip` (already marked used here); on a store error it is unmarked again.
    private func reserveOrForget(ip: IPAddress) async throws -> Bool {
        do {
            return try await reserve(Self.ipPrefix + ip.description)
        } catch {
            usedIPs.remove(ip)
            throw error
        }
    }

    private func pickIP(_ range: ServiceIPRange) -> IPAddress? {
        let last = range.lastOffset
        let low = min(range.lowBand, last - 1)
        // Random probing of the upper band keeps allocation O(1) on average in a mostly-empty
        // range and avoids handing out the just-released address (upstream allocates randomly
        // too); the low band is used once the upper one is full.
        for _ in 0..<4096 {
            let ip = range.address(at: UInt64.random(in: (low + 1)...last))
            if !usedIPs.contains(ip) { return ip }
        }
        for band in [(low + 1)...last, 1...low] {
            for offset in band where !usedIPs.contains(range.address(at: offset)) {
                return range.address(at: offset)
            }
        }
        return nil
    }

    func releaseIP(_ ip: String) async {
        guard let v = IPAddress(ip) else { return }
        usedIPs.remove(v)
        await unreserve(Self.ipPrefix + v.description)
    }

    func allocatePort(_ requested: Int?) async throws -> Int {
        if let requested {
            guard nodePorts.contains(requested) else {
                throw AllocationError.invalid("provided port is not in the valid range. The range of valid ports is \(nodePorts.lowerBound)-\(nodePorts.upperBound)")
            }
            usedPorts.insert(requested)
            guard try await reserveOrForget(port: requested) else { throw AllocationError.taken("provided port is already allocated") }
            return requested
        }
        for attempt in 0..<2 {
            if attempt == 1 { try await reloadReservations() }
            while let port = pickPort() {
                usedPorts.insert(port)
                if try await reserveOrForget(port: port) { return port }
            }
        }
        throw AllocationError.full("range is full")
    }

    private func reserveOrForget(port: Int) async throws -> Bool {
        do {
            return try await reserve(Self.portPrefix + String(port))
        } catch {
            usedPorts.remove(port)
            throw error
        }
    }

    private func pickPort() -> Int? {
        guard usedPorts.count < nodePorts.count else { return nil }
        for _ in 0..<1024 {
            let p = Int.random(in: nodePorts)
            if !usedPorts.contains(p) { return p }
        }
        return nodePorts.first { !usedPorts.contains($0) }
    }

    func releasePort(_ port: Int) async {
        usedPorts.remove(port)
        await unreserve(Self.portPrefix + String(port))
    }

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
