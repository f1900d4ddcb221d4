/// meta.k8s.io/v1 Table: the server-side printing format that `kubectl get` asks for.
public struct Table: Codable, Sendable, Hashable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ListMeta?
    public var columnDefinitions: [TableColumnDefinition]?
    public var rows: [TableRow]?

    public init(
        kind: String? = nil,
        apiVersion: String? = nil,
        metadata: ListMeta? = nil,
        columnDefinitions: [TableColumnDefinition]? = nil,
        rows: [TableRow]? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.metadata = metadata
        self.columnDefinitions = columnDefinitions
        self.rows = rows
    }
}

/// meta/v1 TableColumnDefinition. `type` is an OpenAPI type (string, integer, number, boolean, date); priority 0 columns show by default, higher ones only with `-o wide`.
public struct TableColumnDefinition: Codable, Sendable, Hashable {
    public var name: String?
    public var type: String?
    public var format: String?
    public var description: String?
    public var priority: Int32?

    public init(
        name: String? = nil,
        type: String? = nil,
        format: String? = nil,
        description: String? = nil,
        priority: Int32? = nil
    ) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }
}

/// meta/v1 TableRow: one cell per column, plus the object (full, PartialObjectMetadata, or absent per `includeObject`).
public struct TableRow: Codable, Sendable, Hashable {
    public var cells: [JSONValue]?
    public var conditions: [TableRowCondition]?
    public var object: JSONValue?

    public init(cells: [JSONValue]? = nil, conditions: [TableRowCondition]? = nil, object: JSONValue? = nil) {
        self.cells = cells
        self.conditions = conditions
        self.object = object
    }
}

/// meta/v1 TableRowCondition; the only type upstream defines is `Completed`.
public struct TableRowCondition: Codable, Sendable, Hashable {
    public var type: String?
    public var status: String?
    public var reason: String?
    public var message: String?

    public init(type: String? = nil, status: String? = nil, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}
