#if !STANDALONE_CHECK
import KubeAPI
#endif

/// `metadata.managedFields`: which manager set which fields, and how (Apply or Update).
public enum ManagedFields {
    /// One entry of `metadata.managedFields`, with its field set parsed.
    struct Entry: Hashable, Sendable {
        var manager: String
        var operation: String
        var apiVersion: String?
        var time: String?
        var subresource: String?
        var fields: FieldSet

        /// Managers are told apart by name, operation and subresource, as upstream.
        func isSameManager(as other: Entry) -> Bool {
            manager == other.manager && operation == other.operation && subresource == other.subresource
        }

        init(manager: String, operation: String, apiVersion: String?, time: String?, subresource: String?,
             fields: FieldSet) {
            self.manager = manager
            self.operation = operation
            self.apiVersion = apiVersion
            self.time = time
            self.subresource = subresource
            self.fields = fields
        }

        init?(_ json: JSONValue) {
            guard case .object(let o) = json else { return nil }
            manager = o["manager"]?.stringValue ?? ""
            operation = o["operation"]?.stringValue ?? ""
            apiVersion = o["apiVersion"]?.stringValue
            time = o["time"]?.stringValue
            let sub = o["subresource"]?.stringValue ?? ""
            subresource = sub.isEmpty ? nil : sub
            fields = FieldSet(fieldsV1: o["fieldsV1"] ?? .emptyObject)
        }

        var json: JSONValue {
            var o: [String: JSONValue] = [
                "manager": .string(manager),
                "operation": .string(operation),
                "fieldsType": "FieldsV1",
                "fieldsV1": fields.fieldsV1,
            ]
            if let apiVersion { o["apiVersion"] = .string(apiVersion) }
            if let time { o["time"] = .string(time) }
            if let subresource { o["subresource"] = .string(subresource) }
            return .object(o)
        }
    }

    static let apply = "Apply"
    static let update = "Update"

    static func entries(of object: JSONValue?) -> [Entry] {
        object?["metadata"]?["managedFields"]?.arrayValue?.compactMap(Entry.init) ?? []
    }

    /// Stores `entries` in the object, leaving out entries that own nothing.
    static func write(_ entries: [Entry], into object: inout JSONValue) {
        let kept = entries.filter { !$0.fields.isEmpty }
        guard case .object = object else { return }
        if kept.isEmpty && object["metadata"]?["managedFields"] == nil { return }
        var metadata = object["metadata"] ?? .emptyObject
        if kept.isEmpty {
            metadata.removeValue(forKey: "managedFields")
        } else {
            metadata["managedFields"] = .array(kept.map(\.json))
        }
        object["metadata"] = metadata
    }

    /// Records a create, update or patch (anything but apply) by `manager`: the fields
    /// whose value it set or changed move to its entry for `operation` (taken from the
    /// other managers), and fields that disappeared are dropped from every entry.
    ///
    /// The entries are taken from `old`; whatever `new` carries in managedFields is
    /// replaced. Returns `new` with its managedFields rewritten.
    public static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, operation: String = "Update",
                                    subresource: String? = nil, now: String, schema: PatchSchema? = nil) -> JSONValue {
        let fields = ObjectFields(schema: schema ?? PatchSchema.forObject(new))
        let (changed, removed) = fields.diff(old: old ?? .emptyObject, new: new)
        var entries = self.entries(of: old)
        let me = Entry(manager: manager, operation: operation, apiVersion: new["apiVersion"]?.stringValue,
                       time: now, subresource: subresource, fields: FieldSet())

        for i in entries.indices where !entries[i].isSameManager(as: me) {
            entries[i].fields = entries[i].fields.removingSubtrees(removed).subtracting(changed)
        }
        if let i = entries.firstIndex(where: { $0.isSameManager(as: me) }) {
            let updated = entries[i].fields.removingSubtrees(removed).union(changed)
            if updated != entries[i].fields {
                entries[i].fields = updated
                entries[i].time = now
                entries[i].apiVersion = me.apiVersion
            }
        } else if !changed.isEmpty {
            var entry = me
            entry.fields = changed
            entries.append(entry)
        }

        var result = new
        write(entries, into: &result)
        return result
    }
}
