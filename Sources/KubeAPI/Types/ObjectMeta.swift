/// meta/v1 ObjectMeta. All fields optional, as on the wire: absent means unset.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var selfLink: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: Time?
    public var deletionTimestamp: Time?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?
    public var managedFields: [ManagedFieldsEntry]?

    public init(name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
                annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    /// False while decoding for a reader that never looks at managedFields (an informer
    /// that drops them): decoding them is most of the cost of decoding an object kubectl
    /// applied, a third of the scheduler's CPU before this. Set with `$decodesManagedFields.withValue`.
    @TaskLocal public static var decodesManagedFields = true

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        generateName = try c.decodeIfPresent(String.self, forKey: .generateName)
        namespace = try c.decodeIfPresent(String.self, forKey: .namespace)
        selfLink = try c.decodeIfPresent(String.self, forKey: .selfLink)
        uid = try c.decodeIfPresent(String.self, forKey: .uid)
        resourceVersion = try c.decodeIfPresent(String.self, forKey: .resourceVersion)
        generation = try c.decodeIfPresent(Int64.self, forKey: .generation)
        creationTimestamp = try c.decodeIfPresent(Time.self, forKey: .creationTimestamp)
        deletionTimestamp = try c.decodeIfPresent(Time.self, forKey: .deletionTimestamp)
        deletionGracePeriodSeconds = try c.decodeIfPresent(Int64.self, forKey: .deletionGracePeriodSeconds)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
        ownerReferences = try c.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences)
        finalizers = try c.decodeIfPresent([String].self, forKey: .finalizers)
        if Self.decodesManagedFields {
            managedFields = try c.decodeIfPresent([ManagedFieldsEntry].self, forKey: .managedFields)
        }
    }
}

/// meta/v1 OwnerReference.
public struct OwnerReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String?
    public var uid: String?
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
                blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// meta/v1 ManagedFieldsEntry; `fieldsV1` is the structured-merge-diff field set, kept as JSON.
public struct ManagedFieldsEntry: Codable, Sendable, Hashable {
    public var manager: String?
    public var operation: String?
    public var apiVersion: String?
    public var time: Time?
    public var fieldsType: String?
    public var fieldsV1: JSONValue?
    public var subresource: String?

    public init(manager: String? = nil, operation: String? = nil, apiVersion: String? = nil, time: Time? = nil,
                fieldsType: String? = nil, fieldsV1: JSONValue? = nil, subresource: String? = nil) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.fieldsType = fieldsType
        self.fieldsV1 = fieldsV1
        self.subresource = subresource
    }
}

/// meta/v1 ListMeta.
public struct ListMeta: Codable, Sendable, Hashable {
    public var resourceVersion: String?
    public var `continue`: String?
    public var remainingItemCount: Int64?
    public var selfLink: String?

    public init(resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }
}
