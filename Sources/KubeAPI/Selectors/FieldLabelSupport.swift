/// The field labels a kind accepts in field selectors, and the values an object offers for
/// them, as upstream registers them (pkg/apis/core/v1/conversion.go field label conversion
/// functions and the registries' ToSelectableFields) for the kinds Skiff serves.
///
/// Kinds with their own conversion reject an unknown label with
/// `field label not supported: <label>`; the others (Deployment, ReplicaSet, ConfigMap,
/// Endpoints, EndpointSlice, Lease, …) use runtime.DefaultMetaV1FieldSelectorConversion,
/// which accepts only `metadata.name` and `metadata.namespace` and says
/// `"<label>" is not a known field selector: only "metadata.name", "metadata.namespace"`.
public struct FieldLabelSupport: Hashable, Sendable {
    public let kind: String
    /// Labels accepted as written.
    public let labels: Set<String>
    /// Old labels accepted and rewritten (Pod `spec.host` → `spec.nodeName`).
    public let aliases: [String: String]
    /// True for kinds without their own conversion (the default metadata-only one).
    public let isDefault: Bool

    public init(kind: String, labels: Set<String>, aliases: [String: String] = [:], isDefault: Bool = false) {
        self.kind = kind
        self.labels = labels
        self.aliases = aliases
        self.isDefault = isDefault
    }

    /// The conversion for a kind (by its `kind` name, core/v1, apps/v1, discovery.k8s.io/v1,
    /// coordination.k8s.io/v1).
    public static func upstream(kind: String) -> FieldLabelSupport {
        switch kind {
        case "Pod":
            return FieldLabelSupport(kind: kind, labels: [
                "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
                "status.nominatedNodeName",
            ], aliases: ["spec.host": "spec.nodeName"])
        case "Node":
            return FieldLabelSupport(kind: kind, labels: ["metadata.name", "spec.unschedulable"])
        case "ReplicationController":
            return FieldLabelSupport(kind: kind, labels: ["metadata.name", "metadata.namespace", "status.replicas"])
        case "Event":
            return FieldLabelSupport(kind: kind, labels: [
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type", "metadata.namespace", "metadata.name",
            ])
        case "Namespace":
            return FieldLabelSupport(kind: kind, labels: ["status.phase", "metadata.name"])
        case "Secret":
            return FieldLabelSupport(kind: kind, labels: ["type", "metadata.namespace", "metadata.name"])
        case "Service":
            return FieldLabelSupport(kind: kind, labels: ["metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"])
        default:
            return FieldLabelSupport(kind: kind, labels: ["metadata.name", "metadata.namespace"], isDefault: true)
        }
    }

    /// The label to match on, or the upstream error for an unsupported one.
    public func convert(_ label: String) throws -> String {
        if labels.contains(label) { return label }
        if let target = aliases[label] { return target }
        if isDefault {
            throw SelectorQueryError(
                "\(SelectorGoFormat.quote(label)) is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
        }
        throw SelectorQueryError("field label not supported: \(label)")
    }

    /// The selectable fields of an object of this kind (the registry's ToSelectableFields):
    /// what `FieldSelectorQuery.matches(fields:)` should read.
    public func selectableFields(of object: JSONValue) -> [String: String] {
        FieldLabelSupport.selectableFields(kind: kind, object: object)
    }

    /// The selectable fields of an object given as JSON, by kind.
    public static func selectableFields(kind: String, object: JSONValue) -> [String: String] {
        func str(_ path: String...) -> String { object[path: path]?.stringValue ?? "" }
        func bool(_ path: String...) -> String { (object[path: path]?.boolValue ?? false) ? "true" : "false" }

        var f: [String: String] = [
            "metadata.name": str("metadata", "name"),
            "metadata.namespace": str("metadata", "namespace"),
        ]
        switch kind {
        case "Pod":
            f["spec.nodeName"] = str("spec", "nodeName")
            f["spec.restartPolicy"] = str("spec", "restartPolicy")
            f["spec.schedulerName"] = str("spec", "schedulerName")
            f["spec.serviceAccountName"] = str("spec", "serviceAccountName")
            f["spec.hostNetwork"] = bool("spec", "hostNetwork")
            f["status.phase"] = str("status", "phase")
            var podIP = object[path: ["status", "podIPs"]]?.arrayValue?.first?["ip"]?.stringValue ?? ""
            if podIP.isEmpty { podIP = str("status", "podIP") }
            f["status.podIP"] = podIP
            f["status.nominatedNodeName"] = str("status", "nominatedNodeName")
        case "Node":
            f["spec.unschedulable"] = bool("spec", "unschedulable")
        case "Event":
            f["involvedObject.kind"] = str("involvedObject", "kind")
            f["involvedObject.namespace"] = str("involvedObject", "namespace")
            f["involvedObject.name"] = str("involvedObject", "name")
            f["involvedObject.uid"] = str("involvedObject", "uid")
            f["involvedObject.apiVersion"] = str("involvedObject", "apiVersion")
            f["involvedObject.resourceVersion"] = str("involvedObject", "resourceVersion")
            f["involvedObject.fieldPath"] = str("involvedObject", "fieldPath")
            f["reason"] = str("reason")
            f["reportingComponent"] = str("reportingComponent")
            let component = str("source", "component")
            f["source"] = component.isEmpty ? str("reportingComponent") : component
            f["type"] = str("type")
        case "Namespace":
            f["status.phase"] = str("status", "phase")
        case "Secret":
            f["type"] = str("type")
        case "Service":
            f["spec.clusterIP"] = str("spec", "clusterIP")
            f["spec.type"] = str("spec", "type")
        case "ReplicaSet", "ReplicationController":
            f["status.replicas"] = String(object[path: ["status", "replicas"]]?.intValue ?? 0)
        default:
            break
        }
        return f
    }
}
