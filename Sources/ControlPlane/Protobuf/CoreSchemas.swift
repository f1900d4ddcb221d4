extension KubernetesProtobuf {
    /// core/v1 messages other than the Pod's (k8s.io/api/core/v1/generated.proto): ConfigMap,
    /// Secret, Namespace, Service, Endpoints, Event, Node, Binding, ServiceAccount and the
    /// reference types they share with the Pod tables.
    ///
    /// Deprecated members with no use here (Node's configSource, NodeStatus.config) are left out
    /// on purpose: the decoder skips unknown fields, as protobuf readers must.
    enum CoreSchemas {
        static let all: [MessageSchema] = references + configuration + namespace + service + endpoints
            + event + node + [
                MessageSchema("core.v1.Binding", [
                    .message(1, "metadata", "meta.v1.ObjectMeta"),
                    .message(2, "target", "core.v1.ObjectReference"),
                ]),
            ]

        static let references: [MessageSchema] = [
            MessageSchema("core.v1.ObjectReference", [
                .string(1, "kind"),
                .string(2, "namespace"),
                .string(3, "name"),
                .string(4, "uid"),
                .string(5, "apiVersion"),
                .string(6, "resourceVersion"),
                .string(7, "fieldPath"),
            ]),
            MessageSchema("core.v1.LocalObjectReference", [
                .string(1, "name"),
            ]),
            MessageSchema("core.v1.SecretReference", [
                .string(1, "name"),
                .string(2, "namespace"),
            ]),
            MessageSchema("core.v1.TypedLocalObjectReference", [
                .string(1, "apiGroup", .always),
                .string(2, "kind"),
                .string(3, "name"),
            ]),
            MessageSchema("core.v1.TypedObjectReference", [
                .string(1, "apiGroup", .always),
                .string(2, "kind"),
                .string(3, "name"),
                .string(4, "namespace", .always),
            ]),
        ]

        static let configuration: [MessageSchema] = [
            MessageSchema("core.v1.ConfigMap", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .stringMap(2, "data"),
                .bytesMap(3, "binaryData"),
                .bool(4, "immutable", .always),
            ]),
            MessageSchema("core.v1.Secret", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .bytesMap(2, "data"),
                .string(3, "type"),
                .stringMap(4, "stringData"),
                .bool(5, "immutable", .always),
            ]),
            MessageSchema("core.v1.ServiceAccount", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .messages(2, "secrets", "core.v1.ObjectReference"),
                .messages(3, "imagePullSecrets", "core.v1.LocalObjectReference"),
                .bool(4, "automountServiceAccountToken", .always),
            ]),
        ]

        static let namespace: [MessageSchema] = [
            MessageSchema("core.v1.Namespace", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "core.v1.NamespaceSpec"),
                .message(3, "status", "core.v1.NamespaceStatus"),
            ]),
            MessageSchema("core.v1.NamespaceSpec", [
                .strings(1, "finalizers"),
            ]),
            MessageSchema("core.v1.NamespaceStatus", [
                .string(1, "phase"),
                .messages(2, "conditions", "core.v1.NamespaceCondition"),
            ]),
            MessageSchema("core.v1.NamespaceCondition", [
                .string(1, "type"),
                .string(2, "status"),
                .time(4, "lastTransitionTime"),
                .string(5, "reason"),
                .string(6, "message"),
            ]),
        ]

        static let service: [MessageSchema] = [
            MessageSchema("core.v1.Service", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "core.v1.ServiceSpec"),
                .message(3, "status", "core.v1.ServiceStatus"),
            ]),
            MessageSchema("core.v1.ServiceSpec", [
                .messages(1, "ports", "core.v1.ServicePort"),
                .stringMap(2, "selector"),
                .string(3, "clusterIP"),
                .string(4, "type"),
                .strings(5, "externalIPs"),
                .string(7, "sessionAffinity"),
                .string(8, "loadBalancerIP"),
                .strings(9, "loadBalancerSourceRanges"),
                .string(10, "externalName"),
                .string(11, "externalTrafficPolicy"),
                .int32(12, "healthCheckNodePort"),
                .bool(13, "publishNotReadyAddresses"),
                .message(14, "sessionAffinityConfig", "core.v1.SessionAffinityConfig"),
                .string(17, "ipFamilyPolicy", .always),
                .strings(18, "clusterIPs"),
                .strings(19, "ipFamilies"),
                .bool(20, "allocateLoadBalancerNodePorts", .always),
                .string(21, "loadBalancerClass", .always),
                .string(22, "internalTrafficPolicy", .always),
                .string(23, "trafficDistribution", .always),
            ]),
            MessageSchema("core.v1.ServicePort", [
                .string(1, "name"),
                .string(2, "protocol"),
                .int32(3, "port"),
                .intOrString(4, "targetPort"),
                .int32(5, "nodePort"),
                .string(6, "appProtocol", .always),
            ]),
            MessageSchema("core.v1.SessionAffinityConfig", [
                .message(1, "clientIP", "core.v1.ClientIPConfig"),
            ]),
            MessageSchema("core.v1.ClientIPConfig", [
                .int32(1, "timeoutSeconds", .always),
            ]),
            MessageSchema("core.v1.ServiceStatus", [
                .message(1, "loadBalancer", "core.v1.LoadBalancerStatus"),
                .messages(2, "conditions", "meta.v1.Condition"),
            ]),
            MessageSchema("core.v1.LoadBalancerStatus", [
                .messages(1, "ingress", "core.v1.LoadBalancerIngress"),
            ]),
            MessageSchema("core.v1.LoadBalancerIngress", [
                .string(1, "ip"),
                .string(2, "hostname"),
                .string(3, "ipMode", .always),
                .messages(4, "ports", "core.v1.PortStatus"),
            ]),
            MessageSchema("core.v1.PortStatus", [
                .int32(1, "port"),
                .string(2, "protocol"),
                .string(3, "error", .always),
            ]),
        ]

        static let endpoints: [MessageSchema] = [
            MessageSchema("core.v1.Endpoints", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .messages(2, "subsets", "core.v1.EndpointSubset"),
            ]),
            MessageSchema("core.v1.EndpointSubset", [
                .messages(1, "addresses", "core.v1.EndpointAddress"),
                .messages(2, "notReadyAddresses", "core.v1.EndpointAddress"),
                .messages(3, "ports", "core.v1.EndpointPort"),
            ]),
            MessageSchema("core.v1.EndpointAddress", [
                .string(1, "ip"),
                .message(2, "targetRef", "core.v1.ObjectReference"),
                .string(3, "hostname"),
                .string(4, "nodeName", .always),
            ]),
            MessageSchema("core.v1.EndpointPort", [
                .string(1, "name"),
                .int32(2, "port"),
                .string(3, "protocol"),
                .string(4, "appProtocol", .always),
            ]),
        ]

        static let event: [MessageSchema] = [
            MessageSchema("core.v1.Event", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "involvedObject", "core.v1.ObjectReference"),
                .string(3, "reason"),
                .string(4, "message"),
                .message(5, "source", "core.v1.EventSource"),
                .time(6, "firstTimestamp"),
                .time(7, "lastTimestamp"),
                .int32(8, "count"),
                .string(9, "type"),
                .microTime(10, "eventTime"),
                .message(11, "series", "core.v1.EventSeries"),
                .string(12, "action"),
                .message(13, "related", "core.v1.ObjectReference"),
                .string(14, "reportingComponent"),
                .string(15, "reportingInstance"),
            ]),
            MessageSchema("core.v1.EventSource", [
                .string(1, "component"),
                .string(2, "host"),
            ]),
            MessageSchema("core.v1.EventSeries", [
                .int32(1, "count"),
                .microTime(2, "lastObservedTime"),
            ]),
        ]

        static let node: [MessageSchema] = [
            MessageSchema("core.v1.Node", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "core.v1.NodeSpec"),
                .message(3, "status", "core.v1.NodeStatus"),
            ]),
            MessageSchema("core.v1.NodeSpec", [
                .string(1, "podCIDR"),
                .string(2, "externalID"),
                .string(3, "providerID"),
                .bool(4, "unschedulable"),
                .messages(5, "taints", "core.v1.Taint"),
                .strings(7, "podCIDRs"),
            ]),
            MessageSchema("core.v1.Taint", [
                .string(1, "key"),
                .string(2, "value"),
                .string(3, "effect"),
                .time(4, "timeAdded"),
            ]),
            MessageSchema("core.v1.NodeStatus", [
                .quantityMap(1, "capacity"),
                .quantityMap(2, "allocatable"),
                .string(3, "phase"),
                .messages(4, "conditions", "core.v1.NodeCondition"),
                .messages(5, "addresses", "core.v1.NodeAddress"),
                .message(6, "daemonEndpoints", "core.v1.NodeDaemonEndpoints"),
                .message(7, "nodeInfo", "core.v1.NodeSystemInfo"),
                .messages(8, "images", "core.v1.ContainerImage"),
                .strings(9, "volumesInUse"),
                .messages(10, "volumesAttached", "core.v1.AttachedVolume"),
                .messages(12, "runtimeHandlers", "core.v1.NodeRuntimeHandler"),
                .message(13, "features", "core.v1.NodeFeatures"),
                .strings(14, "declaredFeatures"),
            ]),
            MessageSchema("core.v1.NodeCondition", [
                .string(1, "type"),
                .string(2, "status"),
                .time(3, "lastHeartbeatTime"),
                .time(4, "lastTransitionTime"),
                .string(5, "reason"),
                .string(6, "message"),
            ]),
            MessageSchema("core.v1.NodeAddress", [
                .string(1, "type"),
                .string(2, "address"),
            ]),
            MessageSchema("core.v1.NodeDaemonEndpoints", [
                .message(1, "kubeletEndpoint", "core.v1.DaemonEndpoint"),
            ]),
            MessageSchema("core.v1.DaemonEndpoint", [
                .int32(1, "Port", .always),
            ]),
            MessageSchema("core.v1.NodeSystemInfo", [
                .string(1, "machineID"),
                .string(2, "systemUUID"),
                .string(3, "bootID"),
                .string(4, "kernelVersion"),
                .string(5, "osImage"),
                .string(6, "containerRuntimeVersion"),
                .string(7, "kubeletVersion"),
                .string(8, "kubeProxyVersion"),
                .string(9, "operatingSystem"),
                .string(10, "architecture"),
                .message(11, "swap", "core.v1.NodeSwapStatus"),
            ]),
            MessageSchema("core.v1.NodeSwapStatus", [
                .int64(1, "capacity", .always),
            ]),
            MessageSchema("core.v1.ContainerImage", [
                .strings(1, "names"),
                .int64(2, "sizeBytes"),
            ]),
            MessageSchema("core.v1.AttachedVolume", [
                .string(1, "name"),
                .string(2, "devicePath"),
            ]),
            MessageSchema("core.v1.NodeRuntimeHandler", [
                .string(1, "name"),
                .message(2, "features", "core.v1.NodeRuntimeHandlerFeatures"),
            ]),
            MessageSchema("core.v1.NodeRuntimeHandlerFeatures", [
                .bool(1, "recursiveReadOnlyMounts", .always),
                .bool(2, "userNamespaces", .always),
            ]),
            MessageSchema("core.v1.NodeFeatures", [
                .bool(1, "supplementalGroupsPolicy", .always),
                .bool(2, "containerUlimits", .always),
            ]),
        ]
    }
}
