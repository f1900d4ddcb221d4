import Foundation
import XCTest
@testable import ControlPlane
import KubeAPI

final class TableTests: XCTestCase {
    private let nowSeconds: Int64 = 1_700_000_000
    private var now: Date { Date(timeIntervalSince1970: TimeInterval(nowSeconds)) }

    /// An RFC 3339 timestamp `secondsAgo` before `now`.
    private func ago(_ secondsAgo: Int64) -> JSONValue {
        .string(TableTimestamp(seconds: nowSeconds - secondsAgo, nanos: 0).rfc3339)
    }

    private func cells(_ kind: String, _ object: JSONValue) -> [String] {
        TablePrinter.cells(forKind: kind, object: object, now: now).map { cell in
            switch cell {
            case .string(let s): return s
            case .int(let i): return String(i)
            default: return "\(cell)"
            }
        }
    }

    private func pod(phase: String = "Running", reason: String? = nil, conditions: [JSONValue] = [],
                     containers: [String] = ["app"], initContainers: [JSONValue] = [],
                     statuses: [JSONValue] = [], initStatuses: [JSONValue] = [],
                     deleting: Bool = false) -> JSONValue {
        var metadata: JSONValue = ["name": "p", "namespace": "default", "creationTimestamp": ago(300)]
        if deleting { metadata["deletionTimestamp"] = ago(1) }
        var status: JSONValue = ["phase": .string(phase), "conditions": .array(conditions),
                                 "containerStatuses": .array(statuses),
                                 "initContainerStatuses": .array(initStatuses)]
        if let reason { status["reason"] = .string(reason) }
        return [
            "metadata": metadata,
            "spec": ["containers": .array(containers.map { ["name": .string($0), "image": "img"] }),
                     "initContainers": .array(initContainers)],
            "status": status,
        ]
    }

    private func running(_ name: String = "app", ready: Bool = true, restarts: Int64 = 0) -> JSONValue {
        ["name": .string(name), "ready": .bool(ready), "restartCount": .int(restarts),
         "state": ["running": ["startedAt": ago(60)]]]
    }

    private func waiting(_ reason: String, name: String = "app", restarts: Int64 = 0) -> JSONValue {
        ["name": .string(name), "ready": false, "restartCount": .int(restarts), "state": ["waiting": ["reason": .string(reason)]]]
    }

    private func terminated(_ name: String = "app", reason: String = "", exitCode: Int64, signal: Int64 = 0) -> JSONValue {
        var t: JSONValue = ["exitCode": .int(exitCode), "finishedAt": ago(10)]
        if !reason.isEmpty { t["reason"] = .string(reason) }
        if signal != 0 { t["signal"] = .int(signal) }
        return ["name": .string(name), "ready": false, "restartCount": 0, "state": ["terminated": t]]
    }

    private let readyTrue: JSONValue = ["type": "Ready", "status": "True"]

    // MARK: HumanDuration

    func testHumanDuration() {
        let cases: [(Double, String)] = [
            (0, "0s"), (5, "5s"), (119, "119s"), (120, "2m"), (122, "2m2s"), (599, "9m59s"), (600, "10m"),
            (179 * 60, "179m"), (180 * 60, "3h"), (3 * 3600 + 5 * 60, "3h5m"), (7 * 3600 + 59 * 60, "7h59m"),
            (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"), (51 * 3600, "2d3h"), (8 * 86400, "8d"),
            (400 * 86400, "400d"), (730 * 86400, "2y"), (731 * 86400, "2y1d"), (8 * 365 * 86400, "8y"),
            (-1, "0s"), (-1.9, "0s"), (-2, "<invalid>"), (0.5, "0s"),
        ]
        for (seconds, expected) in cases {
            XCTAssertEqual(TablePrinter.humanDuration(seconds: seconds), expected, "\(seconds)s")
        }
        XCTAssertEqual(TablePrinter.age(of: nil, now: now), "<unknown>")
        XCTAssertEqual(TablePrinter.age(of: .null, now: now), "<unknown>")
        XCTAssertEqual(TablePrinter.age(of: ago(3 * 86400 + 3600), now: now), "3d1h")
        XCTAssertEqual(TablePrinter.age(of: "2023-11-14T22:13:19.500000Z", now: now), "0s")  // MicroTime
    }

    // MARK: Pod status

    func testPodRunningReady() {
        let c = cells("Pod", pod(conditions: [readyTrue], statuses: [running()]))
        XCTAssertEqual(Array(c[0...4]), ["p", "1/1", "Running", "0", "5m"])
        XCTAssertEqual(Array(c[5...]), ["<none>", "<none>", "<none>", "<none>"])
    }

    func testPodPendingAndContainerCreating() {
        XCTAssertEqual(cells("Pod", pod(phase: "Pending"))[2], "Pending")
        XCTAssertEqual(cells("Pod", pod(phase: "Pending", statuses: [waiting("ContainerCreating")]))[2], "ContainerCreating")
    }

    func testPodCrashLoopWithRestartsAgo() {
        var s = waiting("CrashLoopBackOff", restarts: 4)
        s["lastState"] = ["terminated": ["exitCode": 1, "finishedAt": ago(125)]]
        let c = cells("Pod", pod(statuses: [s]))
        XCTAssertEqual(c[1], "0/1")
        XCTAssertEqual(c[2], "CrashLoopBackOff")
        XCTAssertEqual(c[3], "4 (2m5s ago)")
    }

    func testPodCompletedAndError() {
        let done = TablePrinter.row(forKind: "Pod", object: pod(phase: "Succeeded", statuses: [terminated(reason: "Completed", exitCode: 0)]), now: now)
        XCTAssertEqual(done.cells[2], "Completed")
        XCTAssertEqual(done.conditions, [["type": "Completed", "status": "True", "reason": "Succeeded",
                                          "message": "The pod has completed successfully."]])
        let failed = TablePrinter.row(forKind: "Pod", object: pod(phase: "Failed", statuses: [terminated(reason: "Error", exitCode: 1)]), now: now)
        XCTAssertEqual(failed.cells[2], "Error")
        XCTAssertEqual(failed.conditions.first?["reason"], "Failed")
        XCTAssertEqual(cells("Pod", pod(phase: "Failed", statuses: [terminated(exitCode: 3)]))[2], "ExitCode:3")
        XCTAssertEqual(cells("Pod", pod(phase: "Failed", statuses: [terminated(exitCode: 137, signal: 9)]))[2], "Signal:9")
    }

    func testPodCompletedButSidecarRunning() {
        let statuses = [running("b"), terminated("a", reason: "Completed", exitCode: 0)]
        XCTAssertEqual(cells("Pod", pod(conditions: [readyTrue], containers: ["a", "b"], statuses: statuses))[2], "Running")
        XCTAssertEqual(cells("Pod", pod(containers: ["a", "b"], statuses: statuses))[2], "NotReady")
    }

    func testPodInitContainers() {
        let inits: [JSONValue] = [["name": "i1"], ["name": "i2"]]
        // first done, second running: Init:1/2
        var c = cells("Pod", pod(phase: "Pending", initContainers: inits,
                                 statuses: [waiting("PodInitializing")],
                                 initStatuses: [terminated("i1", reason: "Completed", exitCode: 0), running("i2", ready: false)]))
        XCTAssertEqual(c[2], "Init:1/2")
        // first waiting on PodInitializing counts as Init:0/2
        c = cells("Pod", pod(phase: "Pending", initContainers: inits,
                             initStatuses: [waiting("PodInitializing", name: "i1"), waiting("PodInitializing", name: "i2")]))
        XCTAssertEqual(c[2], "Init:0/2")
        // crash looping init container
        c = cells("Pod", pod(phase: "Pending", initContainers: inits,
                             initStatuses: [waiting("CrashLoopBackOff", name: "i1", restarts: 3)]))
        XCTAssertEqual(c[2], "Init:CrashLoopBackOff")
        XCTAssertEqual(c[3], "3")
        // failed init container
        c = cells("Pod", pod(phase: "Pending", initContainers: inits, initStatuses: [terminated("i1", reason: "Error", exitCode: 1)]))
        XCTAssertEqual(c[2], "Init:Error")
        c = cells("Pod", pod(phase: "Pending", initContainers: inits, initStatuses: [terminated("i1", exitCode: 2)]))
        XCTAssertEqual(c[2], "Init:ExitCode:2")
        c = cells("Pod", pod(phase: "Pending", initContainers: inits, initStatuses: [terminated("i1", exitCode: 0, signal: 0), terminated("i2", exitCode: 143, signal: 15)]))
        XCTAssertEqual(c[2], "Init:Signal:15")
    }

    func testPodSidecarInitContainerCountsAsContainer() {
        var started = running("sidecar")
        started["started"] = true
        let c = cells("Pod", pod(conditions: [readyTrue, ["type": "Initialized", "status": "True"]],
                                 initContainers: [["name": "sidecar", "restartPolicy": "Always"]],
                                 statuses: [running()], initStatuses: [started]))
        XCTAssertEqual(c[1], "2/2")
        XCTAssertEqual(c[2], "Running")
    }

    func testPodTerminatingAndNodeLost() {
        XCTAssertEqual(cells("Pod", pod(statuses: [running()], deleting: true))[2], "Terminating")
        XCTAssertEqual(cells("Pod", pod(phase: "Succeeded", statuses: [terminated(reason: "Completed", exitCode: 0)],
                                        deleting: true))[2], "Completed")
        XCTAssertEqual(cells("Pod", pod(reason: "NodeLost", statuses: [running()], deleting: true))[2], "Unknown")
        XCTAssertEqual(cells("Pod", pod(phase: "Unknown", reason: "NodeLost"))[2], "NodeLost")
        XCTAssertEqual(cells("Pod", pod(phase: "Failed", reason: "Evicted"))[2], "Evicted")
        XCTAssertEqual(cells("Pod", pod(phase: "Pending", conditions: [["type": "PodScheduled", "status": "False",
                                                                        "reason": "SchedulingGated"]]))[2], "SchedulingGated")
    }

    func testPodWideColumns() {
        var p = pod(conditions: [readyTrue, ["type": "example.com/gate", "status": "True"]], statuses: [running()])
        p[path: ["spec", "nodeName"]] = "node-1"
        p[path: ["spec", "readinessGates"]] = [["conditionType": "example.com/gate"], ["conditionType": "other"]]
        p[path: ["status", "podIPs"]] = [["ip": "10.244.1.7"]]
        p[path: ["status", "nominatedNodeName"]] = "node-2"
        XCTAssertEqual(Array(cells("Pod", p)[5...]), ["10.244.1.7", "node-1", "node-2", "1/2"])
    }

    // MARK: Service

    private func service(_ type: String, ports: [JSONValue] = [["port": 80, "protocol": "TCP"]],
                         externalIPs: [JSONValue] = [], ingress: [JSONValue] = [],
                         selector: JSONValue = ["app": "web"]) -> JSONValue {
        [
            "metadata": ["name": "svc", "creationTimestamp": ago(90)],
            "spec": ["type": .string(type), "clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"],
                     "ports": .array(ports), "externalIPs": .array(externalIPs), "selector": selector],
            "status": ["loadBalancer": ["ingress": .array(ingress)]],
        ]
    }

    func testServiceClusterIP() {
        XCTAssertEqual(cells("Service", service("ClusterIP")), ["svc", "ClusterIP", "10.96.0.20", "<none>", "80/TCP", "90s", "app=web"])
        XCTAssertEqual(cells("Service", service("ClusterIP", externalIPs: ["1.2.3.4", "5.6.7.8"]))[3], "1.2.3.4,5.6.7.8")
        XCTAssertEqual(cells("Service", service("ClusterIP", ports: [], selector: [:]))[4], "<none>")
        XCTAssertEqual(cells("Service", service("ClusterIP", selector: [:]))[6], "<none>")
    }

    func testServiceNodePortPorts() {
        let ports: [JSONValue] = [["port": 80, "nodePort": 30080, "protocol": "TCP"], ["port": 53, "nodePort": 30053, "protocol": "UDP"]]
        XCTAssertEqual(cells("Service", service("NodePort", ports: ports))[4], "80:30080/TCP,53:30053/UDP")
    }

    func testServiceLoadBalancerExternalIP() {
        XCTAssertEqual(cells("Service", service("LoadBalancer"))[3], "<pending>")
        XCTAssertEqual(cells("Service", service("LoadBalancer", ingress: [["ip": "9.9.9.9"], ["hostname": "lb.example.com"], ["ip": "1.1.1.1"]]))[3],
                       "1.1.1.1,9.9.9.9,lb.example.com")
        XCTAssertEqual(cells("Service", service("LoadBalancer", externalIPs: ["5.5.5.5"], ingress: [["ip": "9.9.9.9"]]))[3],
                       "9.9.9.9,5.5.5.5")
        XCTAssertEqual(cells("Service", service("LoadBalancer", externalIPs: ["5.5.5.5"]))[3], "5.5.5.5")
    }

    func testServiceExternalNameAndHeadless() {
        var s = service("ExternalName", ports: [])
        s[path: ["spec", "externalName"]] = "db.example.com"
        s[path: ["spec", "clusterIP"]] = nil
        s[path: ["spec", "clusterIPs"]] = nil
        let c = cells("Service", s)
        XCTAssertEqual(c[2], "<none>")
        XCTAssertEqual(c[3], "db.example.com")
        var headless = service("ClusterIP")
        headless[path: ["spec", "clusterIPs"]] = ["None"]
        XCTAssertEqual(cells("Service", headless)[2], "None")
    }

    // MARK: Node

    func testNodeStatusRolesAndWide() {
        let node: JSONValue = [
            "metadata": ["name": "n1", "creationTimestamp": ago(2 * 86400 + 3 * 3600),
                         "labels": ["node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": "",
                                    "kubernetes.io/role": "edge"]],
            "spec": ["unschedulable": true],
            "status": [
                "conditions": [["type": "MemoryPressure", "status": "False"], ["type": "Ready", "status": "True"]],
                "addresses": [["type": "InternalIP", "address": "10.0.0.1"], ["type": "Hostname", "address": "n1"]],
                "nodeInfo": ["kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                             "kernelVersion": "6.1.0", "containerRuntimeVersion": ""],
            ],
        ]
        XCTAssertEqual(cells("Node", node), ["n1", "Ready,SchedulingDisabled", "control-plane,edge,worker", "2d3h", "v1.32.0",
                                             "10.0.0.1", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0", "<unknown>"])
        let bare: JSONValue = ["metadata": ["name": "n2"], "status": ["conditions": [["type": "Ready", "status": "Unknown"]]]]
        XCTAssertEqual(Array(cells("Node", bare)[1...3]), ["NotReady", "<none>", "<unknown>"])
        XCTAssertEqual(cells("Node", ["metadata": ["name": "n3"]])[1], "Unknown")
    }

    // MARK: other kinds

    func testEndpointsAndSlices() {
        let ep: JSONValue = ["metadata": ["name": "svc"], "subsets": [
            ["addresses": [["ip": "10.0.0.1"], ["ip": "10.0.0.2"]], "ports": [["port": 80], ["port": 443]]],
        ]]
        XCTAssertEqual(cells("Endpoints", ep)[1], "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...")
        XCTAssertEqual(cells("Endpoints", ["metadata": ["name": "e"]])[1], "<none>")
        XCTAssertEqual(cells("Endpoints", ["metadata": ["name": "e"], "subsets": [["addresses": [["ip": "fd00::1"]], "ports": [["port": 53]]]]])[1],
                       "[fd00::1]:53")
        let slice: JSONValue = ["metadata": ["name": "svc-abc"], "addressType": "IPv4",
                                "ports": [["port": 80, "name": "http"], ["name": "named"], [:]],
                                "endpoints": [["addresses": ["10.0.0.1"]], ["addresses": ["10.0.0.2"]]]]
        XCTAssertEqual(Array(cells("EndpointSlice", slice)[0...3]), ["svc-abc", "IPv4", "80,named,*", "10.0.0.1,10.0.0.2"])
        XCTAssertEqual(Array(cells("EndpointSlice", ["metadata": ["name": "s"], "addressType": "IPv4"])[2...3]), ["<unset>", "<unset>"])
    }

    func testConfigMapSecretNamespaceLease() {
        XCTAssertEqual(cells("ConfigMap", ["metadata": ["name": "cm", "creationTimestamp": ago(5)],
                                           "data": ["a": "1", "b": "2"], "binaryData": ["c": "AA=="]]), ["cm", "3", "5s"])
        XCTAssertEqual(cells("Secret", ["metadata": ["name": "s"], "type": "Opaque", "data": ["k": "dg=="]]),
                       ["s", "Opaque", "1", "<unknown>"])
        XCTAssertEqual(cells("Namespace", ["metadata": ["name": "default", "creationTimestamp": ago(600)],
                                           "status": ["phase": "Active"]]), ["default", "Active", "10m"])
        XCTAssertEqual(cells("Lease", ["metadata": ["name": "n1"], "spec": ["holderIdentity": "n1"]])[1], "n1")
    }

    func testEvent() {
        let ev: JSONValue = [
            "metadata": ["name": "p.17a"], "type": "Warning", "reason": "BackOff", "message": "Back-off restarting\n",
            "involvedObject": ["kind": "Pod", "name": "web", "fieldPath": "spec.containers{app}"],
            "source": ["component": "kubelet", "host": "n1"], "count": 5,
            "firstTimestamp": ago(3600), "lastTimestamp": ago(30),
        ]
        XCTAssertEqual(cells("Event", ev), ["30s", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, n1",
                                            "Back-off restarting", "60m", "5", "p.17a"])
        let newAPI: JSONValue = ["metadata": ["name": "e"], "involvedObject": ["kind": "Node"],
                                 "eventTime": "2023-11-14T22:12:20.000000Z", "reportingComponent": "ctrl"]
        let c = cells("Event", newAPI)
        XCTAssertEqual(c[0], "60s")
        XCTAssertEqual(c[3], "node")
        XCTAssertEqual(c[5], "ctrl")
        XCTAssertEqual(c[8], "1")
    }

    func testDeploymentAndReplicaSet() {
        let template: JSONValue = ["spec": ["containers": [["name": "a", "image": "nginx:1"], ["name": "b", "image": "busybox"]]]]
        let d: JSONValue = ["metadata": ["name": "web", "creationTimestamp": ago(3600)],
                            "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "web"]], "template": template],
                            "status": ["readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2]]
        XCTAssertEqual(cells("Deployment", d), ["web", "2/3", "3", "2", "60m", "a,b", "nginx:1,busybox", "app=web"])
        let rs: JSONValue = ["metadata": ["name": "web-5d"],
                             "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "web", "pod-template-hash": "5d"]],
                                      "template": template],
                             "status": ["replicas": 3, "readyReplicas": 1]]
        XCTAssertEqual(cells("ReplicaSet", rs), ["web-5d", "3", "3", "1", "<unknown>", "a,b", "nginx:1,busybox",
                                                 "app=web,pod-template-hash=5d"])
        let cols = TablePrinter.columnDefinitions(forKind: "ReplicaSet")
        XCTAssertEqual(cols.map(\.name), ["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"])
        XCTAssertEqual(cols.map(\.type), ["string", "integer", "integer", "integer", "string", "string", "string", "string"])
        XCTAssertEqual(cols.map(\.priority), [0, 0, 0, 0, 0, 1, 1, 1])
    }

    // MARK: Table assembly

    func testTableJSONWithPartialObjectMetadata() {
        let p = pod(conditions: [readyTrue], statuses: [running()])
        let t = TablePrinter.table(kind: "Pod", objects: [p], now: now, apiVersion: "meta.k8s.io/v1beta1", resourceVersion: "42")
        XCTAssertEqual(t["kind"], "Table")
        XCTAssertEqual(t["apiVersion"], "meta.k8s.io/v1beta1")
        XCTAssertEqual(t["metadata"], ["resourceVersion": "42"])
        let cols = t["columnDefinitions"]?.arrayValue ?? []
        XCTAssertEqual(cols.map { $0["name"]?.stringValue ?? "" },
                       ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        XCTAssertEqual(cols[0], ["name": "Name", "type": "string", "format": "name",
                                 "description": .string(TablePrinter.Doc.name), "priority": 0])
        let row = t["rows"]?.arrayValue?.first
        XCTAssertEqual(row?["cells"]?.arrayValue?.count, 9)
        XCTAssertEqual(row?["object"], ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1beta1",
                                        "metadata": p["metadata"]!])
        XCTAssertNil(row?["conditions"])

        let none = TablePrinter.table(kind: "Pod", objects: [p], now: now, includeObject: .none, noHeaders: true)
        XCTAssertEqual(none["rows"]?.arrayValue?.first?["object"], .null)
        XCTAssertEqual(none["columnDefinitions"], .null)
        let full = TablePrinter.table(kind: "Pod", objects: [p], now: now, includeObject: .object)
        XCTAssertEqual(full["rows"]?.arrayValue?.first?["object"], p)
        XCTAssertEqual(TablePrinter.table(kind: "Pod", objects: [], now: now)["rows"], .array([]))
        XCTAssertEqual(TablePrinter.IncludeObject(queryValue: nil), .metadata)
        XCTAssertEqual(TablePrinter.IncludeObject(queryValue: "Object"), .object)
        XCTAssertNil(TablePrinter.IncludeObject(queryValue: "bogus"))
    }

    func testDefaultTableForOtherKinds() {
        let obj: JSONValue = ["metadata": ["name": "sa", "creationTimestamp": "2024-01-02T03:04:05Z"]]
        let t = TablePrinter.table(kind: "ServiceAccount", objects: [obj], now: now)
        XCTAssertEqual(t["columnDefinitions"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" }, ["Name", "Created At"])
        XCTAssertEqual(t["columnDefinitions"]?.arrayValue?.last?["type"], "date")
        XCTAssertEqual(t["rows"]?.arrayValue?.first?["cells"], ["sa", "2024-01-02T03:04:05Z"])
        XCTAssertEqual(cells("ServiceAccount", ["metadata": ["name": "x"]]), ["x", "0001-01-01T00:00:00Z"])
    }

    func testAcceptNegotiation() {
        let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
        XCTAssertEqual(TablePrinter.negotiatedTableVersion(accept: kubectl), "meta.k8s.io/v1")
        XCTAssertEqual(TablePrinter.negotiatedTableVersion(accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io"),
                       "meta.k8s.io/v1beta1")
        XCTAssertNil(TablePrinter.negotiatedTableVersion(accept: "application/json"))
    }
}
