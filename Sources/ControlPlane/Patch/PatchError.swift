#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Why a patch or an apply could not be carried out.
///
/// The messages follow the wording of the upstream libraries (evanphx/json-patch,
/// apimachinery's strategicpatch, structured-merge-diff) because clients and users
/// grep for them; `reason` tells the API server which Status to answer with.
public struct PatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The patch document itself is malformed (HTTP 400, reason `BadRequest`).
        case badRequest
        /// The patch is well formed but cannot be applied to this object, e.g. a JSON
        /// Patch path that does not exist or a failed `test` (HTTP 422, reason `Invalid`).
        case invalid
        /// Server-side apply would change fields owned by other managers (HTTP 409,
        /// reason `Conflict`, one `FieldManagerConflict` cause per field).
        case conflict
    }

    /// One field that another manager owns, as upstream reports it in `details.causes`.
    public struct Conflict: Sendable, Hashable {
        /// `conflict with "kubectl-client-side-apply" using apps/v1`
        public var message: String
        /// `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`
        public var field: String
        /// The manager name as recorded in managedFields.
        public var manager: String
    }

    public var reason: Reason
    public var message: String
    public var conflicts: [Conflict]

    public init(_ reason: Reason, _ message: String, conflicts: [Conflict] = []) {
        self.reason = reason
        self.message = message
        self.conflicts = conflicts
    }

    public var description: String { message }

    /// The HTTP status code the API server answers with.
    public var httpStatus: Int {
        switch reason {
        case .badRequest: return 400
        case .invalid: return 422
        case .conflict: return 409
        }
    }

    /// The `reason` field of the metav1.Status.
    public var statusReason: String {
        switch reason {
        case .badRequest: return "BadRequest"
        case .invalid: return "Invalid"
        case .conflict: return "Conflict"
        }
    }

    static func badRequest(_ message: String) -> PatchError { PatchError(.badRequest, message) }
    static func invalid(_ message: String) -> PatchError { PatchError(.invalid, message) }
}
