extension KubernetesProtobuf {
    /// apps/v1 Deployment and ReplicaSet (k8s.io/api/apps/v1/generated.proto).
    enum AppsSchemas {
        static let all: [MessageSchema] = [
            MessageSchema("apps.v1.Deployment", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "apps.v1.DeploymentSpec"),
                .message(3, "status", "apps.v1.DeploymentStatus"),
            ]),
            MessageSchema("apps.v1.DeploymentSpec", [
                .int32(1, "replicas", .always),
                .message(2, "selector", "meta.v1.LabelSelector"),
                .message(3, "template", "core.v1.PodTemplateSpec"),
                .message(4, "strategy", "apps.v1.DeploymentStrategy"),
                .int32(5, "minReadySeconds"),
                .int32(6, "revisionHistoryLimit", .always),
                .bool(7, "paused"),
                .int32(9, "progressDeadlineSeconds", .always),
                .string(10, "podReplacementPolicy", .always),
            ]),
            MessageSchema("apps.v1.DeploymentStrategy", [
                .string(1, "type"),
                .message(2, "rollingUpdate", "apps.v1.RollingUpdateDeployment"),
            ]),
            MessageSchema("apps.v1.RollingUpdateDeployment", [
                .intOrString(1, "maxUnavailable"),
                .intOrString(2, "maxSurge"),
            ]),
            MessageSchema("apps.v1.DeploymentStatus", [
                .int64(1, "observedGeneration"),
                .int32(2, "replicas"),
                .int32(3, "updatedReplicas"),
                .int32(4, "availableReplicas"),
                .int32(5, "unavailableReplicas"),
                .messages(6, "conditions", "apps.v1.DeploymentCondition"),
                .int32(7, "readyReplicas"),
                .int32(8, "collisionCount", .always),
                .int32(9, "terminatingReplicas", .always),
            ]),
            MessageSchema("apps.v1.DeploymentCondition", [
                .string(1, "type"),
                .string(2, "status"),
                .string(4, "reason"),
                .string(5, "message"),
                .time(6, "lastUpdateTime"),
                .time(7, "lastTransitionTime"),
            ]),
            MessageSchema("apps.v1.ReplicaSet", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "apps.v1.ReplicaSetSpec"),
                .message(3, "status", "apps.v1.ReplicaSetStatus"),
            ]),
            MessageSchema("apps.v1.ReplicaSetSpec", [
                .int32(1, "replicas", .always),
                .message(2, "selector", "meta.v1.LabelSelector"),
                .message(3, "template", "core.v1.PodTemplateSpec"),
                .int32(4, "minReadySeconds"),
            ]),
            MessageSchema("apps.v1.ReplicaSetStatus", [
                // `json:"replicas"` without omitempty: zero observed replicas is reported.
                .int32(1, "replicas", .always),
                .int32(2, "fullyLabeledReplicas"),
                .int64(3, "observedGeneration"),
                .int32(4, "readyReplicas"),
                .int32(5, "availableReplicas"),
                .messages(6, "conditions", "apps.v1.ReplicaSetCondition"),
                .int32(7, "terminatingReplicas", .always),
            ]),
            MessageSchema("apps.v1.ReplicaSetCondition", [
                .string(1, "type"),
                .string(2, "status"),
                .time(3, "lastTransitionTime"),
                .string(4, "reason"),
                .string(5, "message"),
            ]),
        ]
    }
}
