extension KubernetesProtobuf {
    /// meta.k8s.io/v1 messages (k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto).
    ///
    /// Field numbers come from upstream's generated.proto; JSON names and pointer-ness
    /// (`.always`) from the Go types. `Time`, `MicroTime` and `FieldsV1` are not tables here:
    /// their JSON form differs from their message, so they are `FieldKind` cases.
    enum MetaSchemas {
        static let all: [MessageSchema] = [
            MessageSchema("meta.v1.ObjectMeta", [
                .string(1, "name"),
                .string(2, "generateName"),
                .string(3, "namespace"),
                .string(4, "selfLink"),
                .string(5, "uid"),
                .string(6, "resourceVersion"),
                .int64(7, "generation"),
                .time(8, "creationTimestamp"),
                .time(9, "deletionTimestamp"),
                .int64(10, "deletionGracePeriodSeconds", .always),
                .stringMap(11, "labels"),
                .stringMap(12, "annotations"),
                .messages(13, "ownerReferences", "meta.v1.OwnerReference"),
                .strings(14, "finalizers"),
                .messages(17, "managedFields", "meta.v1.ManagedFieldsEntry"),
            ]),
            MessageSchema("meta.v1.OwnerReference", [
                .string(1, "kind"),
                .string(3, "name"),
                .string(4, "uid"),
                .string(5, "apiVersion"),
                .bool(6, "controller", .always),
                .bool(7, "blockOwnerDeletion", .always),
            ]),
            MessageSchema("meta.v1.ManagedFieldsEntry", [
                .string(1, "manager"),
                .string(2, "operation"),
                .string(3, "apiVersion"),
                .time(4, "time"),
                .string(6, "fieldsType"),
                .rawJSON(7, "fieldsV1"),
                .string(8, "subresource"),
            ]),
            MessageSchema("meta.v1.LabelSelector", [
                .stringMap(1, "matchLabels"),
                .messages(2, "matchExpressions", "meta.v1.LabelSelectorRequirement"),
            ]),
            MessageSchema("meta.v1.LabelSelectorRequirement", [
                .string(1, "key"),
                .string(2, "operator"),
                .strings(3, "values"),
            ]),
            MessageSchema("meta.v1.ListMeta", [
                .string(1, "selfLink"),
                .string(2, "resourceVersion"),
                .string(3, "continue"),
                .int64(4, "remainingItemCount", .always),
            ]),
            MessageSchema("meta.v1.Condition", [
                .string(1, "type"),
                .string(2, "status"),
                .int64(3, "observedGeneration"),
                .time(4, "lastTransitionTime"),
                .string(5, "reason"),
                .string(6, "message"),
            ]),
            MessageSchema("meta.v1.DeleteOptions", [
                .int64(1, "gracePeriodSeconds", .always),
                .message(2, "preconditions", "meta.v1.Preconditions"),
                .bool(3, "orphanDependents", .always),
                .string(4, "propagationPolicy", .always),
                .strings(5, "dryRun"),
            ]),
            MessageSchema("meta.v1.Preconditions", [
                .string(1, "uid", .always),
                .string(2, "resourceVersion", .always),
            ]),
            MessageSchema("meta.v1.Status", [
                .message(1, "metadata", "meta.v1.ListMeta"),
                .string(2, "status"),
                .string(3, "message"),
                .string(4, "reason"),
                .message(5, "details", "meta.v1.StatusDetails"),
                .int32(6, "code"),
            ]),
            MessageSchema("meta.v1.StatusDetails", [
                .string(1, "name"),
                .string(2, "group"),
                .string(3, "kind"),
                .messages(4, "causes", "meta.v1.StatusCause"),
                .int32(5, "retryAfterSeconds"),
                .string(6, "uid"),
            ]),
            MessageSchema("meta.v1.StatusCause", [
                .string(1, "reason"),
                .string(2, "message"),
                .string(3, "field"),
            ]),
        ]
    }
}
