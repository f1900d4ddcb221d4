import Foundation

#if !STANDALONE_CHECK
import KubeAPI
#endif

// Cell values, per kind, as upstream's printPod, printNode, printService, … compute them
// from the (defaulted) object. Objects arrive as their versioned JSON.

extension TablePrinter {
    // MARK: JSON access helpers

    static func str(_ o: JSONValue?, _ path: String...) -> String {
        o?[path: path]?.stringValue ?? ""
    }

    static func int(_ o: JSONValue?, _ path: String...) -> Int64 {
        o?[path: path]?.intValue ?? 0
    }

    static func array(_ o: JSONValue?, _ path: String...) -> [JSONValue] {
        o?[path: path]?.arrayValue ?? []
    }

    /// A JSON member that is present and not null (a non-nil pointer in Go terms).
    static func present(_ o: JSONValue?, _ path: String...) -> JSONValue? {
        guard let v = o?[path: path], !v.isNull else { return nil }
        return v
    }

    static func name(_ o: JSONValue) -> JSONValue { .string(str(o, "metadata", "name")) }

    static func ageCell(_ o: JSONValue, _ now: Date) -> JSONValue {
        .string(age(of: o[path: ["metadata", "creationTimestamp"]], now: now))
    }

    static func timestamp(_ v: JSONValue?) -> TableTimestamp {
        guard let s = v?.stringValue, let t = TableTimestamp.parse(s) else { return .zero }
        return t
    }

    /// layoutContainerCells: container names and images, comma-joined.
    static func containerCells(_ template: JSONValue?) -> (JSONValue, JSONValue) {
        let containers = array(template, "spec", "containers")
        return (.string(containers.map { str($0, "name") }.joined(separator: ",")),
                .string(containers.map { str($0, "image") }.joined(separator: ",")))
    }

    // MARK: Pod

    static let podSucceededCondition: JSONValue = [
        "type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully.",
    ]
    static let podFailedCondition: JSONValue = [
        "type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed.",
    ]

    static func isRestartableInitContainer(_ c: JSONValue?) -> Bool {
        c?["restartPolicy"]?.stringValue == "Always"
    }

    static func podRow(_ pod: JSONValue, now: Date) -> Row {
        var restarts: Int64 = 0
        var restartableInitContainerRestarts: Int64 = 0
        var totalContainers = Int64(array(pod, "spec", "containers").count)
        var readyContainers: Int64 = 0
        var lastRestartDate = TableTimestamp.zero
        var lastRestartableInitContainerRestartDate = TableTimestamp.zero

        let phase = str(pod, "status", "phase")
        var reason = phase
        let statusReason = str(pod, "status", "reason")
        if !statusReason.isEmpty { reason = statusReason }

        let podConditions = array(pod, "status", "conditions")
        // A Pod carrying {type: PodScheduled, reason: SchedulingGated} shows SchedulingGated.
        for c in podConditions where str(c, "type") == "PodScheduled" && str(c, "reason") == "SchedulingGated" {
            reason = "SchedulingGated"
        }

        var rowConditions: [JSONValue] = []
        switch phase {
        case "Succeeded": rowConditions = [podSucceededCondition]
        case "Failed": rowConditions = [podFailedCondition]
        default: break
        }

        let initSpecs = array(pod, "spec", "initContainers")
        var initContainers: [String: JSONValue] = [:]
        for c in initSpecs {
            initContainers[str(c, "name")] = c
            if isRestartableInitContainer(c) { totalContainers += 1 }
        }

        var initializing = false
        for (i, container) in array(pod, "status", "initContainerStatuses").enumerated() {
            restarts += int(container, "restartCount")
            if let terminated = present(container, "lastState", "terminated") {
                let finished = timestamp(terminated["finishedAt"])
                if lastRestartDate < finished { lastRestartDate = finished }
            }
            let restartable = isRestartableInitContainer(initContainers[str(container, "name")])
            if restartable {
                restartableInitContainerRestarts += int(container, "restartCount")
                if let terminated = present(container, "lastState", "terminated") {
                    let finished = timestamp(terminated["finishedAt"])
                    if lastRestartableInitContainerRestartDate < finished {
                        lastRestartableInitContainerRestartDate = finished
                    }
                }
            }
            let terminated = present(container, "state", "terminated")
            let waiting = present(container, "state", "waiting")
            if let terminated, int(terminated, "exitCode") == 0 {
                continue
            } else if restartable && container["started"]?.boolValue == true {
                if container["ready"]?.boolValue == true { readyContainers += 1 }
                continue
            } else if let terminated {
                // initialization failed
                let r = str(terminated, "reason")
                if r.isEmpty {
                    let signal = int(terminated, "signal")
                    reason = signal != 0 ? "Init:Signal:\(signal)" : "Init:ExitCode:\(int(terminated, "exitCode"))"
                } else {
                    reason = "Init:" + r
                }
                initializing = true
            } else if let waiting, !str(waiting, "reason").isEmpty, str(waiting, "reason") != "PodInitializing" {
                reason = "Init:" + str(waiting, "reason")
                initializing = true
            } else {
                reason = "Init:\(i)/\(initSpecs.count)"
                initializing = true
            }
            break
        }

        let initialized = podConditions.first(where: { str($0, "type") == "Initialized" }).map {
            str($0, "status") == "True"
        } ?? false
        if !initializing || initialized {
            restarts = restartableInitContainerRestarts
            lastRestartDate = lastRestartableInitContainerRestartDate
            var hasRunning = false
            for container in array(pod, "status", "containerStatuses").reversed() {
                restarts += int(container, "restartCount")
                if let terminated = present(container, "lastState", "terminated") {
                    let finished = timestamp(terminated["finishedAt"])
                    if lastRestartDate < finished { lastRestartDate = finished }
                }
                let waiting = present(container, "state", "waiting")
                let terminated = present(container, "state", "terminated")
                if let waiting, !str(waiting, "reason").isEmpty {
                    reason = str(waiting, "reason")
                } else if let terminated, !str(terminated, "reason").isEmpty {
                    reason = str(terminated, "reason")
                } else if let terminated {
                    let signal = int(terminated, "signal")
                    reason = signal != 0 ? "Signal:\(signal)" : "ExitCode:\(int(terminated, "exitCode"))"
                } else if container["ready"]?.boolValue == true, present(container, "state", "running") != nil {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            // Back to "Running" if at least one container still reports running.
            if reason == "Completed" && hasRunning {
                let podReady = podConditions.contains { str($0, "type") == "Ready" && str($0, "status") == "True" }
                reason = podReady ? "Running" : "NotReady"
            }
        }

        let deleting = present(pod, "metadata", "deletionTimestamp") != nil
        if deleting && statusReason == "NodeLost" {
            reason = "Unknown"
        } else if deleting && phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating"
        }

        var restartsText = String(restarts)
        if restarts != 0 && !lastRestartDate.isZero {
            restartsText = "\(restarts) (\(humanDuration(nanoseconds: lastRestartDate.nanoseconds(until: now))) ago)"
        }

        var podIP = str(array(pod, "status", "podIPs").first, "ip")
        if podIP.isEmpty { podIP = str(pod, "status", "podIP") }  // v1 → internal conversion fills podIPs from podIP
        if podIP.isEmpty { podIP = "<none>" }
        var nodeName = str(pod, "spec", "nodeName")
        if nodeName.isEmpty { nodeName = "<none>" }
        var nominated = str(pod, "status", "nominatedNodeName")
        if nominated.isEmpty { nominated = "<none>" }
        var readinessGates = "<none>"
        let gates = array(pod, "spec", "readinessGates")
        if !gates.isEmpty {
            var trueConditions = 0
            for gate in gates {
                let type = str(gate, "conditionType")
                if let c = podConditions.first(where: { str($0, "type") == type }), str(c, "status") == "True" {
                    trueConditions += 1
                }
            }
            readinessGates = "\(trueConditions)/\(gates.count)"
        }

        return Row(cells: [
            name(pod), .string("\(readyContainers)/\(totalContainers)"), .string(reason), .string(restartsText),
            ageCell(pod, now), .string(podIP), .string(nodeName), .string(nominated), .string(readinessGates),
        ], conditions: rowConditions)
    }

    // MARK: Node

    static func nodeCells(_ node: JSONValue, now: Date) -> [JSONValue] {
        var ready: JSONValue?
        for c in array(node, "status", "conditions") where str(c, "type") == "Ready" { ready = c }
        var status: [String] = []
        if let ready { status.append(str(ready, "status") == "True" ? "Ready" : "NotReady") }
        if status.isEmpty { status.append("Unknown") }
        if node[path: ["spec", "unschedulable"]]?.boolValue == true { status.append("SchedulingDisabled") }

        var roles = Set<String>()
        for (k, v) in node[path: ["metadata", "labels"]]?.objectValue ?? [:] {
            let value = v.stringValue ?? ""
            if k.hasPrefix("node-role.kubernetes.io/") {
                let role = String(k.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if k == "kubernetes.io/role" && !value.isEmpty {
                roles.insert(value)
            }
        }
        var rolesText = roles.sorted(by: goStringLess).joined(separator: ",")
        if rolesText.isEmpty { rolesText = "<none>" }

        func address(_ type: String) -> String {
            for a in array(node, "status", "addresses") where str(a, "type") == type { return str(a, "address") }
            return "<none>"
        }
        func info(_ key: String) -> String {
            let v = str(node, "status", "nodeInfo", key)
            return v.isEmpty ? "<unknown>" : v
        }
        return [
            name(node), .string(status.joined(separator: ",")), .string(rolesText), ageCell(node, now),
            .string(str(node, "status", "nodeInfo", "kubeletVersion")),
            .string(address("InternalIP")), .string(address("ExternalIP")),
            .string(info("osImage")), .string(info("kernelVersion")), .string(info("containerRuntimeVersion")),
        ]
    }

    // MARK: Namespace, ConfigMap, Secret, Lease

    static func namespaceCells(_ ns: JSONValue, now: Date) -> [JSONValue] {
        [name(ns), .string(str(ns, "status", "phase")), ageCell(ns, now)]
    }

    static func configMapCells(_ cm: JSONValue, now: Date) -> [JSONValue] {
        let n = (cm["data"]?.objectValue?.count ?? 0) + (cm["binaryData"]?.objectValue?.count ?? 0)
        return [name(cm), .int(Int64(n)), ageCell(cm, now)]
    }

    static func secretCells(_ secret: JSONValue, now: Date) -> [JSONValue] {
        [name(secret), .string(str(secret, "type")), .int(Int64(secret["data"]?.objectValue?.count ?? 0)),
         ageCell(secret, now)]
    }

    static func leaseCells(_ lease: JSONValue, now: Date) -> [JSONValue] {
        [name(lease), .string(str(lease, "spec", "holderIdentity")), ageCell(lease, now)]
    }

    // MARK: Service

    /// loadBalancerStatusStringer (wide): the sorted, unique ingress IPs or hostnames.
    static func loadBalancerIngress(_ svc: JSONValue) -> String {
        var set = Set<String>()
        for ing in array(svc, "status", "loadBalancer", "ingress") {
            let ip = str(ing, "ip")
            let host = str(ing, "hostname")
            if !ip.isEmpty { set.insert(ip) } else if !host.isEmpty { set.insert(host) }
        }
        return set.sorted(by: goStringLess).joined(separator: ",")
    }

    /// getServiceExternalIP (wide).
    public static func serviceExternalIP(_ svc: JSONValue) -> String {
        let externalIPs = array(svc, "spec", "externalIPs").map { $0.stringValue ?? "" }
        switch str(svc, "spec", "type") {
        case "ClusterIP", "NodePort":
            return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            let lb = loadBalancerIngress(svc)
            if !externalIPs.isEmpty {
                var results: [String] = []
                if !lb.isEmpty { results += lb.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                results += externalIPs
                return results.joined(separator: ",")
            }
            return lb.isEmpty ? "<pending>" : lb
        case "ExternalName":
            return str(svc, "spec", "externalName")
        default:
            return "<unknown>"
        }
    }

    /// makePortString: `port/proto` or `port:nodePort/proto`, comma-joined.
    public static func servicePorts(_ svc: JSONValue) -> String {
        array(svc, "spec", "ports").map { p -> String in
            let proto = p["protocol"]?.stringValue ?? "TCP"  // defaulted to TCP by the API
            let port = int(p, "port")
            let nodePort = int(p, "nodePort")
            return nodePort > 0 ? "\(port):\(nodePort)/\(proto)" : "\(port)/\(proto)"
        }.joined(separator: ",")
    }

    static func serviceCells(_ svc: JSONValue, now: Date) -> [JSONValue] {
        var clusterIP = str(array(svc, "spec", "clusterIPs").first)
        if clusterIP.isEmpty { clusterIP = str(svc, "spec", "clusterIP") }  // clusterIPs is defaulted from clusterIP
        if clusterIP.isEmpty { clusterIP = "<none>" }
        var ports = servicePorts(svc)
        if ports.isEmpty { ports = "<none>" }
        return [
            name(svc), .string(str(svc, "spec", "type")), .string(clusterIP), .string(serviceExternalIP(svc)),
            .string(ports), ageCell(svc, now), .string(LabelSelectorQuery.formatLabels(svc[path: ["spec", "selector"]])),
        ]
    }

    // MARK: Endpoints, EndpointSlice

    static func joinHostPort(_ host: String, _ port: Int64) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// formatEndpoints(endpoints, nil): up to 3 ready addresses (`ip:port`), then `+ N more...`.
    public static func formatEndpoints(_ ep: JSONValue) -> String {
        let subsets = array(ep, "subsets")
        if subsets.isEmpty { return "<none>" }
        var list: [String] = []
        let max = 3
        var more = false
        var count = 0
        for ss in subsets {
            let addresses = array(ss, "addresses")
            let ports = array(ss, "ports")
            if ports.isEmpty {
                count += addresses.count
                for a in addresses {
                    if list.count == max {
                        more = true
                        break
                    }
                    list.append(str(a, "ip"))
                }
                continue
            }
            for port in ports {
                count += addresses.count
                for a in addresses {
                    if list.count == max {
                        more = true
                        break
                    }
                    list.append(joinHostPort(str(a, "ip"), int(port, "port")))
                }
            }
        }
        let ret = list.joined(separator: ",")
        return more ? "\(ret) + \(count - max) more..." : ret
    }

    static func listWithMoreString(_ list: [String], more: Bool, count: Int, max: Int) -> String {
        let ret = list.joined(separator: ",")
        if more { return "\(ret) + \(count - max) more..." }
        return ret.isEmpty ? "<unset>" : ret
    }

    static func endpointSliceCells(_ slice: JSONValue, now: Date) -> [JSONValue] {
        let max = 3
        var ports: [String] = []
        var morePorts = false
        var portCount = 0
        for p in array(slice, "ports") {
            if ports.count < max {
                if let n = present(p, "port")?.intValue {
                    ports.append(String(n))
                } else if let name = present(p, "name")?.stringValue {
                    ports.append(name)
                } else {
                    ports.append("*")
                }
            } else if ports.count == max {
                morePorts = true
            }
            portCount += 1
        }
        var addrs: [String] = []
        var moreAddrs = false
        var addrCount = 0
        for e in array(slice, "endpoints") {
            for a in array(e, "addresses") {
                if addrs.count < max {
                    addrs.append(a.stringValue ?? "")
                } else if addrs.count == max {
                    moreAddrs = true
                }
                addrCount += 1
            }
        }
        return [
            name(slice), .string(str(slice, "addressType")),
            .string(listWithMoreString(ports, more: morePorts, count: portCount, max: max)),
            .string(listWithMoreString(addrs, more: moreAddrs, count: addrCount, max: max)),
            ageCell(slice, now),
        ]
    }

    static func endpointsCells(_ ep: JSONValue, now: Date) -> [JSONValue] {
        [name(ep), .string(formatEndpoints(ep)), ageCell(ep, now)]
    }

    // MARK: Event

    static func eventCells(_ ev: JSONValue, now: Date) -> [JSONValue] {
        var firstTimestamp = age(of: ev["firstTimestamp"], now: now)
        if TableTimestamp(ev["firstTimestamp"]) == nil {
            firstTimestamp = age(of: ev["eventTime"], now: now)
        }
        var lastTimestamp = age(of: ev["lastTimestamp"], now: now)
        if TableTimestamp(ev["lastTimestamp"]) == nil { lastTimestamp = firstTimestamp }

        var count = int(ev, "count")
        if let series = present(ev, "series") {
            lastTimestamp = age(of: series["lastObservedTime"], now: now)
            count = int(series, "count")
        } else if count == 0 {
            count = 1  // singleton events don't have a count set in the new API
        }

        let kind = str(ev, "involvedObject", "kind").lowercased()
        let objName = str(ev, "involvedObject", "name")
        let target = objName.isEmpty ? kind : "\(kind)/\(objName)"

        let component = str(ev, "source", "component")
        let host = str(ev, "source", "host")
        let sourceComponent = component.isEmpty ? str(ev, "reportingComponent") : component
        let sourceInstance = host.isEmpty ? str(ev, "reportingInstance") : host
        let source = sourceInstance.isEmpty ? sourceComponent : "\(sourceComponent), \(sourceInstance)"

        return [
            .string(lastTimestamp), .string(str(ev, "type")), .string(str(ev, "reason")), .string(target),
            .string(str(ev, "involvedObject", "fieldPath")), .string(source),
            .string(str(ev, "message").trimmingCharacters(in: .whitespacesAndNewlines)),
            .string(firstTimestamp), .int(count), name(ev),
        ]
    }

    // MARK: Deployment, ReplicaSet

    static func deploymentCells(_ d: JSONValue, now: Date) -> [JSONValue] {
        let desired = d[path: ["spec", "replicas"]]?.intValue ?? 1  // defaulted to 1
        let ready = int(d, "status", "readyReplicas")
        let (names, images) = containerCells(d[path: ["spec", "template"]])
        let selector: String
        if let q = try? LabelSelectorQuery.fromLabelSelector(d[path: ["spec", "selector"]]) {
            selector = q.description
        } else {
            selector = "<invalid>"
        }
        return [
            name(d), .string("\(ready)/\(desired)"), .int(int(d, "status", "updatedReplicas")),
            .int(int(d, "status", "availableReplicas")), ageCell(d, now), names, images, .string(selector),
        ]
    }

    static func replicaSetCells(_ rs: JSONValue, now: Date) -> [JSONValue] {
        let desired = rs[path: ["spec", "replicas"]]?.intValue ?? 1  // defaulted to 1
        let (names, images) = containerCells(rs[path: ["spec", "template"]])
        return [
            name(rs), .int(desired), .int(int(rs, "status", "replicas")), .int(int(rs, "status", "readyReplicas")),
            ageCell(rs, now), names, images,
            .string(LabelSelectorQuery.formatLabelSelector(rs[path: ["spec", "selector"]])),
        ]
    }

    // MARK: default

    /// The default table convertor: name and creationTimestamp in UTC RFC 3339.
    static func defaultCells(_ o: JSONValue) -> [JSONValue] {
        let created = timestamp(o[path: ["metadata", "creationTimestamp"]])
        return [name(o), .string(created.rfc3339)]
    }
}

/// Go's bytewise string ordering (sets.String.List()).
private func goStringLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
