extension KubernetesProtobuf {
    /// coordination.k8s.io/v1 Lease (k8s.io/api/coordination/v1/generated.proto).
    enum CoordinationSchemas {
        static let all: [MessageSchema] = [
            MessageSchema("coordination.v1.Lease", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "coordination.v1.LeaseSpec"),
            ]),
            // Every LeaseSpec member is a Go pointer: a zero duration or transition count is real.
            MessageSchema("coordination.v1.LeaseSpec", [
                .string(1, "holderIdentity", .always),
                .int32(2, "leaseDurationSeconds", .always),
                .microTime(3, "acquireTime"),
                .microTime(4, "renewTime"),
                .int32(5, "leaseTransitions", .always),
                .string(6, "strategy", .always),
                .string(7, "preferredHolder", .always),
            ]),
        ]
    }
}
