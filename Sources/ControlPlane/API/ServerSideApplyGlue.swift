import KubeAPI

/// Server-side apply until field ownership lands: the configuration merged into the live
/// object with strategic-merge semantics.
enum ServerSideApplyGlue {
    static func apply(config: JSONValue, to live: JSONValue?, def: ResourceDefinition, manager: String, force: Bool) throws -> JSONValue {
        guard let live else { return config }
        return try StrategicMergePatch.apply(config, to: live, schema: PatchSchema.forKind(def.gvk))
    }
}

/// Records managedFields for ordinary writes (filled in with field ownership).
enum ManagedFieldsRecorder {
    static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, operation: String, apiVersion: String,
                             subresource: String? = nil) -> JSONValue {
        new
    }
}
