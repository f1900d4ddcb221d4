/// core/v1 Namespace.
public struct Namespace: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var spec: NamespaceSpec?
    public var status: NamespaceStatus?

    public init(metadata: ObjectMeta? = nil, spec: NamespaceSpec? = nil, status: NamespaceStatus? = nil) {
        self.apiVersion = Self.gvk.apiVersion
        self.kind = Self.gvk.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

extension Namespace: KubeObject {
    public static let gvk = GroupVersionKind(group: "", version: "v1", kind: "Namespace")
    public static let resource = "namespaces"
    public static let namespaced = false
}

/// core/v1 NamespaceSpec. `finalizers` (e.g. `kubernetes`) hold the namespace in Terminating until its content is gone.
public struct NamespaceSpec: Codable, Sendable, Hashable {
    public var finalizers: [String]?

    public init(finalizers: [String]? = nil) {
        self.finalizers = finalizers
    }
}

/// core/v1 NamespaceStatus.
public struct NamespaceStatus: Codable, Sendable, Hashable {
    /// Active or Terminating.
    public var phase: String?
    public var conditions: [NamespaceCondition]?

    public init(phase: String? = nil, conditions: [NamespaceCondition]? = nil) {
        self.phase = phase
        self.conditions = conditions
    }
}

/// core/v1 NamespaceCondition, e.g. NamespaceDeletionContentFailure.
public struct NamespaceCondition: Codable, Sendable, Hashable {
    public var type: String?
    public var status: String?
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil,
        status: String? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
