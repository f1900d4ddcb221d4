/// Query parameters shared by create, update and patch (meta/v1 CreateOptions,
/// UpdateOptions, PatchOptions).
public struct WriteOptions: Sendable, Hashable {
    public var fieldManager: String?
    /// `Strict`, `Warn` or `Ignore`.
    public var fieldValidation: String?
    public var dryRun: Bool
    /// Server-side apply only: take ownership of fields other managers hold.
    public var force: Bool?

    public init(fieldManager: String? = nil, fieldValidation: String? = nil, dryRun: Bool = false,
                force: Bool? = nil) {
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
        self.dryRun = dryRun
        self.force = force
    }

    var queryItems: [(name: String, value: String)] {
        var items: [(String, String)] = []
        if dryRun { items.append(("dryRun", "All")) }
        if let fieldManager, !fieldManager.isEmpty { items.append(("fieldManager", fieldManager)) }
        if let fieldValidation, !fieldValidation.isEmpty { items.append(("fieldValidation", fieldValidation)) }
        if let force { items.append(("force", String(force))) }
        return items
    }
}
