internal import CNetfilter

/// An nf_tables register. The kernel has the verdict register and sixteen 32-bit data
/// registers (NFT_REG32_00…15); the older numbering NFT_REG_1…4 names the same storage
/// in 16-byte steps, and nft still uses `reg 1` for the first operand of a statement.
public struct NFTRegister: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Where `immediate` puts verdicts.
    public static let verdict = NFTRegister(rawValue: NFT_REG_VERDICT.rawValue)
    /// The first data register in 16-byte numbering: what nft loads single values into.
    public static let r1 = NFTRegister(rawValue: NFT_REG_1.rawValue)
    public static let r2 = NFTRegister(rawValue: NFT_REG_2.rawValue)

    /// 32-bit register `n` (0…15).
    public static func reg32(_ n: Int) -> NFTRegister {
        precondition((0...15).contains(n), "there are sixteen 32-bit registers")
        return NFTRegister(rawValue: NFT_REG32_00.rawValue + UInt32(n))
    }

    /// The register of the field that starts `slot` 32-bit words into a concatenation.
    /// Spelled as nft (and the kernel, when it dumps rules) spells it: 16-byte numbering where
    /// the slot starts a 16-byte register, 32-bit numbering elsewhere — `ip daddr . meta
    /// l4proto . th dport` is reg 1, reg 9, reg 10; `ip6 daddr . meta l4proto . th dport` is
    /// reg 1, reg 2, reg 13.
    public static func concatenation(slot: Int) -> NFTRegister {
        slot % 4 == 0 ? NFTRegister(rawValue: NFT_REG_1.rawValue + UInt32(slot / 4)) : .reg32(slot)
    }

    public var description: String { "reg \(rawValue)" }
}
