import Glibc
import Netlink

/// The disk-backed address allocator for one network on one node.
///
/// On-disk format (host-local compatible, so the files read the same to an operator):
/// `<dataDir>/<network>/` holds
/// - `lock`: the flock every mutation holds, so concurrent plugin processes never collide;
/// - one file per allocated address, named by the address (`10.244.1.7`), holding
///   `<containerID>\n<ifname>`;
/// - `last_reserved_ip.0`: the last address handed out, where round-robin resumes.
/// An allocation is written to a temp name and renamed into place, so a plugin killed at any
/// point leaves either the whole allocation or none (the hint is overwritten in place: see
/// `writeHint`), and an allocation whose ADD died half-way stays
/// on disk until DEL, GC (valid attachments) or `reconcile` (live containers) frees it. Nothing
/// is fsync'ed, as host-local does not: a power loss kills every pod on the node, so what such a
/// crash can lose (an allocation, or its contents) belongs to a sandbox that is gone, and the
/// runtime's GC frees what is left; the two fsyncs were a fifth of an ADD (bench/cni-latency.py).
public struct IPAMStore: Sendable {
    public struct Allocation: Hashable, Sendable {
        public var ip: IPAddress
        public var containerID: String
        public var ifname: String
    }

    public let config: IPAMConfig
    /// `<dataDir>/<network>`.
    public let directory: String
    /// How long a mutation waits for the lock before failing with "try again later" (code 11).
    public var lockTimeout: Double

    public init(network: String, config: IPAMConfig, lockTimeout: Double = 30) {
        self.config = config
        var base = config.dataDir
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        directory = base + "/" + network
        self.lockTimeout = lockTimeout
    }

    var lastReservedPath: String { directory + "/last_reserved_ip.0" }

    /// Whether the pool never hands `ip` out: the network address, the gateway, the IPv4 broadcast.
    public func isReserved(_ ip: IPAddress) -> Bool {
        ip == config.subnet.address || ip == config.gateway
            || (config.subnet.family == .ipv4 && ip == config.subnet.lastAddress)
    }

    /// Addresses the pool can hand out.
    public var capacity: UInt64 {
        let reserved: UInt64 = config.subnet.family == .ipv4 ? 3 : 2
        return config.subnet.addressCount == UInt64.max ? UInt64.max : config.subnet.addressCount - reserved
    }

    // MARK: reading

    /// Every allocation on disk (a consistent view needs the lock; `withLock` gives one).
    public func allocations() throws(CNIError) -> [Allocation] {
        if access(directory, F_OK) != 0 && errno == ENOENT { return [] }
        let names = try FileOps.list(directory).sorted()
        var out: [Allocation] = []
        for name in names {
            guard let ip = IPAddress(name), config.subnet.contains(ip), ip.description == name else { continue }
            guard let text = try FileOps.read(directory + "/" + name) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { String($0.trimmingWhitespace()) }
            out.append(Allocation(ip: ip, containerID: lines.first ?? "", ifname: lines.count > 1 ? lines[1] : ""))
        }
        return out
    }

    /// The allocations of one attachment.
    public func allocations(containerID: String, ifname: String) throws(CNIError) -> [Allocation] {
        try allocations().filter { $0.containerID == containerID && $0.ifname == ifname }
    }

    // MARK: mutating

    /// Runs `body` holding the pool's lock (creating the directory first).
    public func withLock<T>(_ body: () throws(CNIError) -> T) throws(CNIError) -> T {
        try FileOps.makeDirectories(directory)
        let lock = try FileLock(path: directory + "/lock", timeout: lockTimeout)
        defer { lock.unlock() }
        return try body()
    }

    /// What `claim` gave an attachment.
    public struct Claim: Hashable, Sendable {
        public var ip: IPAddress
        /// The attachment held `ip` already (a retried ADD): a failure of this ADD must not free
        /// it, since the attachment that got it may still be alive.
        public var wasHeld: Bool
    }

    /// Allocates an address for an attachment: a requested one when given (it must be free, inside
    /// the pool and not reserved), else the next free one after the last handed out (round-robin).
    /// A retried ADD of the same attachment gets its existing address back.
    public func allocate(containerID: String, ifname: String, requested: [IPAddress] = []) throws(CNIError) -> IPAddress {
        try claim(containerID: containerID, ifname: ifname, requested: requested).ip
    }

    /// `allocate`, saying whether the address was the attachment's already.
    public func claim(containerID: String, ifname: String, requested: [IPAddress] = []) throws(CNIError) -> Claim {
        try withLock { () throws(CNIError) -> Claim in
            let current = try allocations()
            if let mine = current.first(where: { $0.containerID == containerID && $0.ifname == ifname }) {
                guard requested.isEmpty || requested.contains(mine.ip) else {
                    throw CNIError(code: CNIError.requestedAddressUnavailable,
                                   msg: "container \(containerID) interface \(ifname) already holds \(mine.ip)",
                                   details: "requested \(requested.map(\.description).joined(separator: ","))")
                }
                return Claim(ip: mine.ip, wasHeld: true)
            }
            let taken = Dictionary(current.map { ($0.ip, $0) }, uniquingKeysWith: { a, _ in a })
            let chosen: IPAddress
            if let wanted = requested.first(where: { $0.family == config.subnet.family }) {
                guard config.subnet.contains(wanted), !isReserved(wanted) else {
                    throw CNIError(code: CNIError.requestedAddressUnavailable,
                                   msg: "requested IP address \(wanted) is not available in range \(config.subnet)",
                                   details: "the network, gateway (\(config.gateway)) and broadcast addresses are never handed out")
                }
                if let owner = taken[wanted] {
                    throw CNIError(code: CNIError.requestedAddressTaken,
                                   msg: "requested IP address \(wanted) is already allocated",
                                   details: "held by container \(owner.containerID) interface \(owner.ifname)")
                }
                chosen = wanted
            } else if !requested.isEmpty {
                throw CNIError(code: CNIError.requestedAddressUnavailable,
                               msg: "no requested IP address is of the pool's family (\(config.subnet))")
            } else {
                chosen = try nextFree(taken: Set(taken.keys))
            }
            try FileOps.writeAtomically(directory + "/" + chosen.description, containerID + "\n" + ifname, durable: false)
            try writeHint(chosen.description)
            return Claim(ip: chosen, wasHeld: false)
        }
    }

    /// `last_reserved_ip.0`: where the next search starts. Stale, empty or garbled after a
    /// crash, `nextFree` starts at the beginning of the pool; the allocations say what is taken.
    /// So it is overwritten in place, which spares ext4's flush-on-replace.
    private func writeHint(_ text: String) throws(CNIError) {
        try FileOps.overwrite(lastReservedPath, text)
    }

    private func nextFree(taken: Set<IPAddress>) throws(CNIError) -> IPAddress {
        if UInt64(taken.count) >= capacity {
            throw exhausted()
        }
        let subnet = config.subnet
        var candidate = subnet.address
        if let text = try FileOps.read(lastReservedPath), let last = IPAddress(String(text.trimmingWhitespace())),
           subnet.contains(last) {
            candidate = last.successor
        }
        // Past the allocated and the reserved addresses there is a free one; bound the walk anyway.
        for _ in 0...(taken.count + 4) {
            if !subnet.contains(candidate) { candidate = subnet.address }
            if !isReserved(candidate) && !taken.contains(candidate) { return candidate }
            candidate = candidate.successor
        }
        throw exhausted()
    }

    private func exhausted() -> CNIError {
        CNIError(code: CNIError.addressPoolExhausted, msg: "no IP addresses available in range \(config.subnet)",
                 details: "all \(capacity) addresses are allocated; delete pods or run GC to free leaked ones")
    }

    /// Frees an attachment's addresses (DEL); freeing nothing is not an error.
    @discardableResult
    public func release(containerID: String, ifname: String) throws(CNIError) -> [IPAddress] {
        try remove { $0.containerID == containerID && $0.ifname == ifname }
    }

    /// Frees one address if `containerID`/`ifname` still hold it (undoing a failed ADD).
    public func release(_ ip: IPAddress, containerID: String, ifname: String) throws(CNIError) {
        _ = try remove { $0.ip == ip && $0.containerID == containerID && $0.ifname == ifname }
    }

    /// GC: frees every allocation whose attachment is not among the runtime's valid attachments.
    @discardableResult
    public func garbageCollect(validAttachments: Set<CNIAttachment>) throws(CNIError) -> [IPAddress] {
        try remove { !validAttachments.contains(CNIAttachment(containerID: $0.containerID, ifname: $0.ifname)) }
    }

    /// The agent's reconcile: frees every allocation whose container is not running on the node.
    @discardableResult
    public func reconcile(liveContainerIDs: Set<String>) throws(CNIError) -> [IPAddress] {
        try remove { !liveContainerIDs.contains($0.containerID) }
    }

    private func remove(where match: (Allocation) -> Bool) throws(CNIError) -> [IPAddress] {
        try withLock { () throws(CNIError) -> [IPAddress] in
            var freed: [IPAddress] = []
            for allocation in try allocations() where match(allocation) {
                try FileOps.remove(directory + "/" + allocation.ip.description)
                freed.append(allocation.ip)
            }
            // Temp files of a writer that died between create and rename.
            for name in try FileOps.list(directory) where name.contains(".tmp-") {
                try FileOps.remove(directory + "/" + name)
            }
            return freed
        }
    }

    /// STATUS: whether the pool's directory can be created and written.
    public func checkWritable() throws(CNIError) {
        try FileOps.makeDirectories(directory)
        if access(directory, W_OK) != 0 { throw FileOps.ioError("access", directory) }
    }
}
