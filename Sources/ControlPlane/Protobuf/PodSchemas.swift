extension KubernetesProtobuf {
    /// core/v1 Pod, PodSpec and every message a PodSpec reaches, PodStatus and PodTemplateSpec
    /// (k8s.io/api/core/v1/generated.proto).
    ///
    /// In-tree cloud volume plugins (gcePersistentDisk, rbd, cephfs, …) have no table: Skiff's
    /// node agent cannot mount them, and the decoder skips their fields like any unknown field.
    enum PodSchemas {
        static let all: [MessageSchema] = pod + containers + probes + security + volumes + scheduling + status

        static let pod: [MessageSchema] = [
            MessageSchema("core.v1.Pod", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "core.v1.PodSpec"),
                .message(3, "status", "core.v1.PodStatus"),
            ]),
            MessageSchema("core.v1.PodTemplateSpec", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "core.v1.PodSpec"),
            ]),
            MessageSchema("core.v1.PodTemplate", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "template", "core.v1.PodTemplateSpec"),
            ]),
            MessageSchema("core.v1.PodSpec", [
                .messages(1, "volumes", "core.v1.Volume"),
                .messages(2, "containers", "core.v1.Container"),
                .string(3, "restartPolicy"),
                .int64(4, "terminationGracePeriodSeconds", .always),
                .int64(5, "activeDeadlineSeconds", .always),
                .string(6, "dnsPolicy"),
                .stringMap(7, "nodeSelector"),
                .string(8, "serviceAccountName"),
                .string(9, "serviceAccount"),
                .string(10, "nodeName"),
                .bool(11, "hostNetwork"),
                .bool(12, "hostPID"),
                .bool(13, "hostIPC"),
                .message(14, "securityContext", "core.v1.PodSecurityContext"),
                .messages(15, "imagePullSecrets", "core.v1.LocalObjectReference"),
                .string(16, "hostname"),
                .string(17, "subdomain"),
                .message(18, "affinity", "core.v1.Affinity"),
                .string(19, "schedulerName"),
                .messages(20, "initContainers", "core.v1.Container"),
                .bool(21, "automountServiceAccountToken", .always),
                .messages(22, "tolerations", "core.v1.Toleration"),
                .messages(23, "hostAliases", "core.v1.HostAlias"),
                .string(24, "priorityClassName"),
                .int32(25, "priority", .always),
                .message(26, "dnsConfig", "core.v1.PodDNSConfig"),
                .bool(27, "shareProcessNamespace", .always),
                .messages(28, "readinessGates", "core.v1.PodReadinessGate"),
                .string(29, "runtimeClassName", .always),
                .bool(30, "enableServiceLinks", .always),
                .string(31, "preemptionPolicy", .always),
                .quantityMap(32, "overhead"),
                .messages(33, "topologySpreadConstraints", "core.v1.TopologySpreadConstraint"),
                .messages(34, "ephemeralContainers", "core.v1.EphemeralContainer"),
                .bool(35, "setHostnameAsFQDN", .always),
                .message(36, "os", "core.v1.PodOS"),
                .bool(37, "hostUsers", .always),
                .messages(38, "schedulingGates", "core.v1.PodSchedulingGate"),
                .messages(39, "resourceClaims", "core.v1.PodResourceClaim"),
                .message(40, "resources", "core.v1.ResourceRequirements"),
                .string(41, "hostnameOverride", .always),
                .message(42, "workloadRef", "core.v1.WorkloadReference"),
            ]),
            MessageSchema("core.v1.HostAlias", [
                .string(1, "ip"),
                .strings(2, "hostnames"),
            ]),
            MessageSchema("core.v1.PodDNSConfig", [
                .strings(1, "nameservers"),
                .strings(2, "searches"),
                .messages(3, "options", "core.v1.PodDNSConfigOption"),
            ]),
            MessageSchema("core.v1.PodDNSConfigOption", [
                .string(1, "name"),
                .string(2, "value", .always),
            ]),
            MessageSchema("core.v1.PodReadinessGate", [
                .string(1, "conditionType"),
            ]),
            MessageSchema("core.v1.PodOS", [
                .string(1, "name"),
            ]),
            MessageSchema("core.v1.PodSchedulingGate", [
                .string(1, "name"),
            ]),
            MessageSchema("core.v1.PodResourceClaim", [
                .string(1, "name"),
                .string(3, "resourceClaimName", .always),
                .string(4, "resourceClaimTemplateName", .always),
            ]),
            MessageSchema("core.v1.WorkloadReference", [
                .string(1, "name"),
                .string(2, "podGroup"),
                .string(3, "podGroupReplicaKey"),
            ]),
        ]

        /// Container and EphemeralContainerCommon share their numbering (upstream keeps them in
        /// step so one converts into the other).
        static let containerFields: [FieldSchema] = [
            .string(1, "name"),
            .string(2, "image"),
            .strings(3, "command"),
            .strings(4, "args"),
            .string(5, "workingDir"),
            .messages(6, "ports", "core.v1.ContainerPort"),
            .messages(7, "env", "core.v1.EnvVar"),
            .message(8, "resources", "core.v1.ResourceRequirements"),
            .messages(9, "volumeMounts", "core.v1.VolumeMount"),
            .message(10, "livenessProbe", "core.v1.Probe"),
            .message(11, "readinessProbe", "core.v1.Probe"),
            .message(12, "lifecycle", "core.v1.Lifecycle"),
            .string(13, "terminationMessagePath"),
            .string(14, "imagePullPolicy"),
            .message(15, "securityContext", "core.v1.SecurityContext"),
            .bool(16, "stdin"),
            .bool(17, "stdinOnce"),
            .bool(18, "tty"),
            .messages(19, "envFrom", "core.v1.EnvFromSource"),
            .string(20, "terminationMessagePolicy"),
            .messages(21, "volumeDevices", "core.v1.VolumeDevice"),
            .message(22, "startupProbe", "core.v1.Probe"),
            .messages(23, "resizePolicy", "core.v1.ContainerResizePolicy"),
            .string(24, "restartPolicy", .always),
            .messages(25, "restartPolicyRules", "core.v1.ContainerRestartRule"),
        ]

        static let containers: [MessageSchema] = [
            MessageSchema("core.v1.Container", containerFields),
            MessageSchema("core.v1.EphemeralContainerCommon", containerFields),
            MessageSchema("core.v1.EphemeralContainer", [
                .inline(1, "core.v1.EphemeralContainerCommon"),
                .string(2, "targetContainerName"),
            ]),
            MessageSchema("core.v1.ContainerPort", [
                .string(1, "name"),
                .int32(2, "hostPort"),
                .int32(3, "containerPort"),
                .string(4, "protocol"),
                .string(5, "hostIP"),
            ]),
            MessageSchema("core.v1.ContainerResizePolicy", [
                .string(1, "resourceName"),
                .string(2, "restartPolicy"),
            ]),
            MessageSchema("core.v1.ContainerRestartRule", [
                .string(1, "action"),
                .message(2, "exitCodes", "core.v1.ContainerRestartRuleOnExitCodes"),
            ]),
            MessageSchema("core.v1.ContainerRestartRuleOnExitCodes", [
                .string(1, "operator"),
                .int32s(2, "values"),
            ]),
            MessageSchema("core.v1.EnvVar", [
                .string(1, "name"),
                .string(2, "value"),
                .message(3, "valueFrom", "core.v1.EnvVarSource"),
            ]),
            MessageSchema("core.v1.EnvVarSource", [
                .message(1, "fieldRef", "core.v1.ObjectFieldSelector"),
                .message(2, "resourceFieldRef", "core.v1.ResourceFieldSelector"),
                .message(3, "configMapKeyRef", "core.v1.ConfigMapKeySelector"),
                .message(4, "secretKeyRef", "core.v1.SecretKeySelector"),
                .message(5, "fileKeyRef", "core.v1.FileKeySelector"),
            ]),
            MessageSchema("core.v1.ObjectFieldSelector", [
                .string(1, "apiVersion"),
                .string(2, "fieldPath"),
            ]),
            MessageSchema("core.v1.ResourceFieldSelector", [
                .string(1, "containerName"),
                .string(2, "resource"),
                .quantity(3, "divisor"),
            ]),
            MessageSchema("core.v1.ConfigMapKeySelector", [
                .inline(1, "core.v1.LocalObjectReference"),
                .string(2, "key"),
                .bool(3, "optional", .always),
            ]),
            MessageSchema("core.v1.SecretKeySelector", [
                .inline(1, "core.v1.LocalObjectReference"),
                .string(2, "key"),
                .bool(3, "optional", .always),
            ]),
            MessageSchema("core.v1.FileKeySelector", [
                .string(1, "volumeName"),
                .string(2, "path"),
                .string(3, "key"),
                .bool(4, "optional", .always),
            ]),
            MessageSchema("core.v1.EnvFromSource", [
                .string(1, "prefix"),
                .message(2, "configMapRef", "core.v1.ConfigMapEnvSource"),
                .message(3, "secretRef", "core.v1.SecretEnvSource"),
            ]),
            MessageSchema("core.v1.ConfigMapEnvSource", [
                .inline(1, "core.v1.LocalObjectReference"),
                .bool(2, "optional", .always),
            ]),
            MessageSchema("core.v1.SecretEnvSource", [
                .inline(1, "core.v1.LocalObjectReference"),
                .bool(2, "optional", .always),
            ]),
            MessageSchema("core.v1.ResourceRequirements", [
                .quantityMap(1, "limits"),
                .quantityMap(2, "requests"),
                .messages(3, "claims", "core.v1.ResourceClaim"),
            ]),
            MessageSchema("core.v1.ResourceClaim", [
                .string(1, "name"),
                .string(2, "request"),
            ]),
            MessageSchema("core.v1.VolumeMount", [
                .string(1, "name"),
                .bool(2, "readOnly"),
                .string(3, "mountPath"),
                .string(4, "subPath"),
                .string(5, "mountPropagation", .always),
                .string(6, "subPathExpr"),
                .string(7, "recursiveReadOnly", .always),
            ]),
            MessageSchema("core.v1.VolumeDevice", [
                .string(1, "name"),
                .string(2, "devicePath"),
            ]),
        ]

        static let probes: [MessageSchema] = [
            MessageSchema("core.v1.Probe", [
                .inline(1, "core.v1.ProbeHandler"),
                .int32(2, "initialDelaySeconds"),
                .int32(3, "timeoutSeconds"),
                .int32(4, "periodSeconds"),
                .int32(5, "successThreshold"),
                .int32(6, "failureThreshold"),
                .int64(7, "terminationGracePeriodSeconds", .always),
            ]),
            MessageSchema("core.v1.ProbeHandler", [
                .message(1, "exec", "core.v1.ExecAction"),
                .message(2, "httpGet", "core.v1.HTTPGetAction"),
                .message(3, "tcpSocket", "core.v1.TCPSocketAction"),
                .message(4, "grpc", "core.v1.GRPCAction"),
            ]),
            MessageSchema("core.v1.ExecAction", [
                .strings(1, "command"),
            ]),
            MessageSchema("core.v1.HTTPGetAction", [
                .string(1, "path"),
                .intOrString(2, "port"),
                .string(3, "host"),
                .string(4, "scheme"),
                .messages(5, "httpHeaders", "core.v1.HTTPHeader"),
            ]),
            MessageSchema("core.v1.HTTPHeader", [
                .string(1, "name"),
                .string(2, "value", .always),
            ]),
            MessageSchema("core.v1.TCPSocketAction", [
                .intOrString(1, "port"),
                .string(2, "host"),
            ]),
            MessageSchema("core.v1.GRPCAction", [
                .int32(1, "port", .always),
                .string(2, "service", .always),
            ]),
            MessageSchema("core.v1.Lifecycle", [
                .message(1, "postStart", "core.v1.LifecycleHandler"),
                .message(2, "preStop", "core.v1.LifecycleHandler"),
                .string(3, "stopSignal", .always),
            ]),
            MessageSchema("core.v1.LifecycleHandler", [
                .message(1, "exec", "core.v1.ExecAction"),
                .message(2, "httpGet", "core.v1.HTTPGetAction"),
                .message(3, "tcpSocket", "core.v1.TCPSocketAction"),
                .message(4, "sleep", "core.v1.SleepAction"),
            ]),
            MessageSchema("core.v1.SleepAction", [
                .int64(1, "seconds", .always),
            ]),
        ]

        static let security: [MessageSchema] = [
            MessageSchema("core.v1.SecurityContext", [
                .message(1, "capabilities", "core.v1.Capabilities"),
                .bool(2, "privileged", .always),
                .message(3, "seLinuxOptions", "core.v1.SELinuxOptions"),
                .int64(4, "runAsUser", .always),
                .bool(5, "runAsNonRoot", .always),
                .bool(6, "readOnlyRootFilesystem", .always),
                .bool(7, "allowPrivilegeEscalation", .always),
                .int64(8, "runAsGroup", .always),
                .string(9, "procMount", .always),
                .message(10, "windowsOptions", "core.v1.WindowsSecurityContextOptions"),
                .message(11, "seccompProfile", "core.v1.SeccompProfile"),
                .message(12, "appArmorProfile", "core.v1.AppArmorProfile"),
                .messages(13, "ulimits", "core.v1.Ulimit"),
            ]),
            MessageSchema("core.v1.PodSecurityContext", [
                .message(1, "seLinuxOptions", "core.v1.SELinuxOptions"),
                .int64(2, "runAsUser", .always),
                .bool(3, "runAsNonRoot", .always),
                .int64s(4, "supplementalGroups"),
                .int64(5, "fsGroup", .always),
                .int64(6, "runAsGroup", .always),
                .messages(7, "sysctls", "core.v1.Sysctl"),
                .message(8, "windowsOptions", "core.v1.WindowsSecurityContextOptions"),
                .string(9, "fsGroupChangePolicy", .always),
                .message(10, "seccompProfile", "core.v1.SeccompProfile"),
                .message(11, "appArmorProfile", "core.v1.AppArmorProfile"),
                .string(12, "supplementalGroupsPolicy", .always),
                .string(13, "seLinuxChangePolicy", .always),
            ]),
            MessageSchema("core.v1.Capabilities", [
                .strings(1, "add"),
                .strings(2, "drop"),
            ]),
            MessageSchema("core.v1.SELinuxOptions", [
                .string(1, "user"),
                .string(2, "role"),
                .string(3, "type"),
                .string(4, "level"),
            ]),
            MessageSchema("core.v1.WindowsSecurityContextOptions", [
                .string(1, "gmsaCredentialSpecName", .always),
                .string(2, "gmsaCredentialSpec", .always),
                .string(3, "runAsUserName", .always),
                .bool(4, "hostProcess", .always),
            ]),
            MessageSchema("core.v1.SeccompProfile", [
                .string(1, "type"),
                .string(2, "localhostProfile", .always),
            ]),
            MessageSchema("core.v1.AppArmorProfile", [
                .string(1, "type"),
                .string(2, "localhostProfile", .always),
            ]),
            MessageSchema("core.v1.Sysctl", [
                .string(1, "name"),
                .string(2, "value"),
            ]),
            MessageSchema("core.v1.Ulimit", [
                .string(1, "name"),
                .int64(2, "hard", .always),
                .int64(3, "soft", .always),
            ]),
        ]

        static let volumes: [MessageSchema] = [
            MessageSchema("core.v1.Volume", [
                .string(1, "name"),
                .inline(2, "core.v1.VolumeSource"),
            ]),
            MessageSchema("core.v1.VolumeSource", [
                .message(1, "hostPath", "core.v1.HostPathVolumeSource"),
                .message(2, "emptyDir", "core.v1.EmptyDirVolumeSource"),
                .message(6, "secret", "core.v1.SecretVolumeSource"),
                .message(7, "nfs", "core.v1.NFSVolumeSource"),
                .message(10, "persistentVolumeClaim", "core.v1.PersistentVolumeClaimVolumeSource"),
                .message(16, "downwardAPI", "core.v1.DownwardAPIVolumeSource"),
                .message(19, "configMap", "core.v1.ConfigMapVolumeSource"),
                .message(26, "projected", "core.v1.ProjectedVolumeSource"),
                .message(28, "csi", "core.v1.CSIVolumeSource"),
                .message(29, "ephemeral", "core.v1.EphemeralVolumeSource"),
                .message(30, "image", "core.v1.ImageVolumeSource"),
            ]),
            MessageSchema("core.v1.HostPathVolumeSource", [
                .string(1, "path"),
                .string(2, "type", .always),
            ]),
            MessageSchema("core.v1.EmptyDirVolumeSource", [
                .string(1, "medium"),
                .quantity(2, "sizeLimit"),
            ]),
            MessageSchema("core.v1.SecretVolumeSource", [
                .string(1, "secretName"),
                .messages(2, "items", "core.v1.KeyToPath"),
                .int32(3, "defaultMode", .always),
                .bool(4, "optional", .always),
            ]),
            MessageSchema("core.v1.ConfigMapVolumeSource", [
                .inline(1, "core.v1.LocalObjectReference"),
                .messages(2, "items", "core.v1.KeyToPath"),
                .int32(3, "defaultMode", .always),
                .bool(4, "optional", .always),
            ]),
            MessageSchema("core.v1.KeyToPath", [
                .string(1, "key"),
                .string(2, "path"),
                .int32(3, "mode", .always),
            ]),
            MessageSchema("core.v1.NFSVolumeSource", [
                .string(1, "server"),
                .string(2, "path"),
                .bool(3, "readOnly"),
            ]),
            MessageSchema("core.v1.PersistentVolumeClaimVolumeSource", [
                .string(1, "claimName"),
                .bool(2, "readOnly"),
            ]),
            MessageSchema("core.v1.DownwardAPIVolumeSource", [
                .messages(1, "items", "core.v1.DownwardAPIVolumeFile"),
                .int32(2, "defaultMode", .always),
            ]),
            MessageSchema("core.v1.DownwardAPIVolumeFile", [
                .string(1, "path"),
                .message(2, "fieldRef", "core.v1.ObjectFieldSelector"),
                .message(3, "resourceFieldRef", "core.v1.ResourceFieldSelector"),
                .int32(4, "mode", .always),
            ]),
            MessageSchema("core.v1.ProjectedVolumeSource", [
                .messages(1, "sources", "core.v1.VolumeProjection"),
                .int32(2, "defaultMode", .always),
            ]),
            MessageSchema("core.v1.VolumeProjection", [
                .message(1, "secret", "core.v1.SecretProjection"),
                .message(2, "downwardAPI", "core.v1.DownwardAPIProjection"),
                .message(3, "configMap", "core.v1.ConfigMapProjection"),
                .message(4, "serviceAccountToken", "core.v1.ServiceAccountTokenProjection"),
                .message(5, "clusterTrustBundle", "core.v1.ClusterTrustBundleProjection"),
                .message(6, "podCertificate", "core.v1.PodCertificateProjection"),
            ]),
            MessageSchema("core.v1.SecretProjection", [
                .inline(1, "core.v1.LocalObjectReference"),
                .messages(2, "items", "core.v1.KeyToPath"),
                .bool(4, "optional", .always),
            ]),
            MessageSchema("core.v1.ConfigMapProjection", [
                .inline(1, "core.v1.LocalObjectReference"),
                .messages(2, "items", "core.v1.KeyToPath"),
                .bool(4, "optional", .always),
            ]),
            MessageSchema("core.v1.DownwardAPIProjection", [
                .messages(1, "items", "core.v1.DownwardAPIVolumeFile"),
            ]),
            MessageSchema("core.v1.ServiceAccountTokenProjection", [
                .string(1, "audience"),
                .int64(2, "expirationSeconds", .always),
                .string(3, "path"),
            ]),
            MessageSchema("core.v1.ClusterTrustBundleProjection", [
                .string(1, "name", .always),
                .string(2, "signerName", .always),
                .message(3, "labelSelector", "meta.v1.LabelSelector"),
                .string(4, "path"),
                .bool(5, "optional", .always),
            ]),
            MessageSchema("core.v1.PodCertificateProjection", [
                .string(1, "signerName"),
                .string(2, "keyType"),
                .int32(3, "maxExpirationSeconds", .always),
                .string(4, "credentialBundlePath"),
                .string(5, "keyPath"),
                .string(6, "certificateChainPath"),
                .stringMap(7, "userAnnotations"),
            ]),
            MessageSchema("core.v1.CSIVolumeSource", [
                .string(1, "driver"),
                .bool(2, "readOnly", .always),
                .string(3, "fsType", .always),
                .stringMap(4, "volumeAttributes"),
                .message(5, "nodePublishSecretRef", "core.v1.LocalObjectReference"),
            ]),
            MessageSchema("core.v1.EphemeralVolumeSource", [
                .message(1, "volumeClaimTemplate", "core.v1.PersistentVolumeClaimTemplate"),
            ]),
            MessageSchema("core.v1.PersistentVolumeClaimTemplate", [
                .message(1, "metadata", "meta.v1.ObjectMeta"),
                .message(2, "spec", "core.v1.PersistentVolumeClaimSpec"),
            ]),
            MessageSchema("core.v1.PersistentVolumeClaimSpec", [
                .strings(1, "accessModes"),
                .message(2, "resources", "core.v1.VolumeResourceRequirements"),
                .string(3, "volumeName"),
                .message(4, "selector", "meta.v1.LabelSelector"),
                .string(5, "storageClassName", .always),
                .string(6, "volumeMode", .always),
                .message(7, "dataSource", "core.v1.TypedLocalObjectReference"),
                .message(8, "dataSourceRef", "core.v1.TypedObjectReference"),
                .string(9, "volumeAttributesClassName", .always),
            ]),
            MessageSchema("core.v1.VolumeResourceRequirements", [
                .quantityMap(1, "limits"),
                .quantityMap(2, "requests"),
            ]),
            MessageSchema("core.v1.ImageVolumeSource", [
                .string(1, "reference"),
                .string(2, "pullPolicy"),
            ]),
        ]

        static let scheduling: [MessageSchema] = [
            MessageSchema("core.v1.Affinity", [
                .message(1, "nodeAffinity", "core.v1.NodeAffinity"),
                .message(2, "podAffinity", "core.v1.PodAffinity"),
                .message(3, "podAntiAffinity", "core.v1.PodAntiAffinity"),
            ]),
            MessageSchema("core.v1.NodeAffinity", [
                .message(1, "requiredDuringSchedulingIgnoredDuringExecution", "core.v1.NodeSelector"),
                .messages(2, "preferredDuringSchedulingIgnoredDuringExecution", "core.v1.PreferredSchedulingTerm"),
            ]),
            MessageSchema("core.v1.NodeSelector", [
                .messages(1, "nodeSelectorTerms", "core.v1.NodeSelectorTerm"),
            ]),
            MessageSchema("core.v1.NodeSelectorTerm", [
                .messages(1, "matchExpressions", "core.v1.NodeSelectorRequirement"),
                .messages(2, "matchFields", "core.v1.NodeSelectorRequirement"),
            ]),
            MessageSchema("core.v1.NodeSelectorRequirement", [
                .string(1, "key"),
                .string(2, "operator"),
                .strings(3, "values"),
            ]),
            MessageSchema("core.v1.PreferredSchedulingTerm", [
                .int32(1, "weight", .always),
                .message(2, "preference", "core.v1.NodeSelectorTerm"),
            ]),
            MessageSchema("core.v1.PodAffinity", [
                .messages(1, "requiredDuringSchedulingIgnoredDuringExecution", "core.v1.PodAffinityTerm"),
                .messages(2, "preferredDuringSchedulingIgnoredDuringExecution", "core.v1.WeightedPodAffinityTerm"),
            ]),
            MessageSchema("core.v1.PodAntiAffinity", [
                .messages(1, "requiredDuringSchedulingIgnoredDuringExecution", "core.v1.PodAffinityTerm"),
                .messages(2, "preferredDuringSchedulingIgnoredDuringExecution", "core.v1.WeightedPodAffinityTerm"),
            ]),
            MessageSchema("core.v1.PodAffinityTerm", [
                .message(1, "labelSelector", "meta.v1.LabelSelector"),
                .strings(2, "namespaces"),
                .string(3, "topologyKey"),
                .message(4, "namespaceSelector", "meta.v1.LabelSelector"),
                .strings(5, "matchLabelKeys"),
                .strings(6, "mismatchLabelKeys"),
            ]),
            MessageSchema("core.v1.WeightedPodAffinityTerm", [
                .int32(1, "weight", .always),
                .message(2, "podAffinityTerm", "core.v1.PodAffinityTerm"),
            ]),
            MessageSchema("core.v1.Toleration", [
                .string(1, "key"),
                .string(2, "operator"),
                .string(3, "value"),
                .string(4, "effect"),
                .int64(5, "tolerationSeconds", .always),
            ]),
            MessageSchema("core.v1.TopologySpreadConstraint", [
                .int32(1, "maxSkew", .always),
                .string(2, "topologyKey"),
                .string(3, "whenUnsatisfiable"),
                .message(4, "labelSelector", "meta.v1.LabelSelector"),
                .int32(5, "minDomains", .always),
                .string(6, "nodeAffinityPolicy", .always),
                .string(7, "nodeTaintsPolicy", .always),
                .strings(8, "matchLabelKeys"),
            ]),
        ]

        static let status: [MessageSchema] = [
            MessageSchema("core.v1.PodStatus", [
                .string(1, "phase"),
                .messages(2, "conditions", "core.v1.PodCondition"),
                .string(3, "message"),
                .string(4, "reason"),
                .string(5, "hostIP"),
                .string(6, "podIP"),
                .time(7, "startTime"),
                .messages(8, "containerStatuses", "core.v1.ContainerStatus"),
                .string(9, "qosClass"),
                .messages(10, "initContainerStatuses", "core.v1.ContainerStatus"),
                .string(11, "nominatedNodeName"),
                .messages(12, "podIPs", "core.v1.PodIP"),
                .messages(13, "ephemeralContainerStatuses", "core.v1.ContainerStatus"),
                .string(14, "resize"),
                .messages(15, "resourceClaimStatuses", "core.v1.PodResourceClaimStatus"),
                .messages(16, "hostIPs", "core.v1.HostIP"),
                .int64(17, "observedGeneration"),
                .quantityMap(19, "allocatedResources"),
                .message(20, "resources", "core.v1.ResourceRequirements"),
            ]),
            MessageSchema("core.v1.PodCondition", [
                .string(1, "type"),
                .string(2, "status"),
                .time(3, "lastProbeTime"),
                .time(4, "lastTransitionTime"),
                .string(5, "reason"),
                .string(6, "message"),
                .int64(7, "observedGeneration"),
            ]),
            MessageSchema("core.v1.PodIP", [
                .string(1, "ip"),
            ]),
            MessageSchema("core.v1.HostIP", [
                .string(1, "ip"),
            ]),
            MessageSchema("core.v1.PodResourceClaimStatus", [
                .string(1, "name"),
                .string(2, "resourceClaimName", .always),
            ]),
            MessageSchema("core.v1.ContainerStatus", [
                .string(1, "name"),
                .message(2, "state", "core.v1.ContainerState"),
                .message(3, "lastState", "core.v1.ContainerState"),
                .bool(4, "ready", .always),
                .int32(5, "restartCount", .always),
                .string(6, "image"),
                .string(7, "imageID"),
                .string(8, "containerID"),
                .bool(9, "started", .always),
                .quantityMap(10, "allocatedResources"),
                .message(11, "resources", "core.v1.ResourceRequirements"),
                .messages(12, "volumeMounts", "core.v1.VolumeMountStatus"),
                .message(13, "user", "core.v1.ContainerUser"),
                .messages(14, "allocatedResourcesStatus", "core.v1.ResourceStatus"),
                .string(15, "stopSignal", .always),
            ]),
            MessageSchema("core.v1.ContainerState", [
                .message(1, "waiting", "core.v1.ContainerStateWaiting"),
                .message(2, "running", "core.v1.ContainerStateRunning"),
                .message(3, "terminated", "core.v1.ContainerStateTerminated"),
            ]),
            MessageSchema("core.v1.ContainerStateWaiting", [
                .string(1, "reason"),
                .string(2, "message"),
            ]),
            MessageSchema("core.v1.ContainerStateRunning", [
                .time(1, "startedAt"),
            ]),
            MessageSchema("core.v1.ContainerStateTerminated", [
                .int32(1, "exitCode", .always),
                .int32(2, "signal"),
                .string(3, "reason"),
                .string(4, "message"),
                .time(5, "startedAt"),
                .time(6, "finishedAt"),
                .string(7, "containerID"),
            ]),
            MessageSchema("core.v1.VolumeMountStatus", [
                .string(1, "name"),
                .string(2, "mountPath"),
                .bool(3, "readOnly"),
                .string(4, "recursiveReadOnly", .always),
            ]),
            MessageSchema("core.v1.ContainerUser", [
                .message(1, "linux", "core.v1.LinuxContainerUser"),
            ]),
            MessageSchema("core.v1.LinuxContainerUser", [
                .int64(1, "uid", .always),
                .int64(2, "gid", .always),
                .int64s(3, "supplementalGroups"),
            ]),
            MessageSchema("core.v1.ResourceStatus", [
                .string(1, "name"),
                .messages(2, "resources", "core.v1.ResourceHealth"),
            ]),
            MessageSchema("core.v1.ResourceHealth", [
                .string(1, "resourceID"),
                .string(2, "health"),
                .string(6, "message"),
            ]),
        ]
    }
}
