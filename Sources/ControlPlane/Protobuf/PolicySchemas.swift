extension KubernetesProtobuf {
    /// policy/v1 Eviction, the body `kubectl drain` posts to a Pod's `eviction` subresource.
    ///
    /// Numbers from k8s.io/api/policy/v1beta1/generated.proto; policy/v1 copied the type unchanged.
    enum PolicySchemas {
        static let all: [MessageSchema] = [
            MessageSchema("policy.v1.Eviction", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "deleteOptions", "meta.v1.DeleteOptions"),
            ]),
        ]
    }
}
