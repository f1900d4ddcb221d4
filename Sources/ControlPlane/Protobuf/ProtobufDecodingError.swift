/// Why a `application/vnd.kubernetes.protobuf` body could not be turned into JSON.
///
/// The API server answers it with a 400 Status, so the message names the field path
/// (`spec.template.spec.containers.ports: …`) to let a client author find the bad bytes.
public struct ProtobufDecodingError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// Field names from the root object down to where decoding failed; filled in while
    /// the error travels up through nested messages.
    public var path: [String]

    public init(_ message: String, path: [String] = []) {
        self.message = message
        self.path = path
    }

    public var description: String {
        path.isEmpty ? message : "\(path.joined(separator: ".")): \(message)"
    }
}

/// Why a JSON object could not be written as Kubernetes protobuf; callers fall back to JSON.
public struct ProtobufEncodingError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var path: [String]

    public init(_ message: String, path: [String] = []) {
        self.message = message
        self.path = path
    }

    public var description: String {
        path.isEmpty ? message : "\(path.joined(separator: ".")): \(message)"
    }
}
