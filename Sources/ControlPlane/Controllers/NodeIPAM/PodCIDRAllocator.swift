import Netlink

/// Hands out per-node Pod subnets from one cluster CIDR, as upstream's range allocator: each
/// subnet at most once, the next one after the last handed out (so a released subnet is not
/// reused at once), and exhaustion reported rather than a subnet given twice.
struct PodCIDRAllocator: Sendable {
    let clusterCIDR: IPPrefix
    let nodeMaskSize: Int
    private var used: Set<Int> = []
    private var next = 0

    var family: IPFamily { clusterCIDR.family }
    var capacity: Int { 1 << (nodeMaskSize - clusterCIDR.prefixLength) }
    var allocatedCount: Int { used.count }

    enum ConfigError: Error, CustomStringConvertible {
        case maskTooSmall(IPPrefix, Int)
        case tooManySubnets(IPPrefix, Int)

        var description: String {
            switch self {
            case .maskTooSmall(let cidr, let mask): "node CIDR mask /\(mask) must be longer than the cluster CIDR \(cidr)"
            case .tooManySubnets(let cidr, let mask): "cluster CIDR \(cidr) holds more than 65536 subnets of /\(mask); use a longer cluster prefix or a shorter node mask"
            }
        }
    }

    /// Upstream refuses a mask that would make more than 2^16 subnets.
    init(clusterCIDR: IPPrefix, nodeMaskSize: Int) throws {
        let bits = clusterCIDR.family == .ipv4 ? 32 : 128
        guard nodeMaskSize > clusterCIDR.prefixLength, nodeMaskSize <= bits else {
            throw ConfigError.maskTooSmall(clusterCIDR, nodeMaskSize)
        }
        guard nodeMaskSize - clusterCIDR.prefixLength <= 16 else { throw ConfigError.tooManySubnets(clusterCIDR, nodeMaskSize) }
        self.clusterCIDR = clusterCIDR
        self.nodeMaskSize = nodeMaskSize
    }

    /// The subnet with index `i`.
    func subnet(_ i: Int) -> IPPrefix {
        let shift = (clusterCIDR.family == .ipv4 ? 32 : 128) - nodeMaskSize
        let base = clusterCIDR.address
        let address: IPAddress
        if base.family == .ipv4 {
            address = IPAddress(ipv4: base.ipv4Value! + (UInt32(i) << UInt32(shift)))
        } else if shift >= 64 {
            address = IPAddress(ipv6High: base.high + (UInt64(i) << UInt64(shift - 64)), low: base.low)
        } else {
            let add = UInt64(i) << UInt64(shift)
            let (low, carry) = base.low.addingReportingOverflow(add)
            // A shift under 64 with up to 16 index bits can spill into the high half.
            let spill = shift + 16 > 64 ? UInt64(i) >> UInt64(64 - shift) : 0
            address = IPAddress(ipv6High: base.high + spill + (carry ? 1 : 0), low: low)
        }
        return IPPrefix(address: address, prefixLength: nodeMaskSize)!
    }

    /// The index of `subnet` when it is one of ours (same mask, inside the cluster CIDR, aligned).
    func index(of subnet: IPPrefix) -> Int? {
        guard subnet.family == family, subnet.prefixLength == nodeMaskSize, clusterCIDR.contains(subnet.address) else { return nil }
        // Subnets are aligned, so the index is found by stepping the bits between the two masks.
        let shift = (family == .ipv4 ? 32 : 128) - nodeMaskSize
        let offset: UInt64
        if family == .ipv4 {
            offset = UInt64(subnet.address.ipv4Value! - clusterCIDR.address.ipv4Value!) >> UInt64(shift)
        } else if shift >= 64 {
            offset = (subnet.address.high - clusterCIDR.address.high) >> UInt64(shift - 64)
        } else {
            let high = subnet.address.high - clusterCIDR.address.high
            let low = subnet.address.low &- clusterCIDR.address.low
            offset = (low >> UInt64(shift)) | (shift == 0 ? 0 : high << UInt64(64 - shift))
        }
        let i = Int(offset)
        return i < capacity && self.subnet(i) == subnet ? i : nil
    }

    /// Records a subnet a node already has (at start-up, from the Nodes). False when it is not
    /// one of ours.
    @discardableResult
    mutating func occupy(_ subnet: IPPrefix) -> Bool {
        guard let i = index(of: subnet) else { return false }
        used.insert(i)
        return true
    }

    /// The next free subnet, or nil when every one is taken.
    mutating func allocate() -> IPPrefix? {
        for step in 0..<capacity {
            let i = (next + step) % capacity
            if used.insert(i).inserted {
                next = (i + 1) % capacity
                return subnet(i)
            }
        }
        return nil
    }

    mutating func release(_ subnet: IPPrefix) {
        if let i = index(of: subnet) { used.remove(i) }
    }
}
