/// A rule: expressions run in order in one chain. The kernel gives each rule a handle;
/// `handle` names an existing rule (to replace or delete it), `position` the rule to add
/// after (or, for an insert, before).
public struct NFTRule: Sendable, Hashable {
    public var table: NFTTableID
    public var chain: String
    public var expressions: [NFTExpr]
    /// Stored as the rule's user data, the way nft stores `comment "…"`.
    public var comment: String?
    public var handle: UInt64?
    public var position: UInt64?

    public init(table: NFTTableID, chain: String, _ expressions: [NFTExpr], comment: String? = nil,
                handle: UInt64? = nil, position: UInt64? = nil) {
        self.table = table
        self.chain = chain
        self.expressions = expressions
        self.comment = comment
        self.handle = handle
        self.position = position
    }

    /// Sugar for rules written as statements: `NFTRule(table:chain:parts:)` with each part
    /// being what one nft statement compiles to (see `NFT`).
    public init(table: NFTTableID, chain: String, parts: [[NFTExpr]], comment: String? = nil) {
        self.init(table: table, chain: chain, parts.flatMap { $0 }, comment: comment)
    }
}
