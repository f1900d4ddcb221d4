internal import CNetfilter

/// A chain. Without `base` it is a regular chain that only `jump`/`goto` reach (the proxy's
/// per-service and per-endpoint chains); with `base` the kernel hooks it into the stack.
public struct NFTChain: Sendable, Hashable {
    public var table: NFTTableID
    public var name: String
    public var base: Base?
    public var comment: String?

    public init(table: NFTTableID, name: String, base: Base? = nil, comment: String? = nil) {
        self.table = table
        self.name = name
        self.base = base
        self.comment = comment
    }

    /// What makes a chain a base chain: where it hooks, what it may do, in which order.
    public struct Base: Sendable, Hashable {
        public var type: ChainType
        public var hook: Hook
        public var priority: Int32
        public var policy: Policy

        public init(type: ChainType, hook: Hook, priority: Int32, policy: Policy = .accept) {
            self.type = type
            self.hook = hook
            self.priority = priority
            self.policy = policy
        }
    }

    /// The netfilter hooks of the ip/ip6/inet families (`NF_INET_*`).
    public enum Hook: UInt32, Sendable, Hashable {
        case prerouting = 0, input = 1, forward = 2, output = 3, postrouting = 4
    }

    /// `nat` chains see only the first packet of a connection; `filter` chains see every packet.
    public enum ChainType: String, Sendable, Hashable {
        case filter, nat, route
    }

    public enum Policy: Sendable, Hashable {
        case accept, drop
        var code: UInt32 { self == .accept ? UInt32(NF_ACCEPT) : UInt32(NF_DROP) }
    }

    /// The priorities nft knows by name (its `dstnat`, `srcnat`, … keywords).
    public enum Priority {
        public static let raw: Int32 = -300
        public static let mangle: Int32 = -150
        public static let dstnat: Int32 = -100
        public static let filter: Int32 = 0
        public static let security: Int32 = 50
        public static let srcnat: Int32 = 100
    }
}
