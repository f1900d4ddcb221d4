/// Failures on the client's side of the wire (as opposed to `KubeAPIError`, which the
/// server reports).
public enum KubeClientError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidServerURL(String)
    case invalidTLSMaterial(String)
    /// A response body that is not what the API promises.
    case invalidResponse(String)
    /// The watch body ended in the middle of an event.
    case truncatedWatch
    /// A call that needs the object's name got an object without one.
    case missingName

    public var description: String {
        switch self {
        case .invalidServerURL(let s): "invalid server URL \(s)"
        case .invalidTLSMaterial(let s): "invalid TLS material: \(s)"
        case .invalidResponse(let s): "invalid response: \(s)"
        case .truncatedWatch: "watch stream ended in the middle of an event"
        case .missingName: "object has no metadata.name"
        }
    }
}
