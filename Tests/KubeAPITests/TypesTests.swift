import Foundation
import XCTest

@testable import KubeAPI

/// Round trips of upstream-shaped JSON through the typed structs: a field that is missing or misspelled
/// in a type is dropped on decode, so the re-encoded tree differs from the input and the test names it.
final class TypesTests: XCTestCase {

    // MARK: - Helpers

    private func tree(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Paths at which two trees differ, e.g. `spec.template.spec.containers[0].stdin: missing after round trip`.
    private func differences(_ a: JSONValue, _ b: JSONValue, path: String = "") -> [String] {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            var out: [String] = []
            for key in Set(x.keys).union(y.keys).sorted() {
                let p = path.isEmpty ? key : "\(path).\(key)"
                switch (x[key], y[key]) {
                case (let l?, let r?): out += differences(l, r, path: p)
                // Go writes a zero non-pointer Time as null; decoding that as absent means the same.
                case (.null?, nil): break
                case (_?, nil): out.append("\(p): missing after round trip")
                case (nil, _?): out.append("\(p): added by round trip")
                case (nil, nil): break
                }
            }
            return out
        case (.array(let x), .array(let y)):
            if x.count != y.count { return ["\(path): \(x.count) elements became \(y.count)"] }
            return zip(x, y).enumerated().flatMap { i, pair in differences(pair.0, pair.1, path: "\(path)[\(i)]") }
        default:
            return a == b ? [] : ["\(path): \(a) became \(b)"]
        }
    }

    /// Decodes `json` as `T`, encodes it back and requires the same JSON tree.
    @discardableResult
    private func assertRoundTrip<T: Codable & Equatable>(
        _ type: T.Type, _ json: String, file: StaticString = #filePath, line: UInt = #line
    ) throws -> T {
        let input = Data(json.utf8)
        let value = try JSONDecoder().decode(T.self, from: input)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let output = try encoder.encode(value)
        let diffs = differences(try tree(input), try tree(output))
        XCTAssert(diffs.isEmpty, "\(T.self) round trip differs:\n" + diffs.joined(separator: "\n"), file: file, line: line)
        // And the typed value survives a second pass unchanged.
        XCTAssertEqual(try JSONDecoder().decode(T.self, from: output), value, file: file, line: line)
        return value
    }

    // MARK: - Kinds

    func testDeploymentRoundTrip() throws {
        let d = try assertRoundTrip(Deployment.self, Fixtures.deployment)
        XCTAssertEqual(d.spec?.replicas, 3)
        XCTAssertEqual(d.spec?.strategy?.rollingUpdate?.maxSurge, .string("25%"))
        XCTAssertEqual(d.spec?.strategy?.rollingUpdate?.maxUnavailable, .int(1))
        XCTAssertEqual(d.spec?.template?.spec?.containers?.first?.resources?.limits?["memory"], "256Mi")
        XCTAssertEqual(d.status?.conditions?.count, 2)
    }

    func testPodRoundTrip() throws {
        let p = try assertRoundTrip(Pod.self, Fixtures.pod)
        XCTAssertEqual(p.name, "web-7d4b9c8f6d-x2x9k")
        XCTAssertEqual(p.status?.containerStatuses?.first?.lastState?.terminated?.exitCode, 137)
        XCTAssertEqual(p.status?.podIPs?.map(\.ip), ["10.244.1.17", "fd00:10:244:1::11"])
        XCTAssertEqual(p.spec?.containers?.first?.livenessProbe?.httpGet?.port, .string("http"))
        XCTAssertEqual(p.spec?.tolerations?.first?.operator, "Exists")
    }

    func testLoadBalancerServiceRoundTrip() throws {
        let s = try assertRoundTrip(Service.self, Fixtures.loadBalancerService)
        XCTAssertEqual(s.spec?.type, "LoadBalancer")
        XCTAssertEqual(s.spec?.ports?.first?.protocol, "TCP")
        XCTAssertEqual(s.spec?.ports?.first?.targetPort, .int(8080))
        XCTAssertEqual(s.status?.loadBalancer?.ingress?.first?.ipMode, "VIP")
    }

    func testEndpointSliceRoundTrip() throws {
        let e = try assertRoundTrip(EndpointSlice.self, Fixtures.endpointSlice)
        XCTAssertEqual(e.endpoints?.count, 3)
        XCTAssertEqual(e.endpoints?[2].conditions?.terminating, true)
        XCTAssertEqual(e.ports?.first?.port, 8080)
    }

    func testNodeRoundTrip() throws {
        let n = try assertRoundTrip(Node.self, Fixtures.node)
        XCTAssertEqual(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250)
        XCTAssertEqual(n.status?.capacity?["cpu"], "4")
        XCTAssertEqual(n.spec?.podCIDRs, ["10.244.1.0/24", "fd00:10:244:1::/64"])
        XCTAssertEqual(n.status?.nodeInfo?.swap?.capacity, 0)
    }

    func testLeaseRoundTrip() throws {
        let l = try assertRoundTrip(Lease.self, Fixtures.lease)
        XCTAssertEqual(l.spec?.renewTime, "2025-01-15T10:42:07.482915Z")
        XCTAssertEqual(l.spec?.leaseDurationSeconds, 40)
    }

    func testOtherCoreKindsRoundTrip() throws {
        try assertRoundTrip(Namespace.self, Fixtures.namespace)
        try assertRoundTrip(Endpoints.self, Fixtures.endpoints)
        try assertRoundTrip(ConfigMap.self, Fixtures.configMap)
        let secret = try assertRoundTrip(Secret.self, Fixtures.secret)
        XCTAssertEqual(secret.data?["password"], "czNjcjN0")
        try assertRoundTrip(Event.self, Fixtures.event)
        try assertRoundTrip(Binding.self, Fixtures.binding)
        try assertRoundTrip(Scale.self, Fixtures.scale)
        try assertRoundTrip(ReplicaSet.self, Fixtures.replicaSet)
    }

    func testEveryVolumeSourceRoundTrips() throws {
        let volumes = try assertRoundTrip([Volume].self, Fixtures.volumes)
        XCTAssertEqual(volumes.count, 30)
    }

    func testMetaTypesRoundTrip() throws {
        let status = try assertRoundTrip(Status.self, Fixtures.status)
        XCTAssertEqual(status.code, 422)
        XCTAssertEqual(status.details?.causes?.first?.field, "spec.containers[0].image")
        let table = try assertRoundTrip(Table.self, Fixtures.table)
        XCTAssertEqual(table.rows?.first?.cells?.first, .string("web-7d4b9c8f6d-x2x9k"))
        let event = try assertRoundTrip(WatchEvent.self, Fixtures.watchEvent)
        XCTAssertEqual(try event.object?.decode(Pod.self).name, "web-7d4b9c8f6d-x2x9k")
        try assertRoundTrip(DeleteOptions.self, Fixtures.deleteOptions)
        let list = try assertRoundTrip(KubeList<ConfigMap>.self, Fixtures.configMapList)
        XCTAssertEqual(list.metadata?.resourceVersion, "4711")
        XCTAssertEqual(list.items?.map(\.name), ["a", "b"])
    }

    // MARK: - Value types

    func testIntOrStringEncodesAsBareValue() throws {
        let encoded = try JSONEncoder().encode([IntOrString.int(80), .string("http")])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"[80,"http"]"#)
        XCTAssertEqual(try JSONDecoder().decode([IntOrString].self, from: Data(#"[443,"25%"]"#.utf8)), [443, "25%"])
        XCTAssertThrowsError(try JSONDecoder().decode(IntOrString.self, from: Data("true".utf8)))
    }

    func testQuantityAcceptsNumbersAndWritesStrings() throws {
        let q = try JSONDecoder().decode([String: Quantity].self, from: Data(#"{"a":"100m","b":2,"c":0.5}"#.utf8))
        XCTAssertEqual(q, ["a": "100m", "b": "2", "c": "0.5"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try encoder.encode(q), as: UTF8.self), #"{"a":"100m","b":"2","c":"0.5"}"#)
    }

    func testInitialisersFillTypeMeta() throws {
        let pod = Pod(metadata: ObjectMeta(name: "p", namespace: "default"),
                      spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))
        XCTAssertEqual(pod.apiVersion, "v1")
        XCTAssertEqual(pod.kind, "Pod")
        XCTAssertEqual(Deployment().apiVersion, "apps/v1")
        XCTAssertEqual(EndpointSlice().apiVersion, "discovery.k8s.io/v1")
        XCTAssertEqual(Lease().apiVersion, "coordination.k8s.io/v1")
        XCTAssertEqual(Scale().apiVersion, "autoscaling/v1")
        XCTAssertEqual(KubeList<Deployment>().kind, "DeploymentList")
        XCTAssertEqual(Node.resource, "nodes")
        XCTAssertFalse(Namespace.namespaced)
        XCTAssertTrue(EndpointSlice.namespaced)

        // Unset fields are left out, not written as null.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try encoder.encode(pod), as: UTF8.self),
                       #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"#
                        + #""spec":{"containers":[{"image":"nginx","name":"c"}]}}"#)
    }

    func testDecodingToleratesMissingAndUnknownKeys() throws {
        let pod = try JSONDecoder().decode(Pod.self, from: Data(#"{"spec":{"containers":[{}]},"futureField":1}"#.utf8))
        XCTAssertNil(pod.apiVersion)
        XCTAssertEqual(pod.spec?.containers?.count, 1)
        XCTAssertNil(pod.spec?.containers?.first?.name)
    }
}

// MARK: - Fixtures

/// Objects shaped as a v1.32 API server returns them (`kubectl get -o json`), with as many fields set as is plausible.
private enum Fixtures {
    static let deployment = #"""
    {
      "apiVersion": "apps/v1",
      "kind": "Deployment",
      "metadata": {
        "annotations": {"deployment.kubernetes.io/revision": "2"},
        "creationTimestamp": "2025-01-15T09:12:44Z",
        "generation": 4,
        "labels": {"app": "web"},
        "managedFields": [
          {
            "apiVersion": "apps/v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {"f:replicas": {}}},
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "time": "2025-01-15T09:12:44Z"
          },
          {
            "apiVersion": "apps/v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": {"f:availableReplicas": {}}},
            "manager": "kube-controller-manager",
            "operation": "Update",
            "subresource": "status",
            "time": "2025-01-15T09:13:02Z"
          }
        ],
        "name": "web",
        "namespace": "default",
        "resourceVersion": "18342",
        "uid": "6a1c5c0e-3e55-4c1b-9d8e-1f2a3b4c5d6e"
      },
      "spec": {
        "minReadySeconds": 5,
        "paused": false,
        "progressDeadlineSeconds": 600,
        "replicas": 3,
        "revisionHistoryLimit": 10,
        "selector": {
          "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend", "edge"]}],
          "matchLabels": {"app": "web"}
        },
        "strategy": {
          "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1},
          "type": "RollingUpdate"
        },
        "template": {
          "metadata": {
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2025-01-15T09:20:00Z"},
            "creationTimestamp": null,
            "labels": {"app": "web", "tier": "frontend"}
          },
          "spec": {
            "containers": [
              {
                "args": ["--port=8080"],
                "command": ["/server"],
                "env": [{"name": "MODE", "value": "prod"}],
                "image": "registry.example/web:1.4.2",
                "imagePullPolicy": "IfNotPresent",
                "name": "web",
                "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                "readinessProbe": {
                  "failureThreshold": 3,
                  "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                  "periodSeconds": 10,
                  "successThreshold": 1,
                  "timeoutSeconds": 1
                },
                "resources": {
                  "limits": {"cpu": "500m", "memory": "256Mi"},
                  "requests": {"cpu": "100m", "memory": "128Mi"}
                },
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File"
              }
            ],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "terminationGracePeriodSeconds": 30
          }
        }
      },
      "status": {
        "availableReplicas": 3,
        "collisionCount": 1,
        "conditions": [
          {
            "lastTransitionTime": "2025-01-15T09:13:02Z",
            "lastUpdateTime": "2025-01-15T09:13:02Z",
            "message": "Deployment has minimum availability.",
            "reason": "MinimumReplicasAvailable",
            "status": "True",
            "type": "Available"
          },
          {
            "lastTransitionTime": "2025-01-15T09:12:44Z",
            "lastUpdateTime": "2025-01-15T09:20:31Z",
            "message": "ReplicaSet \"web-7d4b9c8f6d\" has successfully progressed.",
            "reason": "NewReplicaSetAvailable",
            "status": "True",
            "type": "Progressing"
          }
        ],
        "observedGeneration": 4,
        "readyReplicas": 3,
        "replicas": 3,
        "unavailableReplicas": 0,
        "updatedReplicas": 3
      }
    }
    """#

    static let pod = #"""
    {
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {
        "creationTimestamp": "2025-01-15T09:20:01Z",
        "deletionGracePeriodSeconds": 30,
        "deletionTimestamp": "2025-01-15T11:00:00Z",
        "finalizers": ["example.com/cleanup"],
        "generateName": "web-7d4b9c8f6d-",
        "labels": {"app": "web", "pod-template-hash": "7d4b9c8f6d"},
        "name": "web-7d4b9c8f6d-x2x9k",
        "namespace": "default",
        "ownerReferences": [
          {
            "apiVersion": "apps/v1",
            "blockOwnerDeletion": true,
            "controller": true,
            "kind": "ReplicaSet",
            "name": "web-7d4b9c8f6d",
            "uid": "0d7e5f4c-1111-2222-3333-444455556666"
          }
        ],
        "resourceVersion": "18511",
        "uid": "9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff"
      },
      "spec": {
        "activeDeadlineSeconds": 86400,
        "affinity": {
          "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
              {"preference": {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd"]}]}, "weight": 50}
            ],
            "requiredDuringSchedulingIgnoredDuringExecution": {
              "nodeSelectorTerms": [
                {
                  "matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}],
                  "matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["node-9"]}]
                }
              ]
            }
          },
          "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
              {
                "labelSelector": {"matchLabels": {"app": "cache"}},
                "namespaceSelector": {},
                "namespaces": ["default"],
                "topologyKey": "topology.kubernetes.io/zone"
              }
            ]
          },
          "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
              {
                "podAffinityTerm": {
                  "labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
                  "matchLabelKeys": ["pod-template-hash"],
                  "mismatchLabelKeys": ["tenant"],
                  "topologyKey": "kubernetes.io/hostname"
                },
                "weight": 100
              }
            ]
          }
        },
        "automountServiceAccountToken": true,
        "containers": [
          {
            "env": [
              {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
              {"name": "MEM_LIMIT", "valueFrom": {"resourceFieldRef": {"containerName": "web", "divisor": "1Mi", "resource": "limits.memory"}}},
              {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"key": "level", "name": "web-config", "optional": true}}},
              {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"key": "token", "name": "web-secret"}}},
              {"name": "GREETING", "value": "hello $(POD_NAME)"}
            ],
            "envFrom": [
              {"configMapRef": {"name": "web-env"}, "prefix": "CFG_"},
              {"secretRef": {"name": "web-env-secret", "optional": false}}
            ],
            "image": "registry.example/web:1.4.2",
            "imagePullPolicy": "IfNotPresent",
            "lifecycle": {
              "postStart": {"exec": {"command": ["/bin/sh", "-c", "echo started"]}},
              "preStop": {"sleep": {"seconds": 5}}
            },
            "livenessProbe": {
              "failureThreshold": 3,
              "httpGet": {
                "host": "127.0.0.1",
                "httpHeaders": [{"name": "X-Probe", "value": "liveness"}],
                "path": "/healthz",
                "port": "http",
                "scheme": "HTTP"
              },
              "initialDelaySeconds": 10,
              "periodSeconds": 10,
              "successThreshold": 1,
              "terminationGracePeriodSeconds": 15,
              "timeoutSeconds": 2
            },
            "name": "web",
            "ports": [
              {"containerPort": 8080, "name": "http", "protocol": "TCP"},
              {"containerPort": 9090, "hostIP": "0.0.0.0", "hostPort": 19090, "name": "metrics", "protocol": "TCP"}
            ],
            "readinessProbe": {"grpc": {"port": 9000, "service": "web"}, "periodSeconds": 5},
            "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
            "resources": {
              "claims": [{"name": "gpu", "request": "one-gpu"}],
              "limits": {"cpu": "500m", "memory": "256Mi"},
              "requests": {"cpu": "100m", "memory": "128Mi"}
            },
            "securityContext": {
              "allowPrivilegeEscalation": false,
              "appArmorProfile": {"type": "RuntimeDefault"},
              "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
              "privileged": false,
              "procMount": "Default",
              "readOnlyRootFilesystem": true,
              "runAsGroup": 1000,
              "runAsNonRoot": true,
              "runAsUser": 1000,
              "seLinuxOptions": {"level": "s0:c123,c456", "role": "object_r", "type": "svirt_sandbox_file_t", "user": "system_u"},
              "seccompProfile": {"type": "RuntimeDefault"},
              "windowsOptions": {"gmsaCredentialSpec": "{}", "gmsaCredentialSpecName": "gmsa", "hostProcess": false, "runAsUserName": "ContainerUser"}
            },
            "startupProbe": {"failureThreshold": 30, "periodSeconds": 2, "tcpSocket": {"host": "localhost", "port": 8080}},
            "stdin": false,
            "stdinOnce": false,
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "tty": false,
            "volumeDevices": [{"devicePath": "/dev/xvda", "name": "raw"}],
            "volumeMounts": [
              {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-abcde", "readOnly": true},
              {"mountPath": "/data", "mountPropagation": "HostToContainer", "name": "data", "readOnly": true, "recursiveReadOnly": "IfPossible", "subPath": "web"},
              {"mountPath": "/logs", "name": "data", "subPathExpr": "$(POD_NAME)"}
            ],
            "workingDir": "/srv"
          }
        ],
        "dnsConfig": {
          "nameservers": ["10.96.0.10"],
          "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
          "searches": ["default.svc.cluster.local", "svc.cluster.local"]
        },
        "dnsPolicy": "None",
        "enableServiceLinks": true,
        "ephemeralContainers": [
          {
            "command": ["sh"],
            "image": "busybox:1.36",
            "imagePullPolicy": "IfNotPresent",
            "name": "debugger-8xk2p",
            "resources": {},
            "stdin": true,
            "targetContainerName": "web",
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "tty": true
          }
        ],
        "hostAliases": [{"hostnames": ["foo.local", "bar.local"], "ip": "127.0.0.1"}],
        "hostIPC": false,
        "hostNetwork": false,
        "hostPID": false,
        "hostUsers": true,
        "hostname": "web-0",
        "imagePullSecrets": [{"name": "regcred"}],
        "initContainers": [
          {
            "image": "registry.example/migrate:1.0",
            "name": "migrate",
            "resources": {}
          },
          {
            "image": "registry.example/proxy:2.1",
            "name": "proxy-sidecar",
            "restartPolicy": "Always",
            "resources": {"requests": {"cpu": "50m"}}
          }
        ],
        "nodeName": "node-1",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "os": {"name": "linux"},
        "overhead": {"cpu": "250m", "memory": "120Mi"},
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 1000,
        "priorityClassName": "high",
        "readinessGates": [{"conditionType": "example.com/feature-1"}],
        "resourceClaims": [
          {"name": "gpu", "resourceClaimTemplateName": "gpu-template"},
          {"name": "shared", "resourceClaimName": "shared-claim"}
        ],
        "resources": {"limits": {"cpu": "1", "memory": "512Mi"}},
        "restartPolicy": "Always",
        "runtimeClassName": "runc",
        "schedulerName": "default-scheduler",
        "schedulingGates": [{"name": "example.com/quota"}],
        "securityContext": {
          "appArmorProfile": {"localhostProfile": "k8s-web", "type": "Localhost"},
          "fsGroup": 2000,
          "fsGroupChangePolicy": "OnRootMismatch",
          "runAsGroup": 3000,
          "runAsNonRoot": true,
          "runAsUser": 1000,
          "seLinuxChangePolicy": "MountOption",
          "seLinuxOptions": {"level": "s0:c1,c2"},
          "seccompProfile": {"localhostProfile": "profiles/web.json", "type": "Localhost"},
          "supplementalGroups": [4000, 5000],
          "supplementalGroupsPolicy": "Strict",
          "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}],
          "windowsOptions": {"runAsUserName": "ContainerAdministrator"}
        },
        "serviceAccount": "web",
        "serviceAccountName": "web",
        "setHostnameAsFQDN": false,
        "shareProcessNamespace": false,
        "subdomain": "web-headless",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
          {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
          {"effect": "NoSchedule", "key": "dedicated", "operator": "Equal", "value": "web"}
        ],
        "topologySpreadConstraints": [
          {
            "labelSelector": {"matchLabels": {"app": "web"}},
            "matchLabelKeys": ["pod-template-hash"],
            "maxSkew": 1,
            "minDomains": 2,
            "nodeAffinityPolicy": "Honor",
            "nodeTaintsPolicy": "Ignore",
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule"
          }
        ],
        "volumes": [
          {
            "name": "kube-api-access-abcde",
            "projected": {
              "defaultMode": 420,
              "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}
              ]
            }
          },
          {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
          {"name": "raw", "persistentVolumeClaim": {"claimName": "web-raw", "readOnly": false}}
        ]
      },
      "status": {
        "conditions": [
          {"lastProbeTime": null, "lastTransitionTime": "2025-01-15T09:20:03Z", "status": "True", "type": "PodReadyToStartContainers"},
          {"lastTransitionTime": "2025-01-15T09:20:02Z", "status": "True", "type": "Initialized"},
          {"lastTransitionTime": "2025-01-15T09:20:14Z", "status": "True", "type": "Ready"},
          {"lastTransitionTime": "2025-01-15T09:20:14Z", "status": "True", "type": "ContainersReady"},
          {"lastTransitionTime": "2025-01-15T09:20:01Z", "status": "True", "type": "PodScheduled"},
          {"lastTransitionTime": "2025-01-15T09:20:14Z", "message": "gate passed", "reason": "Checked", "status": "True", "type": "example.com/feature-1"}
        ],
        "containerStatuses": [
          {
            "allocatedResources": {"cpu": "100m", "memory": "128Mi"},
            "allocatedResourcesStatus": [
              {"name": "claim:gpu/one-gpu", "resources": [{"health": "Healthy", "resourceID": "gpu-0"}]}
            ],
            "containerID": "containerd://4c1f0d8e9a7b",
            "image": "registry.example/web:1.4.2",
            "imageID": "registry.example/web@sha256:0123456789abcdef",
            "lastState": {
              "terminated": {
                "containerID": "containerd://1a2b3c4d5e6f",
                "exitCode": 137,
                "finishedAt": "2025-01-15T09:20:10Z",
                "message": "killed",
                "reason": "OOMKilled",
                "signal": 9,
                "startedAt": "2025-01-15T09:20:04Z"
              }
            },
            "name": "web",
            "ready": true,
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
            "restartCount": 1,
            "started": true,
            "state": {"running": {"startedAt": "2025-01-15T09:20:11Z"}},
            "user": {"linux": {"gid": 3000, "supplementalGroups": [3000, 4000, 5000], "uid": 1000}},
            "volumeMounts": [
              {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-abcde", "readOnly": true, "recursiveReadOnly": "Disabled"}
            ]
          }
        ],
        "ephemeralContainerStatuses": [
          {
            "containerID": "",
            "image": "busybox:1.36",
            "imageID": "",
            "lastState": {},
            "name": "debugger-8xk2p",
            "ready": false,
            "restartCount": 0,
            "state": {"waiting": {"message": "pulling", "reason": "ContainerCreating"}}
          }
        ],
        "hostIP": "192.168.50.11",
        "hostIPs": [{"ip": "192.168.50.11"}, {"ip": "fd00::11"}],
        "initContainerStatuses": [
          {
            "containerID": "containerd://9e8d7c6b5a",
            "image": "registry.example/migrate:1.0",
            "imageID": "registry.example/migrate@sha256:fedcba9876543210",
            "lastState": {},
            "name": "migrate",
            "ready": true,
            "restartCount": 0,
            "started": false,
            "state": {
              "terminated": {
                "containerID": "containerd://9e8d7c6b5a",
                "exitCode": 0,
                "finishedAt": "2025-01-15T09:20:02Z",
                "reason": "Completed",
                "startedAt": "2025-01-15T09:20:01Z"
              }
            }
          }
        ],
        "message": "",
        "nominatedNodeName": "node-1",
        "phase": "Running",
        "podIP": "10.244.1.17",
        "podIPs": [{"ip": "10.244.1.17"}, {"ip": "fd00:10:244:1::11"}],
        "qosClass": "Burstable",
        "reason": "",
        "resize": "InProgress",
        "resourceClaimStatuses": [{"name": "gpu", "resourceClaimName": "web-7d4b9c8f6d-x2x9k-gpu-q8mz2"}],
        "startTime": "2025-01-15T09:20:01Z"
      }
    }
    """#

    static let loadBalancerService = #"""
    {
      "apiVersion": "v1",
      "kind": "Service",
      "metadata": {
        "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"},
        "creationTimestamp": "2025-01-15T09:30:00Z",
        "finalizers": ["service.kubernetes.io/load-balancer-cleanup"],
        "labels": {"app": "web"},
        "name": "web",
        "namespace": "default",
        "resourceVersion": "19002",
        "uid": "11112222-3333-4444-5555-666677778888"
      },
      "spec": {
        "allocateLoadBalancerNodePorts": true,
        "clusterIP": "10.96.143.7",
        "clusterIPs": ["10.96.143.7", "fd00:10:96::8f07"],
        "externalIPs": ["203.0.113.10"],
        "externalTrafficPolicy": "Local",
        "healthCheckNodePort": 31245,
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4", "IPv6"],
        "ipFamilyPolicy": "PreferDualStack",
        "loadBalancerClass": "example.com/lb",
        "loadBalancerIP": "203.0.113.20",
        "loadBalancerSourceRanges": ["198.51.100.0/24"],
        "ports": [
          {"appProtocol": "http", "name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 8080},
          {"name": "metrics", "nodePort": 30090, "port": 9090, "protocol": "TCP", "targetPort": "metrics"},
          {"name": "dns", "nodePort": 30053, "port": 53, "protocol": "UDP", "targetPort": 5353}
        ],
        "publishNotReadyAddresses": false,
        "selector": {"app": "web"},
        "sessionAffinity": "ClientIP",
        "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
        "trafficDistribution": "PreferClose",
        "type": "LoadBalancer"
      },
      "status": {
        "conditions": [
          {
            "lastTransitionTime": "2025-01-15T09:30:05Z",
            "message": "provisioned",
            "observedGeneration": 1,
            "reason": "Provisioned",
            "status": "True",
            "type": "LoadBalancerReady"
          }
        ],
        "loadBalancer": {
          "ingress": [
            {"ip": "203.0.113.20", "ipMode": "VIP", "ports": [{"port": 80, "protocol": "TCP"}, {"error": "PortUnavailable", "port": 53, "protocol": "UDP"}]},
            {"hostname": "web-123.lb.example.com", "ipMode": "Proxy"}
          ]
        }
      }
    }
    """#

    static let endpointSlice = #"""
    {
      "addressType": "IPv4",
      "apiVersion": "discovery.k8s.io/v1",
      "endpoints": [
        {
          "addresses": ["10.244.1.17"],
          "conditions": {"ready": true, "serving": true, "terminating": false},
          "hints": {"forZones": [{"name": "zone-a"}]},
          "nodeName": "node-1",
          "targetRef": {"kind": "Pod", "name": "web-7d4b9c8f6d-x2x9k", "namespace": "default", "uid": "9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff"},
          "zone": "zone-a"
        },
        {
          "addresses": ["10.244.2.9"],
          "conditions": {"ready": false, "serving": false, "terminating": false},
          "deprecatedTopology": {"kubernetes.io/hostname": "node-2"},
          "hostname": "web-1",
          "nodeName": "node-2",
          "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "default", "uid": "aaaa0000-1111-2222-3333-444455556666"},
          "zone": "zone-b"
        },
        {
          "addresses": ["10.244.3.4"],
          "conditions": {"ready": false, "serving": true, "terminating": true},
          "nodeName": "node-3"
        }
      ],
      "kind": "EndpointSlice",
      "metadata": {
        "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": "2025-01-15T09:20:14Z"},
        "creationTimestamp": "2025-01-15T09:30:00Z",
        "generateName": "web-",
        "generation": 7,
        "labels": {
          "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
          "kubernetes.io/service-name": "web"
        },
        "name": "web-5xq7n",
        "namespace": "default",
        "ownerReferences": [
          {"apiVersion": "v1", "blockOwnerDeletion": true, "controller": true, "kind": "Service", "name": "web", "uid": "11112222-3333-4444-5555-666677778888"}
        ],
        "resourceVersion": "19044",
        "uid": "bbbbcccc-dddd-eeee-ffff-000011112222"
      },
      "ports": [
        {"appProtocol": "http", "name": "http", "port": 8080, "protocol": "TCP"},
        {"name": "dns", "port": 5353, "protocol": "UDP"}
      ]
    }
    """#

    static let node = #"""
    {
      "apiVersion": "v1",
      "kind": "Node",
      "metadata": {
        "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        "creationTimestamp": "2025-01-10T08:00:00Z",
        "labels": {
          "beta.kubernetes.io/arch": "amd64",
          "kubernetes.io/arch": "amd64",
          "kubernetes.io/hostname": "node-1",
          "kubernetes.io/os": "linux",
          "topology.kubernetes.io/zone": "zone-a"
        },
        "name": "node-1",
        "resourceVersion": "20111",
        "uid": "cccc1111-2222-3333-4444-555566667777"
      },
      "spec": {
        "configSource": {
          "configMap": {"kubeletConfigKey": "kubelet", "name": "node-1-config", "namespace": "kube-system", "resourceVersion": "7", "uid": "u-1"}
        },
        "externalID": "node-1",
        "podCIDR": "10.244.1.0/24",
        "podCIDRs": ["10.244.1.0/24", "fd00:10:244:1::/64"],
        "providerID": "skiff://node-1",
        "taints": [
          {"effect": "NoSchedule", "key": "dedicated", "value": "web"},
          {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "timeAdded": "2025-01-15T10:00:00Z"}
        ],
        "unschedulable": true
      },
      "status": {
        "addresses": [
          {"address": "192.168.50.11", "type": "InternalIP"},
          {"address": "fd00::11", "type": "InternalIP"},
          {"address": "node-1", "type": "Hostname"}
        ],
        "allocatable": {"cpu": "3800m", "ephemeral-storage": "47227284Ki", "hugepages-2Mi": "0", "memory": "7902996Ki", "pods": "110"},
        "capacity": {"cpu": "4", "ephemeral-storage": "51245100Ki", "hugepages-2Mi": "0", "memory": "8005396Ki", "pods": "110"},
        "conditions": [
          {
            "lastHeartbeatTime": "2025-01-15T10:40:00Z",
            "lastTransitionTime": "2025-01-10T08:00:00Z",
            "message": "kubelet has sufficient memory available",
            "reason": "KubeletHasSufficientMemory",
            "status": "False",
            "type": "MemoryPressure"
          },
          {
            "lastHeartbeatTime": "2025-01-15T10:40:00Z",
            "lastTransitionTime": "2025-01-10T08:00:20Z",
            "message": "kubelet is posting ready status",
            "reason": "KubeletReady",
            "status": "True",
            "type": "Ready"
          }
        ],
        "config": {
          "active": {"configMap": {"kubeletConfigKey": "kubelet", "name": "node-1-config", "namespace": "kube-system"}},
          "assigned": {"configMap": {"kubeletConfigKey": "kubelet", "name": "node-1-config", "namespace": "kube-system"}},
          "error": "",
          "lastKnownGood": {"configMap": {"kubeletConfigKey": "kubelet", "name": "node-1-config-old", "namespace": "kube-system"}}
        },
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "features": {"supplementalGroupsPolicy": true},
        "images": [
          {"names": ["registry.example/web@sha256:0123456789abcdef", "registry.example/web:1.4.2"], "sizeBytes": 43567812},
          {"names": ["registry.k8s.io/pause:3.10"], "sizeBytes": 320368}
        ],
        "nodeInfo": {
          "architecture": "amd64",
          "bootID": "0b6d0f42-7f2f-4bd6-a1d5-5f9e3f7f1a11",
          "containerRuntimeVersion": "containerd://1.7.24",
          "kernelVersion": "6.1.0-28-amd64",
          "kubeProxyVersion": "",
          "kubeletVersion": "v1.32.1",
          "machineID": "e3b0c44298fc1c149afbf4c8996fb924",
          "operatingSystem": "linux",
          "osImage": "Debian GNU/Linux 12 (bookworm)",
          "swap": {"capacity": 0},
          "systemUUID": "4c4c4544-0042-3010-8052-b4c04f4d3232"
        },
        "phase": "Running",
        "runtimeHandlers": [
          {"features": {"recursiveReadOnlyMounts": true, "userNamespaces": true}, "name": ""},
          {"features": {"recursiveReadOnlyMounts": true, "userNamespaces": false}, "name": "runc"}
        ],
        "volumesAttached": [{"devicePath": "/dev/xvdba", "name": "kubernetes.io/csi/ebs.csi.aws.com^vol-0abc"}],
        "volumesInUse": ["kubernetes.io/csi/ebs.csi.aws.com^vol-0abc"]
      }
    }
    """#

    static let lease = #"""
    {
      "apiVersion": "coordination.k8s.io/v1",
      "kind": "Lease",
      "metadata": {
        "creationTimestamp": "2025-01-10T08:00:00Z",
        "name": "node-1",
        "namespace": "kube-node-lease",
        "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "node-1", "uid": "cccc1111-2222-3333-4444-555566667777"}],
        "resourceVersion": "20577",
        "uid": "dddd1111-2222-3333-4444-555566667777"
      },
      "spec": {
        "acquireTime": "2025-01-10T08:00:00.000000Z",
        "holderIdentity": "node-1",
        "leaseDurationSeconds": 40,
        "leaseTransitions": 2,
        "preferredHolder": "node-1",
        "renewTime": "2025-01-15T10:42:07.482915Z",
        "strategy": "OldestEmulationVersion"
      }
    }
    """#

    static let namespace = #"""
    {
      "apiVersion": "v1",
      "kind": "Namespace",
      "metadata": {"deletionTimestamp": "2025-01-15T11:00:00Z", "labels": {"kubernetes.io/metadata.name": "team-a"}, "name": "team-a"},
      "spec": {"finalizers": ["kubernetes"]},
      "status": {
        "conditions": [
          {
            "lastTransitionTime": "2025-01-15T11:00:05Z",
            "message": "All content successfully deleted, may be waiting on finalization",
            "reason": "ContentDeleted",
            "status": "False",
            "type": "NamespaceDeletionContentFailure"
          }
        ],
        "phase": "Terminating"
      }
    }
    """#

    static let endpoints = #"""
    {
      "apiVersion": "v1",
      "kind": "Endpoints",
      "metadata": {"labels": {"app": "web"}, "name": "web", "namespace": "default"},
      "subsets": [
        {
          "addresses": [
            {"hostname": "web-0", "ip": "10.244.1.17", "nodeName": "node-1", "targetRef": {"kind": "Pod", "name": "web-0", "namespace": "default", "uid": "u-0"}}
          ],
          "notReadyAddresses": [{"ip": "10.244.2.9", "nodeName": "node-2"}],
          "ports": [{"appProtocol": "http", "name": "http", "port": 8080, "protocol": "TCP"}]
        }
      ]
    }
    """#

    static let configMap = #"""
    {
      "apiVersion": "v1",
      "binaryData": {"logo.png": "iVBORw0KGgo="},
      "data": {"app.properties": "level=info\nmode=prod\n", "level": "info"},
      "immutable": true,
      "kind": "ConfigMap",
      "metadata": {"name": "web-config", "namespace": "default"}
    }
    """#

    static let secret = #"""
    {
      "apiVersion": "v1",
      "data": {"password": "czNjcjN0", "username": "YWRtaW4="},
      "immutable": false,
      "kind": "Secret",
      "metadata": {"name": "web-secret", "namespace": "default"},
      "stringData": {"extra": "plain"},
      "type": "Opaque"
    }
    """#

    static let event = #"""
    {
      "action": "Binding",
      "apiVersion": "v1",
      "count": 3,
      "eventTime": "2025-01-15T09:20:01.123456Z",
      "firstTimestamp": "2025-01-15T09:20:01Z",
      "involvedObject": {
        "apiVersion": "v1",
        "fieldPath": "spec.containers{web}",
        "kind": "Pod",
        "name": "web-7d4b9c8f6d-x2x9k",
        "namespace": "default",
        "resourceVersion": "18511",
        "uid": "9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff"
      },
      "kind": "Event",
      "lastTimestamp": "2025-01-15T09:25:01Z",
      "message": "Back-off restarting failed container web",
      "metadata": {"name": "web-7d4b9c8f6d-x2x9k.181a2b3c4d5e6f70", "namespace": "default"},
      "reason": "BackOff",
      "related": {"apiVersion": "v1", "kind": "Node", "name": "node-1"},
      "reportingComponent": "kubelet",
      "reportingInstance": "node-1",
      "series": {"count": 2, "lastObservedTime": "2025-01-15T09:25:01.654321Z"},
      "source": {"component": "kubelet", "host": "node-1"},
      "type": "Warning"
    }
    """#

    static let binding = #"""
    {
      "apiVersion": "v1",
      "kind": "Binding",
      "metadata": {"name": "web-7d4b9c8f6d-x2x9k", "namespace": "default", "uid": "9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff"},
      "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}
    }
    """#

    static let scale = #"""
    {
      "apiVersion": "autoscaling/v1",
      "kind": "Scale",
      "metadata": {"name": "web", "namespace": "default", "resourceVersion": "18342", "uid": "6a1c5c0e-3e55-4c1b-9d8e-1f2a3b4c5d6e"},
      "spec": {"replicas": 5},
      "status": {"replicas": 3, "selector": "app=web,tier in (edge,frontend)"}
    }
    """#

    static let replicaSet = #"""
    {
      "apiVersion": "apps/v1",
      "kind": "ReplicaSet",
      "metadata": {"labels": {"app": "web", "pod-template-hash": "7d4b9c8f6d"}, "name": "web-7d4b9c8f6d", "namespace": "default"},
      "spec": {
        "minReadySeconds": 5,
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7d4b9c8f6d"}},
        "template": {
          "metadata": {"labels": {"app": "web", "pod-template-hash": "7d4b9c8f6d"}},
          "spec": {"containers": [{"image": "registry.example/web:1.4.2", "name": "web"}]}
        }
      },
      "status": {
        "availableReplicas": 2,
        "conditions": [
          {
            "lastTransitionTime": "2025-01-15T09:20:00Z",
            "message": "pods \"web-7d4b9c8f6d-abcde\" is forbidden: exceeded quota",
            "reason": "FailedCreate",
            "status": "True",
            "type": "ReplicaFailure"
          }
        ],
        "fullyLabeledReplicas": 3,
        "observedGeneration": 2,
        "readyReplicas": 2,
        "replicas": 3
      }
    }
    """#

    /// One volume per v1.32 volume source, each with all of its fields.
    static let volumes = #"""
    [
      {"hostPath": {"path": "/var/log", "type": "DirectoryOrCreate"}, "name": "host-path"},
      {"emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}, "name": "empty-dir"},
      {"gcePersistentDisk": {"fsType": "ext4", "partition": 1, "pdName": "disk-1", "readOnly": true}, "name": "gce"},
      {"awsElasticBlockStore": {"fsType": "ext4", "partition": 1, "readOnly": true, "volumeID": "vol-0abc"}, "name": "ebs"},
      {"gitRepo": {"directory": ".", "repository": "https://git.example/repo.git", "revision": "abc123"}, "name": "git"},
      {"name": "secret", "secret": {"defaultMode": 256, "items": [{"key": "tls.crt", "mode": 292, "path": "cert.pem"}], "optional": true, "secretName": "tls"}},
      {"name": "nfs", "nfs": {"path": "/exports", "readOnly": true, "server": "nfs.example"}},
      {
        "iscsi": {
          "chapAuthDiscovery": true, "chapAuthSession": true, "fsType": "ext4", "initiatorName": "iqn.1994-05.com.example:node1",
          "iqn": "iqn.2001-04.com.example:storage", "iscsiInterface": "default", "lun": 0, "portals": ["10.0.0.2:3260"],
          "readOnly": false, "secretRef": {"name": "chap"}, "targetPortal": "10.0.0.1:3260"
        },
        "name": "iscsi"
      },
      {"glusterfs": {"endpoints": "glusterfs-cluster", "path": "kube_vol", "readOnly": true}, "name": "gluster"},
      {"name": "pvc", "persistentVolumeClaim": {"claimName": "data", "readOnly": true}},
      {
        "name": "rbd",
        "rbd": {"fsType": "ext4", "image": "foo", "keyring": "/etc/ceph/keyring", "monitors": ["10.16.154.78:6789"], "pool": "kube", "readOnly": true, "secretRef": {"name": "ceph"}, "user": "admin"}
      },
      {"flexVolume": {"driver": "example/lvm", "fsType": "ext4", "options": {"size": "1Gi"}, "readOnly": false, "secretRef": {"name": "flex"}}, "name": "flex"},
      {"cinder": {"fsType": "ext4", "readOnly": true, "secretRef": {"name": "os"}, "volumeID": "bd82f7e2"}, "name": "cinder"},
      {"cephfs": {"monitors": ["10.16.154.78:6789"], "path": "/", "readOnly": true, "secretFile": "/etc/ceph/user.secret", "secretRef": {"name": "ceph"}, "user": "admin"}, "name": "cephfs"},
      {"flocker": {"datasetName": "ds", "datasetUUID": "uuid-1"}, "name": "flocker"},
      {
        "downwardAPI": {
          "defaultMode": 420,
          "items": [
            {"fieldRef": {"fieldPath": "metadata.labels"}, "mode": 420, "path": "labels"},
            {"path": "cpu_limit", "resourceFieldRef": {"containerName": "web", "divisor": "1m", "resource": "limits.cpu"}}
          ]
        },
        "name": "downward"
      },
      {"fc": {"fsType": "ext4", "lun": 2, "readOnly": true, "targetWWNs": ["500a0982991b8dc5"], "wwids": ["3600508b400105e210000900000490000"]}, "name": "fc"},
      {"azureFile": {"readOnly": false, "secretName": "azure-secret", "shareName": "k8stest"}, "name": "azure-file"},
      {"configMap": {"defaultMode": 420, "items": [{"key": "level", "path": "level.txt"}], "name": "web-config", "optional": false}, "name": "config"},
      {"name": "vsphere", "vsphereVolume": {"fsType": "ext4", "storagePolicyID": "id-1", "storagePolicyName": "gold", "volumePath": "[datastore1] volumes/myDisk"}},
      {"name": "quobyte", "quobyte": {"group": "g", "readOnly": true, "registry": "registry:7861", "tenant": "t", "user": "u", "volume": "testVolume"}},
      {"azureDisk": {"cachingMode": "ReadWrite", "diskName": "test.vhd", "diskURI": "https://example/vhds/test.vhd", "fsType": "ext4", "kind": "Managed", "readOnly": false}, "name": "azure-disk"},
      {"name": "photon", "photonPersistentDisk": {"fsType": "ext4", "pdID": "photon-1"}},
      {
        "name": "projected",
        "projected": {
          "defaultMode": 420,
          "sources": [
            {"secret": {"items": [{"key": "username", "path": "my-group/my-username"}], "name": "mysecret", "optional": false}},
            {"configMap": {"items": [{"key": "config", "mode": 511, "path": "my-group/my-config"}], "name": "myconfigmap", "optional": true}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}, "path": "name"}]}},
            {"serviceAccountToken": {"audience": "vault", "expirationSeconds": 7200, "path": "vault-token"}},
            {"clusterTrustBundle": {"labelSelector": {"matchLabels": {"trust": "yes"}}, "optional": true, "path": "ca.pem", "signerName": "example.com/signer"}},
            {"clusterTrustBundle": {"name": "example.com:signer:bundle-1", "path": "bundle.pem"}}
          ]
        }
      },
      {"name": "portworx", "portworxVolume": {"fsType": "ext4", "readOnly": false, "volumeID": "pxvol"}},
      {
        "name": "scaleio",
        "scaleIO": {
          "fsType": "xfs", "gateway": "https://localhost:443/api", "protectionDomain": "pd01", "readOnly": false, "secretRef": {"name": "sio-secret"},
          "sslEnabled": true, "storageMode": "ThinProvisioned", "storagePool": "sp01", "system": "scaleio", "volumeName": "vol-0"
        }
      },
      {"name": "storageos", "storageos": {"fsType": "ext4", "readOnly": false, "secretRef": {"name": "sos"}, "volumeName": "redis-vol01", "volumeNamespace": "default"}},
      {"csi": {"driver": "inline.storage.kubernetes.io", "fsType": "ext4", "nodePublishSecretRef": {"name": "csi-secret"}, "readOnly": true, "volumeAttributes": {"foo": "bar"}}, "name": "csi"},
      {
        "ephemeral": {
          "volumeClaimTemplate": {
            "metadata": {"labels": {"type": "scratch"}},
            "spec": {
              "accessModes": ["ReadWriteOnce"],
              "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap-1"},
              "dataSourceRef": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap-1", "namespace": "default"},
              "resources": {"limits": {"storage": "2Gi"}, "requests": {"storage": "1Gi"}},
              "selector": {"matchLabels": {"tier": "fast"}},
              "storageClassName": "scratch-storage-class",
              "volumeAttributesClassName": "gold",
              "volumeMode": "Filesystem",
              "volumeName": "pv-1"
            }
          }
        },
        "name": "scratch"
      },
      {"image": {"pullPolicy": "IfNotPresent", "reference": "quay.io/crio/artifact:v1"}, "name": "image"}
    ]
    """#

    static let status = #"""
    {
      "apiVersion": "v1",
      "code": 422,
      "details": {
        "causes": [
          {"field": "spec.containers[0].image", "message": "Required value", "reason": "FieldValueRequired"}
        ],
        "group": "apps",
        "kind": "Deployment",
        "name": "web",
        "retryAfterSeconds": 1,
        "uid": "6a1c5c0e-3e55-4c1b-9d8e-1f2a3b4c5d6e"
      },
      "kind": "Status",
      "message": "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value",
      "metadata": {},
      "reason": "Invalid",
      "status": "Failure"
    }
    """#

    static let table = #"""
    {
      "apiVersion": "meta.k8s.io/v1",
      "columnDefinitions": [
        {"description": "Name must be unique within a namespace.", "format": "name", "name": "Name", "priority": 0, "type": "string"},
        {"description": "The number of containers that are ready.", "format": "", "name": "Ready", "priority": 0, "type": "string"},
        {"description": "The number of times the containers restarted.", "format": "", "name": "Restarts", "priority": 0, "type": "integer"},
        {"description": "CreationTimestamp is a timestamp.", "format": "", "name": "Age", "priority": 0, "type": "string"},
        {"description": "IP address allocated to the pod.", "format": "", "name": "IP", "priority": 1, "type": "string"}
      ],
      "kind": "Table",
      "metadata": {"resourceVersion": "20600"},
      "rows": [
        {
          "cells": ["web-7d4b9c8f6d-x2x9k", "1/1", 1, "80m", "10.244.1.17"],
          "conditions": [{"message": "", "reason": "", "status": "False", "type": "Completed"}],
          "object": {
            "apiVersion": "meta.k8s.io/v1",
            "kind": "PartialObjectMetadata",
            "metadata": {"name": "web-7d4b9c8f6d-x2x9k", "namespace": "default", "resourceVersion": "18511"}
          }
        }
      ]
    }
    """#

    static let watchEvent = #"""
    {
      "object": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-7d4b9c8f6d-x2x9k", "namespace": "default", "resourceVersion": "18512"},
        "spec": {"containers": [{"image": "registry.example/web:1.4.2", "name": "web"}]}
      },
      "type": "MODIFIED"
    }
    """#

    static let deleteOptions = #"""
    {
      "apiVersion": "v1",
      "dryRun": ["All"],
      "gracePeriodSeconds": 0,
      "ignoreStoreReadErrorWithClusterBreakingPotential": false,
      "kind": "DeleteOptions",
      "orphanDependents": false,
      "preconditions": {"resourceVersion": "18511", "uid": "9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff"},
      "propagationPolicy": "Foreground"
    }
    """#

    static let configMapList = #"""
    {
      "apiVersion": "v1",
      "items": [
        {"apiVersion": "v1", "data": {"k": "v"}, "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "namespace": "default"}}
      ],
      "kind": "ConfigMapList",
      "metadata": {"continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ", "remainingItemCount": 3, "resourceVersion": "4711"}
    }
    """#
}
