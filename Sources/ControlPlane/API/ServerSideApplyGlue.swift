import KubeAPI

/// Server-side apply with whole-object field ownership, for a served kind.
enum ServerSideApplyGlue {
    static func apply(config: JSONValue, to live: JSONValue?, def: ResourceDefinition, manager: String, force: Bool) throws -> JSONValue {
        try ServerSideApply.apply(config: config, to: live, manager: manager, force: force,
                                  now: ObjectMetaRules.timestamp(), schema: PatchSchema.forKind(def.gvk))
    }
}

/// Moves the fields a create, update or patch changed to its manager's managedFields entry.
enum ManagedFieldsRecorder {
    static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, operation: String, apiVersion: String,
                             subresource: String? = nil, kind: GroupVersionKind? = nil) -> JSONValue {
        ManagedFields.recordUpdate(old: old, new: new, manager: manager, operation: operation,
                                   subresource: subresource == "status" ? "status" : nil,
                                   now: ObjectMetaRules.timestamp(), schema: kind.map(PatchSchema.forKind))
    }
}
