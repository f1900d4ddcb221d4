import KubeAPI

/// Upstream's defaulting (pkg/apis/*/v1/defaults.go) for the kinds served, over JSON.
enum Defaults {
    static func apply(_ object: inout JSONValue, kind: String) {
        switch kind {
        case "Pod":
            if var spec = object["spec"] {
                podSpec(&spec)
                object["spec"] = spec
            }
        case "Deployment":
            setIfAbsent(&object, ["spec", "replicas"], .int(1))
            if object[path: ["spec", "strategy", "type"]] == nil {
                object[path: ["spec", "strategy", "type"]] = "RollingUpdate"
            }
            if object[path: ["spec", "strategy", "type"]]?.stringValue == "RollingUpdate" {
                setIfAbsent(&object, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
                setIfAbsent(&object, ["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
            }
            setIfAbsent(&object, ["spec", "revisionHistoryLimit"], .int(10))
            setIfAbsent(&object, ["spec", "progressDeadlineSeconds"], .int(600))
            podTemplate(&object)
        case "ReplicaSet":
            setIfAbsent(&object, ["spec", "replicas"], .int(1))
            podTemplate(&object)
        case "Service":
            service(&object)
        case "Namespace":
            setIfAbsent(&object, ["spec", "finalizers"], ["kubernetes"])
            setIfAbsent(&object, ["status", "phase"], "Active")
            if let name = object[path: ["metadata", "name"]]?.stringValue {
                object[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(name)
            }
        case "Secret":
            setIfAbsent(&object, ["type"], "Opaque")
        case "EndpointSlice":
            if var ports = object["ports"]?.arrayValue {
                for i in ports.indices where ports[i]["protocol"] == nil { ports[i]["protocol"] = "TCP" }
                object["ports"] = .array(ports)
            }
        case "Endpoints":
            if var subsets = object["subsets"]?.arrayValue {
                for i in subsets.indices {
                    if var ports = subsets[i]["ports"]?.arrayValue {
                        for j in ports.indices where ports[j]["protocol"] == nil { ports[j]["protocol"] = "TCP" }
                        subsets[i]["ports"] = .array(ports)
                    }
                }
                object["subsets"] = .array(subsets)
            }
        default:
            break
        }
    }

    static func setIfAbsent(_ object: inout JSONValue, _ path: [String], _ value: JSONValue) {
        if object[path: path] == nil || object[path: path] == .null { object[path: path] = value }
    }

    private static func podTemplate(_ object: inout JSONValue) {
        if var spec = object[path: ["spec", "template", "spec"]] {
            podSpec(&spec)
            object[path: ["spec", "template", "spec"]] = spec
        }
    }

    static func podSpec(_ spec: inout JSONValue) {
        setIfAbsent(&spec, ["restartPolicy"], "Always")
        setIfAbsent(&spec, ["terminationGracePeriodSeconds"], .int(30))
        setIfAbsent(&spec, ["dnsPolicy"], "ClusterFirst")
        setIfAbsent(&spec, ["schedulerName"], "default-scheduler")
        setIfAbsent(&spec, ["securityContext"], .emptyObject)
        setIfAbsent(&spec, ["enableServiceLinks"], true)
        for field in ["containers", "initContainers"] {
            guard var containers = spec[field]?.arrayValue else { continue }
            for i in containers.indices { container(&containers[i]) }
            spec[field] = .array(containers)
        }
        if var volumes = spec["volumes"]?.arrayValue {
            for i in volumes.indices {
                for source in ["configMap", "secret"] where volumes[i][source] != nil {
                    setIfAbsent(&volumes[i], [source, "defaultMode"], .int(420))
                }
            }
            spec["volumes"] = .array(volumes)
        }
    }

    static func container(_ c: inout JSONValue) {
        setIfAbsent(&c, ["terminationMessagePath"], "/dev/termination-log")
        setIfAbsent(&c, ["terminationMessagePolicy"], "File")
        setIfAbsent(&c, ["resources"], .emptyObject)
        if c["imagePullPolicy"] == nil {
            let image = c["image"]?.stringValue ?? ""
            let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
            let hasDigest = image.contains("@")
            let tag = lastComponent.split(separator: ":").dropFirst().first.map(String.init)
            c["imagePullPolicy"] = (!hasDigest && (tag == nil || tag == "latest")) ? "Always" : "IfNotPresent"
        }
        if var ports = c["ports"]?.arrayValue {
            for i in ports.indices where ports[i]["protocol"] == nil { ports[i]["protocol"] = "TCP" }
            c["ports"] = .array(ports)
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] where c[probe] != nil {
            setIfAbsent(&c, [probe, "timeoutSeconds"], .int(1))
            setIfAbsent(&c, [probe, "periodSeconds"], .int(10))
            setIfAbsent(&c, [probe, "successThreshold"], .int(1))
            setIfAbsent(&c, [probe, "failureThreshold"], .int(3))
            if c[path: [probe, "httpGet"]] != nil { setIfAbsent(&c, [probe, "httpGet", "scheme"], "HTTP") }
        }
    }

    static func service(_ object: inout JSONValue) {
        setIfAbsent(&object, ["spec", "type"], "ClusterIP")
        setIfAbsent(&object, ["spec", "sessionAffinity"], "None")
        let type = object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        if object[path: ["spec", "sessionAffinity"]]?.stringValue == "ClientIP" {
            setIfAbsent(&object, ["spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"], .int(10800))
        }
        if var ports = object[path: ["spec", "ports"]]?.arrayValue {
            for i in ports.indices {
                if ports[i]["protocol"] == nil { ports[i]["protocol"] = "TCP" }
                // Unset, 0 and "" all mean "the same as port", as upstream defaults it.
                let target = ports[i]["targetPort"]
                if target == nil || target == .int(0) || target == .string(""), let port = ports[i]["port"] {
                    ports[i]["targetPort"] = port
                }
            }
            object[path: ["spec", "ports"]] = .array(ports)
        }
        if type != "ExternalName" {
            setIfAbsent(&object, ["spec", "internalTrafficPolicy"], "Cluster")
        }
        if type == "NodePort" || type == "LoadBalancer" {
            setIfAbsent(&object, ["spec", "externalTrafficPolicy"], "Cluster")
        }
        if type == "LoadBalancer" {
            setIfAbsent(&object, ["spec", "allocateLoadBalancerNodePorts"], true)
        }
    }
}
