/// What the upstream Go types say through struct tags and comments (`patchStrategy`,
/// `patchMergeKey`, `+listType`, doc comments) and a Swift Codable type cannot: the
/// package each type's OpenAPI component lives in, strategic-merge-patch metadata, and
/// short descriptions. Keyed by the Swift type's short name, which mirrors upstream.
/// Types can add to or override these with `SchemaDocumenting`.
enum KnownSchemaMetadata {
    static let metaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1"
    static let coreV1 = "io.k8s.api.core.v1"

    /// Upstream OpenAPI package of a group (`apps` → `io.k8s.api.apps.v1`).
    static func package(group: String, version: String) -> String {
        if group.isEmpty { return "io.k8s.api.core.\(version)" }
        if group.hasSuffix(".k8s.io") {
            let short = group.dropLast(".k8s.io".count)
            let name = short.split(separator: ".").first.map(String.init) ?? String(short)
            if group == "apiextensions.k8s.io" { return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.\(version)" }
            if group == "apiregistration.k8s.io" { return "io.k8s.kube-aggregator.pkg.apis.apiregistration.\(version)" }
            return "io.k8s.api.\(name).\(version)"
        }
        if !group.contains(".") { return "io.k8s.api.\(group).\(version)" }
        // Out-of-tree groups: reversed domain, as openapi-gen names them (example.com → com.example).
        return group.split(separator: ".").reversed().joined(separator: ".") + ".\(version)"
    }

    /// Types whose component lives in a fixed package, whichever group uses them.
    static let fixedPackages: [String: String] = {
        var m: [String: String] = [:]
        for n in ["ObjectMeta", "ListMeta", "OwnerReference", "ManagedFieldsEntry", "LabelSelector",
                  "LabelSelectorRequirement", "Time", "MicroTime", "Condition", "Status", "StatusDetails",
                  "StatusCause", "DeleteOptions", "Preconditions", "FieldsV1", "WatchEvent", "Patch",
                  "APIResource", "APIResourceList", "APIGroup", "APIGroupList", "APIVersions",
                  "GroupVersionForDiscovery", "ServerAddressByClientCIDR"] {
            m[n] = metaV1
        }
        m["IntOrString"] = "io.k8s.apimachinery.pkg.util.intstr"
        m["Quantity"] = "io.k8s.apimachinery.pkg.api.resource"
        m["RawExtension"] = "io.k8s.apimachinery.pkg.runtime"
        for n in coreTypes { m[n] = coreV1 }
        for n in ["Scale", "ScaleSpec", "ScaleStatus"] { m[n] = "io.k8s.api.autoscaling.v1" }
        for n in ["Eviction", "PodDisruptionBudget", "PodDisruptionBudgetSpec", "PodDisruptionBudgetStatus"] {
            m[n] = "io.k8s.api.policy.v1"
        }
        return m
    }()

    /// Types defined by several groups under one name (EndpointPort is both core/v1 and
    /// discovery/v1): the document's own group wins, core otherwise.
    static let groupLocalNames: [String: Set<String>] = [
        "io.k8s.api.discovery.v1": ["EndpointSlice", "EndpointSliceList", "Endpoint", "EndpointConditions",
                                    "EndpointHints", "ForZone", "ForNode", "EndpointPort"],
        "io.k8s.api.events.v1": ["Event", "EventSeries", "EventList"],
    ]

    static let coreTypes: Set<String> = [
        "Pod", "PodList", "PodSpec", "PodStatus", "PodCondition", "PodIP", "HostIP", "PodTemplate",
        "PodTemplateSpec", "PodTemplateList", "Container", "ContainerPort", "ContainerStatus", "ContainerState",
        "ContainerStateRunning", "ContainerStateTerminated", "ContainerStateWaiting", "ContainerImage",
        "ContainerResizePolicy", "ContainerUser", "LinuxContainerUser", "ResourceHealth", "ResourceStatus",
        "VolumeMountStatus", "EnvVar", "EnvVarSource", "EnvFromSource", "ConfigMapEnvSource", "SecretEnvSource",
        "ConfigMapKeySelector", "SecretKeySelector", "ObjectFieldSelector", "ResourceFieldSelector",
        "VolumeMount", "VolumeDevice", "Volume", "HostPathVolumeSource", "EmptyDirVolumeSource",
        "ConfigMapVolumeSource", "SecretVolumeSource", "KeyToPath", "ProjectedVolumeSource", "VolumeProjection",
        "ServiceAccountTokenProjection", "ClusterTrustBundleProjection", "DownwardAPIVolumeSource",
        "DownwardAPIVolumeFile", "DownwardAPIProjection", "ConfigMapProjection", "SecretProjection",
        "PersistentVolumeClaimVolumeSource", "ImageVolumeSource", "NFSVolumeSource", "CSIVolumeSource",
        "EphemeralVolumeSource", "ResourceRequirements", "ResourceClaim", "PodResourceClaim",
        "PodResourceClaimStatus", "Probe", "ExecAction", "HTTPGetAction", "HTTPHeader", "TCPSocketAction",
        "GRPCAction", "Lifecycle", "LifecycleHandler", "SleepAction", "SecurityContext", "PodSecurityContext",
        "Capabilities", "SELinuxOptions", "SeccompProfile", "AppArmorProfile", "WindowsSecurityContextOptions",
        "Sysctl", "Toleration", "Affinity", "NodeAffinity", "PodAffinity", "PodAntiAffinity", "NodeSelector",
        "NodeSelectorTerm", "NodeSelectorRequirement", "PreferredSchedulingTerm", "PodAffinityTerm",
        "WeightedPodAffinityTerm", "TopologySpreadConstraint", "LocalObjectReference", "ObjectReference",
        "TypedLocalObjectReference", "HostAlias", "PodDNSConfig", "PodDNSConfigOption", "PodReadinessGate",
        "EphemeralContainer", "PodSchedulingGate", "PodOS", "Service", "ServiceList", "ServiceSpec",
        "ServiceStatus", "ServicePort", "SessionAffinityConfig", "ClientIPConfig", "LoadBalancerStatus",
        "LoadBalancerIngress", "PortStatus", "Endpoints", "EndpointsList", "EndpointSubset", "EndpointAddress",
        "EndpointPort", "Namespace", "NamespaceList", "NamespaceSpec", "NamespaceStatus", "NamespaceCondition",
        "Node", "NodeList", "NodeSpec", "NodeStatus", "NodeAddress", "NodeCondition", "NodeSystemInfo",
        "NodeDaemonEndpoints", "DaemonEndpoint", "AttachedVolume", "NodeConfigSource", "NodeConfigStatus",
        "ConfigMapNodeConfigSource", "Taint", "NodeRuntimeHandler", "NodeRuntimeHandlerFeatures", "NodeFeatures",
        "NodeSwapStatus", "ConfigMap", "ConfigMapList", "Secret", "SecretList", "Event", "EventList",
        "EventSource", "EventSeries", "Binding", "ServiceAccount", "ServiceAccountList",
    ]

    // MARK: Patch metadata (upstream struct tags)

    static let fieldAnnotations: [String: [String: SchemaAnnotation]] = {
        let byName = SchemaAnnotation.mergeList(key: "name")
        let byType = SchemaAnnotation.mergeList(key: "type")
        let byIP = SchemaAnnotation.mergeList(key: "ip")
        let atomic = SchemaAnnotation(listType: "atomic")
        let containerFields: [String: SchemaAnnotation] = [
            "ports": .mergeList(key: "containerPort", mapKeys: ["containerPort", "protocol"]),
            "env": byName,
            "envFrom": atomic,
            "volumeMounts": .mergeList(key: "mountPath"),
            "volumeDevices": .mergeList(key: "devicePath"),
            "resizePolicy": atomic,
            "command": atomic,
            "args": atomic,
        ]
        let conditions = ["conditions": byType]
        return [
            "ObjectMeta": [
                "finalizers": SchemaAnnotation(patchStrategy: "merge", listType: "set"),
                "ownerReferences": .mergeList(key: "uid"),
                "managedFields": atomic,
            ],
            "PodSpec": [
                "volumes": SchemaAnnotation(patchStrategy: "merge,retainKeys", patchMergeKey: "name",
                                            listType: "map", listMapKeys: ["name"]),
                "initContainers": byName,
                "containers": byName,
                "ephemeralContainers": byName,
                "imagePullSecrets": byName,
                "hostAliases": byIP,
                "tolerations": atomic,
                "readinessGates": atomic,
                "schedulingGates": byName,
                "resourceClaims": SchemaAnnotation(patchStrategy: "merge,retainKeys", patchMergeKey: "name",
                                                   listType: "map", listMapKeys: ["name"]),
                "topologySpreadConstraints": .mergeList(key: "topologyKey",
                                                        mapKeys: ["topologyKey", "whenUnsatisfiable"]),
            ],
            "Container": containerFields,
            "EphemeralContainer": containerFields,
            "PodStatus": [
                "conditions": byType,
                "podIPs": byIP,
                "hostIPs": SchemaAnnotation(patchStrategy: "merge", patchMergeKey: "ip", listType: "atomic"),
                "containerStatuses": atomic,
                "initContainerStatuses": atomic,
                "ephemeralContainerStatuses": atomic,
                "resourceClaimStatuses": SchemaAnnotation(patchStrategy: "merge,retainKeys", patchMergeKey: "name",
                                                          listType: "map", listMapKeys: ["name"]),
            ],
            "ServiceSpec": [
                "ports": .mergeList(key: "port", mapKeys: ["port", "protocol"]),
                "clusterIPs": atomic,
                "externalIPs": atomic,
                "ipFamilies": atomic,
                "loadBalancerSourceRanges": atomic,
            ],
            "ServiceStatus": conditions,
            "LoadBalancerStatus": ["ingress": atomic],
            "NodeSpec": [
                "podCIDRs": SchemaAnnotation(patchStrategy: "merge", listType: "set"),
                "taints": atomic,
            ],
            "NodeStatus": [
                "conditions": byType,
                "addresses": byType,
                "images": atomic,
                "volumesInUse": atomic,
                "volumesAttached": atomic,
            ],
            "NamespaceStatus": conditions,
            "DeploymentSpec": ["strategy": SchemaAnnotation(patchStrategy: "retainKeys")],
            "DeploymentStatus": conditions,
            "ReplicaSetStatus": conditions,
            "EndpointSlice": ["endpoints": atomic, "ports": atomic],
            "Endpoint": ["addresses": SchemaAnnotation(listType: "set")],
            "EndpointSubset": ["addresses": atomic, "notReadyAddresses": atomic, "ports": atomic],
            "LabelSelector": ["matchExpressions": atomic],
            "NodeSelectorTerm": ["matchExpressions": atomic, "matchFields": atomic],
            "NodeSelector": ["nodeSelectorTerms": atomic],
            "ResourceRequirements": ["claims": SchemaAnnotation(listType: "map", listMapKeys: ["name"])],
            "PodSecurityContext": ["supplementalGroups": atomic, "sysctls": atomic],
            "Capabilities": ["add": atomic, "drop": atomic],
            "Condition": [:],
        ]
    }()

    // MARK: Descriptions

    static let commonFieldDescriptions: [String: String] = [
        "apiVersion": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
        "kind": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
        "metadata": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        "spec": "Specification of the desired behavior of the object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
        "status": "Most recently observed status of the object. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
    ]

    static let typeDescriptions: [String: String] = [
        "Pod": "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.",
        "PodSpec": "PodSpec is a description of a pod.",
        "PodStatus": "PodStatus represents information about the status of a pod. Status may trail the actual state of a system, especially if the node that hosts the pod cannot contact the control plane.",
        "PodTemplateSpec": "PodTemplateSpec describes the data a pod should have when created from a template",
        "Container": "A single application container that you want to run within a pod.",
        "ContainerPort": "ContainerPort represents a network port in a single container.",
        "EnvVar": "EnvVar represents an environment variable present in a Container.",
        "Volume": "Volume represents a named volume in a pod that may be accessed by any container in the pod.",
        "VolumeMount": "VolumeMount describes a mounting of a Volume within a container.",
        "ResourceRequirements": "ResourceRequirements describes the compute resource requirements.",
        "Probe": "Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.",
        "Service": "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
        "ServiceSpec": "ServiceSpec describes the attributes that a user creates on a service.",
        "ServicePort": "ServicePort contains information on service's port.",
        "ServiceStatus": "ServiceStatus represents the current status of a service.",
        "Endpoints": "Endpoints is a collection of endpoints that implement the actual service.",
        "EndpointSubset": "EndpointSubset is a group of addresses with a common set of ports.",
        "Namespace": "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
        "Node": "Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).",
        "NodeSpec": "NodeSpec describes the attributes that a node is created with.",
        "NodeStatus": "NodeStatus is information about the current status of a node.",
        "ConfigMap": "ConfigMap holds configuration data for pods to consume.",
        "Secret": "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
        "Event": "Event is a report of an event somewhere in the cluster.",
        "Binding": "Binding ties one object to another; for example, a pod is bound to a node by a scheduler.",
        "ObjectReference": "ObjectReference contains enough information to let you inspect or modify the referred object.",
        "Deployment": "Deployment enables declarative updates for Pods and ReplicaSets.",
        "DeploymentSpec": "DeploymentSpec is the specification of the desired behavior of the Deployment.",
        "DeploymentStatus": "DeploymentStatus is the most recently observed status of the Deployment.",
        "DeploymentStrategy": "DeploymentStrategy describes how to replace existing pods with new ones.",
        "ReplicaSet": "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
        "ReplicaSetSpec": "ReplicaSetSpec is the specification of a ReplicaSet.",
        "ReplicaSetStatus": "ReplicaSetStatus represents the current status of a ReplicaSet.",
        "EndpointSlice": "EndpointSlice represents a subset of the endpoints that implement a service. For a given service there may be multiple EndpointSlice objects, selected by labels, which must be joined to produce the full set of endpoints.",
        "Endpoint": "Endpoint represents a single logical \"backend\" implementing a service.",
        "Lease": "Lease defines a lease concept.",
        "LeaseSpec": "LeaseSpec is a specification of a Lease.",
        "ObjectMeta": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        "ListMeta": "ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.",
        "OwnerReference": "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
        "ManagedFieldsEntry": "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
        "LabelSelector": "A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.",
        "Scale": "Scale represents a scaling request for a resource.",
        "ScaleSpec": "ScaleSpec describes the attributes of a scale subresource.",
        "ScaleStatus": "ScaleStatus represents the current status of a scale subresource.",
        "Eviction": "Eviction evicts a pod from its node subject to certain policies and safety constraints. This is a subresource of Pod.  A request to cause such an eviction is created by POSTing to .../pods/<pod name>/evictions.",
        "Status": "Status is a return value for calls that don't return other objects.",
        "StatusDetails": "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.",
        "StatusCause": "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
        "DeleteOptions": "DeleteOptions may be provided when deleting an API object.",
        "Preconditions": "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
        "WatchEvent": "Event represents a single event to a watched resource.",
    ]

    /// Timestamps are `String` (`Time`) in the Swift types; upstream declares them
    /// `date-time` strings.
    static func looksLikeTimestamp(_ field: String) -> Bool {
        field == "time" || field.hasSuffix("Timestamp") || field.hasSuffix("Time")
    }
}
