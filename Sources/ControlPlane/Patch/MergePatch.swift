#if !STANDALONE_CHECK
import KubeAPI
#endif

/// RFC 7386 JSON Merge Patch (`application/merge-patch+json`).
///
/// Objects merge member by member, `null` deletes a member, and anything else (arrays
/// included) replaces the target wholesale.
public enum MergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in members {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified`: members that disappeared
    /// become `null`, changed objects are diffed recursively, other changes are copied.
    ///
    /// A `null` inside `modified` cannot be expressed (it would mean "delete"), so
    /// `apply(create(a, b), to: a)` equals `b` for documents without nulls.
    public static func create(original: JSONValue, modified: JSONValue) -> JSONValue {
        guard case .object(let old) = original, case .object(let new) = modified else {
            return modified
        }
        var patch: [String: JSONValue] = [:]
        for key in old.keys where new[key] == nil {
            patch[key] = .null
        }
        for (key, newValue) in new {
            guard let oldValue = old[key] else {
                patch[key] = newValue
                continue
            }
            if PatchJSON.equal(oldValue, newValue) { continue }
            if case .object = oldValue, case .object = newValue {
                patch[key] = create(original: oldValue, modified: newValue)
            } else {
                patch[key] = newValue
            }
        }
        return .object(patch)
    }
}
