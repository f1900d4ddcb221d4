internal import CNetfilter

/// Where a packet goes next: the data of an `immediate` into the verdict register, or
/// the value of a verdict-map element.
public enum NFTVerdict: Sendable, Hashable, CustomStringConvertible {
    case accept
    case drop
    /// Go on with the next rule (what an expression that does not match yields anyway).
    case `continue`
    /// Back to the chain that jumped here.
    case `return`
    /// Run the chain, then come back.
    case jump(String)
    /// Run the chain and do not come back: how dispatch maps hand a packet to a service.
    case goto(String)

    /// The kernel's number for it (`NF_ACCEPT`, `NFT_JUMP`, …).
    var code: Int32 {
        switch self {
        case .accept: Int32(NF_ACCEPT)
        case .drop: Int32(NF_DROP)
        case .continue: NFT_CONTINUE.rawValue
        case .return: NFT_RETURN.rawValue
        case .jump: NFT_JUMP.rawValue
        case .goto: NFT_GOTO.rawValue
        }
    }

    var chain: String? {
        switch self {
        case .jump(let c), .goto(let c): c
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .accept: "accept"
        case .drop: "drop"
        case .continue: "continue"
        case .return: "return"
        case .jump(let c): "jump \(c)"
        case .goto(let c): "goto \(c)"
        }
    }
}
