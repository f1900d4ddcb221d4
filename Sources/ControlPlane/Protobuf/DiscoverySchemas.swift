extension KubernetesProtobuf {
    /// discovery.k8s.io/v1 EndpointSlice (k8s.io/api/discovery/v1/generated.proto).
    enum DiscoverySchemas {
        static let all: [MessageSchema] = [
            MessageSchema("discovery.v1.EndpointSlice", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .messages(2, "endpoints", "discovery.v1.Endpoint"),
                .messages(3, "ports", "discovery.v1.EndpointPort"),
                .string(4, "addressType"),
            ]),
            MessageSchema("discovery.v1.Endpoint", [
                .strings(1, "addresses"),
                .message(2, "conditions", "discovery.v1.EndpointConditions"),
                .string(3, "hostname", .always),
                .message(4, "targetRef", "core.v1.ObjectReference"),
                .stringMap(5, "deprecatedTopology"),
                .string(6, "nodeName", .always),
                .string(7, "zone", .always),
                .message(8, "hints", "discovery.v1.EndpointHints"),
            ]),
            MessageSchema("discovery.v1.EndpointConditions", [
                .bool(1, "ready", .always),
                .bool(2, "serving", .always),
                .bool(3, "terminating", .always),
            ]),
            MessageSchema("discovery.v1.EndpointHints", [
                .messages(1, "forZones", "discovery.v1.ForZone"),
            ]),
            MessageSchema("discovery.v1.ForZone", [
                .string(1, "name"),
            ]),
            MessageSchema("discovery.v1.EndpointPort", [
                .string(1, "name", .always),
                .string(2, "protocol", .always),
                .int32(3, "port", .always),
                .string(4, "appProtocol", .always),
            ]),
        ]
    }
}
