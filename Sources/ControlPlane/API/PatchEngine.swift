import KubeAPI

/// Applies a PATCH body of any of the four patch types to the current object.
enum PatchEngine {
    static func apply(type: RequestBody.PatchType, document: JSONValue, to current: JSONValue?, def: ResourceDefinition,
                      manager: String, force: Bool) throws -> JSONValue {
        let base = current ?? .emptyObject
        do {
            switch type {
            case .json:
                return try JSONPatch.apply(document, to: base)
            case .merge:
                guard document.objectValue != nil else { throw APIError.badRequest("merge patch must be a JSON object") }
                return MergePatch.apply(document, to: base)
            case .strategic:
                guard document.objectValue != nil else { throw APIError.badRequest("strategic merge patch must be a JSON object") }
                return try StrategicMergePatch.apply(document, to: base, schema: PatchSchema.forKind(def.gvk))
            case .apply:
                return try ServerSideApplyGlue.apply(config: document, to: current, def: def, manager: manager, force: force)
            }
        } catch let error as PatchError {
            var details: JSONValue?
            if !error.conflicts.isEmpty {
                details = ["name": .string(current?[path: ["metadata", "name"]]?.stringValue ?? ""), "kind": .string(def.plural),
                           "causes": .array(error.conflicts.map { ["reason": "FieldManagerConflict", "message": .string($0.message), "field": .string($0.field)] })]
            }
            throw APIError(code: error.httpStatus, reason: error.statusReason, message: error.message, details: details)
        }
    }
}
