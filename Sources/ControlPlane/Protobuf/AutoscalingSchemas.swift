extension KubernetesProtobuf {
    /// autoscaling/v1 Scale, the body of the `scale` subresource
    /// (k8s.io/api/autoscaling/v1/generated.proto).
    enum AutoscalingSchemas {
        static let all: [MessageSchema] = [
            MessageSchema("autoscaling.v1.Scale", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "autoscaling.v1.ScaleSpec"),
                .message(3, "status", "autoscaling.v1.ScaleStatus"),
            ]),
            // ScaleSpec.replicas is `omitempty` in Go, which hides a scale to zero; kept explicit
            // so a handler never has to guess what a missing value means.
            MessageSchema("autoscaling.v1.ScaleSpec", [
                .int32(1, "replicas", .always),
            ]),
            MessageSchema("autoscaling.v1.ScaleStatus", [
                .int32(1, "replicas", .always),
                .string(2, "selector"),
            ]),
        ]
    }
}
