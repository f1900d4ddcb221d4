/// meta/v1 Status: the body of every API error (and of some successful deletes).
/// Not a `KubeObject`: its metadata is a `ListMeta`.
public struct Status: Codable, Sendable, Hashable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ListMeta?
    /// "Success" or "Failure".
    public var status: String?
    public var message: String?
    /// CamelCase machine-readable reason, e.g. `NotFound`, `AlreadyExists`, `Conflict`.
    public var reason: String?
    public var details: StatusDetails?
    /// The HTTP status code, repeated in the body.
    public var code: Int32?

    public init(
        kind: String? = nil,
        apiVersion: String? = nil,
        metadata: ListMeta? = nil,
        status: String? = nil,
        message: String? = nil,
        reason: String? = nil,
        details: StatusDetails? = nil,
        code: Int32? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.metadata = metadata
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

/// meta/v1 StatusDetails: which object a Status is about, and why.
public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int32?

    public init(
        name: String? = nil,
        group: String? = nil,
        kind: String? = nil,
        uid: String? = nil,
        causes: [StatusCause]? = nil,
        retryAfterSeconds: Int32? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// meta/v1 StatusCause: one reason for a failure, e.g. one invalid field (`field` is a JSON path such as `spec.containers[0].image`).
public struct StatusCause: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
