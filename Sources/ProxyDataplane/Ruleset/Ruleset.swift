import Netlink

/// One rule as the proxy wants it: expressions plus an optional comment. Rules are compared
/// by value to decide whether a chain must be rewritten.
public struct RuleSpec: Sendable, Hashable {
    public var expressions: [NFTExpr]
    public var comment: String?

    public init(_ expressions: [NFTExpr], comment: String? = nil) {
        self.expressions = expressions
        self.comment = comment
    }

    public init(parts: [[NFTExpr]], comment: String? = nil) {
        self.init(parts.flatMap { $0 }, comment: comment)
    }
}

/// A chain and its rules, in order.
public struct ChainSpec: Sendable, Hashable {
    public var name: String
    public var base: NFTChain.Base?
    public var rules: [RuleSpec]

    public init(name: String, base: NFTChain.Base? = nil, rules: [RuleSpec] = []) {
        self.name = name
        self.base = base
        self.rules = rules
    }
}

/// Who owns a piece of the ruleset: the fixed skeleton (base chains, maps, helper chains)
/// or one service port.
public enum RulesetOwner: Sendable, Hashable, Comparable {
    case base
    case servicePort(ServicePortName)

    public static func < (lhs: RulesetOwner, rhs: RulesetOwner) -> Bool {
        switch (lhs, rhs) {
        case (.base, .base): false
        case (.base, _): true
        case (_, .base): false
        case (.servicePort(let a), .servicePort(let b)): a < b
        }
    }
}

/// A map or set element keyed by its set: what a fragment contributes to shared maps.
public struct ElementSpec: Sendable, Hashable {
    public var set: String
    public var key: NFTKey
    public var data: NFTSetElement.Data?

    public init(set: String, key: NFTKey, data: NFTSetElement.Data? = nil) {
        self.set = set
        self.key = key
        self.data = data
    }

    var element: NFTSetElement { NFTSetElement(key, data: data) }
}

/// Everything one owner contributes: its own chains and sets (named uniquely for it) and
/// elements of shared maps and sets (which several owners may contribute to, e.g. the same
/// cluster IP in `cluster-ips` for two ports of one service).
public struct RulesetFragment: Sendable, Hashable {
    /// Chains in creation order (chains referenced by others can be created in any order:
    /// all chains of a batch are created before any rule).
    public var chains: [ChainSpec] = []
    public var sets: [NFTSet] = []
    public var elements: [ElementSpec] = []

    public init(chains: [ChainSpec] = [], sets: [NFTSet] = [], elements: [ElementSpec] = []) {
        self.chains = chains
        self.sets = sets
        self.elements = elements
    }

    public var isEmpty: Bool { chains.isEmpty && sets.isEmpty && elements.isEmpty }
}

/// The desired ruleset of one table: a fragment per owner. Built in full for a full sync;
/// a partial sync builds only the fragments of the service ports that changed.
public struct Ruleset: Sendable {
    public var table: NFTTableID
    public var fragments: [RulesetOwner: RulesetFragment]

    public init(table: NFTTableID, fragments: [RulesetOwner: RulesetFragment] = [:]) {
        self.table = table
        self.fragments = fragments
    }

    public var chainCount: Int { fragments.values.reduce(0) { $0 + $1.chains.count } }
    public var elementCount: Int { fragments.values.reduce(0) { $0 + $1.elements.count } }

    /// All chains by name (for tests and inspection).
    public var chains: [String: ChainSpec] {
        var out: [String: ChainSpec] = [:]
        for fragment in fragments.values { for chain in fragment.chains { out[chain.name] = chain } }
        return out
    }
}
