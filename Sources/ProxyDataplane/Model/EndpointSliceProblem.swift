/// Part of an EndpointSlice the proxy ignored because it could not be programmed. The rest of
/// the slice is still used. Slices that are simply not for the proxy (FQDN address type, no
/// `kubernetes.io/service-name` label, a family the node does not run) are not problems.
public enum EndpointSliceProblem: Sendable, Hashable, CustomStringConvertible {
    /// A port with no number, 0, or outside 1…65535 (upstream ignores these too).
    case invalidPort(name: String, port: Int32?)
    /// A port protocol other than TCP, UDP or SCTP.
    case unsupportedProtocol(String)
    /// An endpoint with no address.
    case missingAddress
    /// An endpoint address that is not an IP address.
    case invalidAddress(String)
    /// An endpoint address of another family than the slice's `addressType`.
    case addressFamilyMismatch(String)

    /// A short CamelCase label for a metric's `reason` label.
    public var code: String {
        switch self {
        case .invalidPort: return "InvalidPort"
        case .unsupportedProtocol: return "UnsupportedProtocol"
        case .missingAddress: return "MissingAddress"
        case .invalidAddress: return "InvalidAddress"
        case .addressFamilyMismatch: return "AddressFamilyMismatch"
        }
    }

    public var description: String {
        switch self {
        case .invalidPort(let name, let port):
            return "port \(name.isEmpty ? "\"\"" : name) has invalid number \(port.map(String.init) ?? "(none)")"
        case .unsupportedProtocol(let p): return "protocol \"\(p)\" is not TCP, UDP or SCTP"
        case .missingAddress: return "an endpoint has no address"
        case .invalidAddress(let a): return "endpoint address \"\(a)\" is not an IP address"
        case .addressFamilyMismatch(let a): return "endpoint address \(a) does not match the slice's addressType"
        }
    }
}
