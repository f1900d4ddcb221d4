import KubeAPI

/// Field validation as upstream's pkg/apis/*/validation, for what clients most often get
/// wrong: names, labels, required fields, ranges, immutability.
enum Validation {
    static func validate(_ object: JSONValue, old: JSONValue?, kind: String, namespaced: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty {
            errors.append(.required("metadata.name", "name or generateName is required"))
        } else {
            for message in ObjectMetaRules.nameErrors(kind: kind, name: name) {
                errors.append(.invalid("metadata.name", .string(name), message))
            }
        }
        errors += ObjectMetaRules.labelErrors(object[path: ["metadata", "labels"]], field: "metadata.labels")
        switch kind {
        case "Pod":
            errors += podSpec(object["spec"], field: "spec")
            if let old {
                // Only a few pod fields may change after creation.
                var a = object["spec"] ?? .emptyObject, b = old["spec"] ?? .emptyObject
                for mutable in ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds", "schedulingGates", "nodeName"] {
                    a.removeValue(forKey: mutable)
                    b.removeValue(forKey: mutable)
                }
                if var ca = a["containers"]?.arrayValue, var cb = b["containers"]?.arrayValue, ca.count == cb.count {
                    for i in ca.indices { ca[i].removeValue(forKey: "image"); cb[i].removeValue(forKey: "image") }
                    a["containers"] = .array(ca)
                    b["containers"] = .array(cb)
                }
                if a != b {
                    errors.append(.forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"))
                }
            }
        case "Deployment", "ReplicaSet":
            errors += workload(object, old: old)
        case "Service":
            errors += service(object, old: old)
        case "ConfigMap", "Secret":
            if let old, old["immutable"]?.boolValue == true {
                for field in ["data", "binaryData", "stringData"] where object[field] != old[field] {
                    errors.append(.forbidden(field, "field is immutable when `immutable` is set"))
                }
                if object["immutable"] != old["immutable"] {
                    errors.append(.forbidden("immutable", "field is immutable when `immutable` is set"))
                }
            }
            if kind == "Secret", let old, object["type"] != old["type"] {
                errors.append(.invalid("type", object["type"] ?? "", "field is immutable"))
            }
        default:
            break
        }
        return errors
    }

    static func podSpec(_ spec: JSONValue?, field: String) -> [FieldError] {
        var errors: [FieldError] = []
        guard let spec else { return [.required("\(field).containers")] }
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty { errors.append(.required("\(field).containers")) }
        var names: Set<String> = []
        for (list, items) in [("containers", containers), ("initContainers", spec["initContainers"]?.arrayValue ?? [])] {
            for (i, c) in items.enumerated() {
                let path = "\(field).\(list)[\(i)]"
                let name = c["name"]?.stringValue ?? ""
                if name.isEmpty {
                    errors.append(.required("\(path).name"))
                } else {
                    for m in ObjectMetaRules.dns1123LabelErrors(name) { errors.append(.invalid("\(path).name", .string(name), m)) }
                    if !names.insert(name).inserted { errors.append(.duplicate("\(path).name", .string(name))) }
                }
                if (c["image"]?.stringValue ?? "").isEmpty { errors.append(.required("\(path).image")) }
                for (j, p) in (c["ports"]?.arrayValue ?? []).enumerated() {
                    let port = p["containerPort"]?.intValue ?? 0
                    if !(1...65535).contains(port) {
                        errors.append(.invalid("\(path).ports[\(j)].containerPort", .int(port), "must be between 1 and 65535, inclusive"))
                    }
                }
            }
        }
        if let policy = spec["restartPolicy"]?.stringValue, !["Always", "OnFailure", "Never"].contains(policy) {
            errors.append(.notSupported("\(field).restartPolicy", .string(policy), ["Always", "OnFailure", "Never"]))
        }
        return errors
    }

    static func workload(_ object: JSONValue, old: JSONValue?) -> [FieldError] {
        var errors: [FieldError] = []
        let selector = object[path: ["spec", "selector"]]
        if selector == nil || selector == .emptyObject {
            errors.append(.required("spec.selector"))
        } else if let query = try? LabelSelectorQuery.fromLabelSelector(selector) {
            let labels = (object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            if !query.matches(labels) {
                errors.append(.invalid("spec.template.metadata.labels", object[path: ["spec", "template", "metadata", "labels"]] ?? .emptyObject,
                                       "`selector` does not match template `labels`"))
            }
        } else {
            errors.append(.invalid("spec.selector", selector ?? .null, "invalid label selector"))
        }
        if let replicas = object[path: ["spec", "replicas"]]?.intValue, replicas < 0 {
            errors.append(.invalid("spec.replicas", .int(replicas), "must be greater than or equal to 0"))
        }
        errors += podSpec(object[path: ["spec", "template", "spec"]], field: "spec.template.spec")
        if let old, old[path: ["spec", "selector"]] != selector {
            errors.append(.invalid("spec.selector", selector ?? .null, "field is immutable"))
        }
        return errors
    }

    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]

    static func service(_ object: JSONValue, old: JSONValue?) -> [FieldError] {
        var errors: [FieldError] = []
        let type = object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        if !serviceTypes.contains(type) {
            errors.append(.notSupported("spec.type", .string(type), serviceTypes))
        }
        let ports = object[path: ["spec", "ports"]]?.arrayValue ?? []
        let headless = object[path: ["spec", "clusterIP"]]?.stringValue == "None"
        if ports.isEmpty, type != "ExternalName", !headless {
            errors.append(.required("spec.ports"))
        }
        var seen: Set<String> = []
        for (i, p) in ports.enumerated() {
            let port = p["port"]?.intValue ?? 0
            if !(1...65535).contains(port) {
                errors.append(.invalid("spec.ports[\(i)].port", .int(port), "must be between 1 and 65535, inclusive"))
            }
            let proto = p["protocol"]?.stringValue ?? "TCP"
            if !["TCP", "UDP", "SCTP"].contains(proto) {
                errors.append(.notSupported("spec.ports[\(i)].protocol", .string(proto), ["SCTP", "TCP", "UDP"]))
            }
            if ports.count > 1, (p["name"]?.stringValue ?? "").isEmpty {
                errors.append(.required("spec.ports[\(i)].name"))
            }
            if !seen.insert("\(port)/\(proto)").inserted {
                errors.append(.duplicate("spec.ports[\(i)]", p))
            }
            if let np = p["nodePort"]?.intValue, np != 0, type == "ClusterIP" {
                errors.append(.forbidden("spec.ports[\(i)].nodePort", "may not be used when `type` is 'ClusterIP'"))
            }
        }
        if type == "ExternalName", (object[path: ["spec", "externalName"]]?.stringValue ?? "").isEmpty {
            errors.append(.required("spec.externalName"))
        }
        if let policy = object[path: ["spec", "sessionAffinity"]]?.stringValue, !["None", "ClientIP"].contains(policy) {
            errors.append(.notSupported("spec.sessionAffinity", .string(policy), ["ClientIP", "None"]))
        }
        if let old, type != "ExternalName", old[path: ["spec", "type"]]?.stringValue != "ExternalName" {
            // The primary address is immutable; a second family's may come and go with the
            // ipFamilyPolicy (upstream's dual-stack upgrade and downgrade).
            let before = old[path: ["spec", "clusterIPs"]]?.arrayValue?.first
            let after = object[path: ["spec", "clusterIPs"]]?.arrayValue?.first
            if let before, before != after {
                errors.append(.invalid("spec.clusterIPs[0]", after ?? .null, "may not change once set"))
            }
        }
        return errors
    }
}
