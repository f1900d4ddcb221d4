#if !STANDALONE_CHECK
import KubeAPI
#endif

// Column definitions as upstream's AddHandlers registers them (names, types, formats,
// priorities); descriptions are the API field docs upstream takes from SwaggerDoc().

extension TablePrinter {
    enum Doc {
        static let name =
            "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
        static let creationTimestamp =
            "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

        static let podIP = "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."
        static let nodeName =
            "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename"
        static let nominatedNodeName =
            "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled."
        static let readinessGates =
            "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates"

        static let kubeletVersion = "Kubelet Version reported by the node."
        static let nodeAddresses =
            "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP)."
        static let osImage = "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."
        static let kernelVersion = "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."
        static let containerRuntimeVersion =
            "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."

        static let serviceType =
            "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"
        static let clusterIP =
            "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"
        static let externalIPs =
            "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system."
        static let servicePorts =
            "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"
        static let serviceSelector =
            "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/"

        static let endpointsSubsets =
            "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service."
        static let sliceAddressType =
            "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name."
        static let slicePorts =
            "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports."
        static let sliceEndpoints =
            "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."

        static let configMapData =
            "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."
        static let secretType =
            "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"
        static let secretData =
            "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"

        static let eventLastTimestamp = "The time at which the most recent occurrence of this event was recorded."
        static let eventType = "Type of this event (Normal, Warning), new types could be added in the future"
        static let eventReason =
            "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."
        static let eventInvolvedObject = "The object that this event is about."
        static let fieldPath =
            "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object."
        static let eventSource = "The component reporting this event. Should be a short machine understandable string."
        static let eventMessage = "A human-readable description of the status of this operation."
        static let eventFirstTimestamp = "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"
        static let eventCount = "The number of times this event has occurred."

        static let containers = "Names of each container in the template."
        static let images = "Images referenced by each container in the template."
        static let readyPods = "Number of the pod with ready state"
        static let deploymentUpdated =
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec."
        static let deploymentAvailable =
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."
        static let deploymentSelector =
            "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."
        static let replicaSetDesired =
            "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"
        static let replicaSetCurrent =
            "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"
        static let replicaSetReady = "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition."
        static let replicaSetSelector =
            "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"
        static let leaseHolder =
            "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."
    }

    static let nameColumn = Column(name: "Name", type: "string", format: "name", description: Doc.name)
    static let ageColumn = Column(name: "Age", type: "string", description: Doc.creationTimestamp)

    static let podColumns: [Column] = [
        nameColumn,
        Column(name: "Ready", type: "string", description: "The aggregate readiness state of this pod for accepting traffic."),
        Column(name: "Status", type: "string", description: "The aggregate status of the containers in this pod."),
        Column(name: "Restarts", type: "string",
               description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        ageColumn,
        Column(name: "IP", type: "string", description: Doc.podIP, priority: 1),
        Column(name: "Node", type: "string", description: Doc.nodeName, priority: 1),
        Column(name: "Nominated Node", type: "string", description: Doc.nominatedNodeName, priority: 1),
        Column(name: "Readiness Gates", type: "string", description: Doc.readinessGates, priority: 1),
    ]

    static let nodeColumns: [Column] = [
        nameColumn,
        Column(name: "Status", type: "string", description: "The status of the node"),
        Column(name: "Roles", type: "string", description: "The roles of the node"),
        ageColumn,
        Column(name: "Version", type: "string", description: Doc.kubeletVersion),
        Column(name: "Internal-IP", type: "string", description: Doc.nodeAddresses, priority: 1),
        Column(name: "External-IP", type: "string", description: Doc.nodeAddresses, priority: 1),
        Column(name: "OS-Image", type: "string", description: Doc.osImage, priority: 1),
        Column(name: "Kernel-Version", type: "string", description: Doc.kernelVersion, priority: 1),
        Column(name: "Container-Runtime", type: "string", description: Doc.containerRuntimeVersion, priority: 1),
    ]

    static let namespaceColumns: [Column] = [
        nameColumn,
        Column(name: "Status", type: "string", description: "The status of the namespace"),
        ageColumn,
    ]

    static let serviceColumns: [Column] = [
        nameColumn,
        Column(name: "Type", type: "string", description: Doc.serviceType),
        Column(name: "Cluster-IP", type: "string", description: Doc.clusterIP),
        Column(name: "External-IP", type: "string", description: Doc.externalIPs),
        Column(name: "Port(s)", type: "string", description: Doc.servicePorts),
        ageColumn,
        Column(name: "Selector", type: "string", description: Doc.serviceSelector, priority: 1),
    ]

    static let endpointsColumns: [Column] = [
        nameColumn,
        Column(name: "Endpoints", type: "string", description: Doc.endpointsSubsets),
        ageColumn,
    ]

    static let endpointSliceColumns: [Column] = [
        nameColumn,
        Column(name: "AddressType", type: "string", description: Doc.sliceAddressType),
        Column(name: "Ports", type: "string", description: Doc.slicePorts),
        Column(name: "Endpoints", type: "string", description: Doc.sliceEndpoints),
        ageColumn,
    ]

    static let configMapColumns: [Column] = [
        nameColumn,
        Column(name: "Data", type: "string", description: Doc.configMapData),
        ageColumn,
    ]

    static let secretColumns: [Column] = [
        nameColumn,
        Column(name: "Type", type: "string", description: Doc.secretType),
        Column(name: "Data", type: "string", description: Doc.secretData),
        ageColumn,
    ]

    static let eventColumns: [Column] = [
        Column(name: "Last Seen", type: "string", description: Doc.eventLastTimestamp),
        Column(name: "Type", type: "string", description: Doc.eventType),
        Column(name: "Reason", type: "string", description: Doc.eventReason),
        Column(name: "Object", type: "string", description: Doc.eventInvolvedObject),
        Column(name: "Subobject", type: "string", description: Doc.fieldPath, priority: 1),
        Column(name: "Source", type: "string", description: Doc.eventSource, priority: 1),
        Column(name: "Message", type: "string", description: Doc.eventMessage),
        Column(name: "First Seen", type: "string", description: Doc.eventFirstTimestamp, priority: 1),
        Column(name: "Count", type: "string", description: Doc.eventCount, priority: 1),
        Column(name: "Name", type: "string", format: "name", description: Doc.name, priority: 1),
    ]

    static let deploymentColumns: [Column] = [
        nameColumn,
        Column(name: "Ready", type: "string", description: Doc.readyPods),
        Column(name: "Up-to-date", type: "string", description: Doc.deploymentUpdated),
        Column(name: "Available", type: "string", description: Doc.deploymentAvailable),
        ageColumn,
        Column(name: "Containers", type: "string", description: Doc.containers, priority: 1),
        Column(name: "Images", type: "string", description: Doc.images, priority: 1),
        Column(name: "Selector", type: "string", description: Doc.deploymentSelector, priority: 1),
    ]

    static let replicaSetColumns: [Column] = [
        nameColumn,
        Column(name: "Desired", type: "integer", description: Doc.replicaSetDesired),
        Column(name: "Current", type: "integer", description: Doc.replicaSetCurrent),
        Column(name: "Ready", type: "integer", description: Doc.replicaSetReady),
        ageColumn,
        Column(name: "Containers", type: "string", description: Doc.containers, priority: 1),
        Column(name: "Images", type: "string", description: Doc.images, priority: 1),
        Column(name: "Selector", type: "string", description: Doc.replicaSetSelector, priority: 1),
    ]

    static let leaseColumns: [Column] = [
        nameColumn,
        Column(name: "Holder", type: "string", description: Doc.leaseHolder),
        ageColumn,
    ]

    /// The default table convertor (apiserver registry/rest): Name and Created At.
    static let defaultColumns: [Column] = [
        nameColumn,
        Column(name: "Created At", type: "date", description: Doc.creationTimestamp),
    ]
}
