import Foundation
import KubeAPI

/// Per-kind behaviour around writes: what upstream spreads over registry strategies
/// (PrepareForCreate/Update, generation), admission plugins (NamespaceLifecycle,
/// DefaultTolerationSeconds, service IP/port allocation) and graceful deletion.
struct Admission: Sendable {
    let store: any Store
    let registry: ResourceRegistry
    let allocators: ServiceAllocators

    func checkNamespaceAcceptsCreates(_ namespace: String) async throws {
        guard let ns = registry.lookup(kind: "Namespace"),
              let stored = try await store.get(ns.key(namespace: nil, name: namespace)) else {
            throw APIError.notFound(ResourceName(group: "", resource: "namespaces", name: namespace))
        }
        let object = try JSONParser.parse(stored.value)
        if object[path: ["metadata", "deletionTimestamp"]] != nil {
            throw APIError(code: 403, reason: "Forbidden",
                           message: "unable to create new content in namespace \(namespace) because it is being terminated",
                           details: ["name": .string(namespace), "kind": "namespaces",
                                     "causes": [["reason": "NamespaceTerminating", "message": .string("namespace \(namespace) is being terminated"),
                                                 "field": "metadata.namespace"]]])
        }
    }

    func admitCreate(_ object: inout JSONValue, def: ResourceDefinition) async throws -> AllocationRecord {
        let record = AllocationRecord(allocators)
        if def.hasStatus, def.kind != "Node", def.kind != "Namespace" {
            object.removeValue(forKey: "status")
        }
        Defaults.apply(&object, kind: def.kind)
        switch def.kind {
        case "Pod":
            object["status"] = ["phase": "Pending", "qosClass": .string(Self.qosClass(object["spec"]))]
            addDefaultTolerations(&object)
        case "Service":
            do { try await allocate(&object, old: nil, record: record) } catch {
                await record.release()  // what it took before failing
                throw error
            }
        default:
            break
        }
        return record
    }

    func prepareUpdate(new input: JSONValue, old: JSONValue, def: ResourceDefinition, subresource: String?) throws -> JSONValue {
        var new = input
        var meta = new["metadata"] ?? .emptyObject
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            meta[field] = old[path: ["metadata", field]]
        }
        meta["resourceVersion"] = old[path: ["metadata", "resourceVersion"]]
        new["metadata"] = meta
        if def.hasStatus {
            switch subresource {
            case "status":
                // The status subresource changes status only (and metadata that controllers own).
                var kept = old
                kept["status"] = new["status"]
                kept[path: ["metadata", "managedFields"]] = new[path: ["metadata", "managedFields"]]
                new = kept
            case nil:
                new["status"] = old["status"]
            default:
                break
            }
        }
        // A pod's node is set once, by the binding subresource (the scheduler).
        if def.kind == "Pod", subresource != "binding",
           (new[path: ["spec", "nodeName"]]?.stringValue ?? "") != (old[path: ["spec", "nodeName"]]?.stringValue ?? "") {
            throw APIError.invalid(kind: "Pod", group: "", name: old[path: ["metadata", "name"]]?.stringValue ?? "",
                                   causes: [.forbidden("spec.nodeName", "may only be set through the binding subresource")])
        }
        // Deleting objects may only lose finalizers, not gain them.
        if old[path: ["metadata", "deletionTimestamp"]] != nil {
            let before = Set((old[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue))
            let after = Set((new[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue))
            if !after.isSubset(of: before) {
                throw APIError.forbidden(ResourceName(group: def.group, resource: def.plural, name: old[path: ["metadata", "name"]]?.stringValue),
                                         "no new finalizers can be added if the object is being deleted, found new finalizers \(after.subtracting(before).sorted())")
            }
        }
        Defaults.apply(&new, kind: def.kind)
        if def.kind == "Pod" { addDefaultTolerations(&new) }
        // generation counts changes of everything but metadata and status.
        var a = new, b = old
        a.removeValue(forKey: "metadata"); a.removeValue(forKey: "status")
        b.removeValue(forKey: "metadata"); b.removeValue(forKey: "status")
        if a != b, def.kind != "Pod" {
            let generation = old[path: ["metadata", "generation"]]?.intValue ?? 1
            new[path: ["metadata", "generation"]] = .int(generation + 1)
        }
        return new
    }

    func admitUpdate(_ new: inout JSONValue, old: JSONValue, def: ResourceDefinition) async throws -> AllocationRecord {
        let record = AllocationRecord(allocators)
        if def.kind == "Service" {
            do { try await allocate(&new, old: old, record: record) } catch {
                await record.release()
                throw error
            }
        }
        return record
    }

    func validate(_ object: JSONValue, old: JSONValue?, def: ResourceDefinition) throws {
        let errors = Validation.validate(object, old: old, kind: def.kind, namespaced: def.namespaced)
        if !errors.isEmpty {
            throw APIError.invalid(kind: def.kind, group: def.group, name: object[path: ["metadata", "name"]]?.stringValue ?? "",
                                   causes: errors)
        }
    }

    /// Marks the object for deletion and says whether it must stay for now (finalizers,
    /// or a Pod whose node has to confirm that its containers are gone).
    func prepareDelete(_ object: inout JSONValue, def: ResourceDefinition, gracePeriod: Int64?, propagation: String? = nil) -> Bool {
        let now = ObjectMetaRules.timestamp()
        Self.applyPropagation(&object, def: def, propagation: propagation)
        let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        if def.kind == "Namespace" {
            if object[path: ["metadata", "deletionTimestamp"]] == nil {
                object[path: ["metadata", "deletionTimestamp"]] = .string(now)
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
            }
            object[path: ["status", "phase"]] = "Terminating"
            return true
        }
        if def.kind == "Pod" {
            // Graceful deletion as upstream: a pod running on a node gets its grace period
            // (a later delete may only shorten it); the node's delete with grace 0 confirms.
            // Unscheduled and finished pods have nothing to wait for.
            let scheduled = !(object[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty
            let phase = object[path: ["status", "phase"]]?.stringValue
            let requested = gracePeriod ?? object[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
            let grace = (scheduled && phase != "Succeeded" && phase != "Failed") ? min(max(requested, 0), 10 * 365 * 86_400) : 0
            let existing = object[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue
            if existing == nil || grace < existing! {
                object[path: ["metadata", "deletionTimestamp"]] = .string(ObjectMetaRules.timestamp(Date().addingTimeInterval(Double(grace))))
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
            }
            return (object[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0) > 0 || !finalizers.isEmpty
        }
        if !finalizers.isEmpty {
            if object[path: ["metadata", "deletionTimestamp"]] == nil {
                object[path: ["metadata", "deletionTimestamp"]] = .string(now)
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
            }
            return true
        }
        return false
    }

    static let orphanFinalizer = "orphan"
    static let foregroundFinalizer = "foregroundDeletion"
    /// The kinds the garbage collector follows as owners; only they get the propagation
    /// finalizers, which nothing would ever remove from other kinds.
    static let collectedOwnerKinds: Set<String> = ["Pod", "ReplicaSet", "Deployment", "Service", "Node"]

    /// Orphan and Foreground deletion as upstream: a finalizer the garbage collector removes
    /// once it has released (Orphan) or deleted (Foreground) the dependents; Background
    /// takes either away again.
    static func applyPropagation(_ object: inout JSONValue, def: ResourceDefinition, propagation: String?) {
        guard let propagation, collectedOwnerKinds.contains(def.kind) else { return }
        var finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        let before = finalizers
        finalizers.removeAll { $0 == .string(orphanFinalizer) || $0 == .string(foregroundFinalizer) }
        switch propagation {
        case "Orphan": finalizers.append(.string(orphanFinalizer))
        case "Foreground": finalizers.append(.string(foregroundFinalizer))
        default: break
        }
        guard finalizers != before else { return }
        object[path: ["metadata", "finalizers"]] = finalizers.isEmpty ? nil : .array(finalizers)
    }

    /// A Pod on a node stays, once marked, until the node confirms with a zero grace delete.
    func waitsForNode(_ object: JSONValue, def: ResourceDefinition) -> Bool {
        def.kind == "Pod" && !(object[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty
            && (object[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0) > 0
    }

    /// The object is gone from the store: give back what it held.
    func released(_ object: JSONValue, def: ResourceDefinition) async {
        guard def.kind == "Service" else { return }
        for ip in ServiceAllocators.clusterIPs(of: object) { await allocators.releaseIP(ip) }
        for port in ServiceAllocators.nodePorts(of: object) { await allocators.releasePort(port) }
    }

    // MARK: - Service allocation

    /// ClusterIPs: none for ExternalName; "None" for headless; otherwise one per IP family
    /// (`ServiceIPFamilies`), the requested ones when given, kept on update (the primary may
    /// not change; a policy raised to dual-stack gets the second family's address, one lowered
    /// to SingleStack gives it back once the client drops it).
    private func allocateClusterIPs(_ service: inout JSONValue, old: JSONValue?, type: String, record: AllocationRecord,
                                    invalid: (String, JSONValue, String) -> APIError) async throws {
        let oldIPs = old.map(ServiceAllocators.clusterIPs(of:)) ?? []
        if type == "ExternalName" {
            for ip in oldIPs { record.toRelease(ip: ip) }
            for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
                service[path: ["spec"]]?.removeValue(forKey: field)
            }
            return
        }
        func strings(_ value: JSONValue?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }
        let oldSpec = old?["spec"]
        let wasExternalName = oldSpec?["type"]?.stringValue == "ExternalName"
        if let oldSpec, !wasExternalName {
            // Upstream's update preparation: what a client sends back without the allocated
            // values (a PUT of the manifest) keeps them and the families and policy they were
            // made for; a policy lowered to SingleStack with the rest unchanged drops the
            // second family itself (the documented downgrade sets only the policy).
            if (service[path: ["spec", "clusterIP"]]?.stringValue ?? "").isEmpty
                && strings(service[path: ["spec", "clusterIPs"]]).isEmpty {
                for field in ["clusterIP", "clusterIPs"] { service[path: ["spec", field]] = oldSpec[field] }
            }
            for field in ["ipFamilyPolicy", "ipFamilies"] where service[path: ["spec", field]] == nil {
                service[path: ["spec", field]] = oldSpec[field]
            }
            if service[path: ["spec", "ipFamilyPolicy"]]?.stringValue == "SingleStack" {
                for field in ["clusterIPs", "ipFamilies"] {
                    let now = strings(service[path: ["spec", field]])
                    if now.count == 2, now == strings(oldSpec[field]) { service[path: ["spec", field]] = .array([.string(now[0])]) }
                }
            }
        }
        let clusterIP = service[path: ["spec", "clusterIP"]]?.stringValue ?? ""
        var requested = strings(service[path: ["spec", "clusterIPs"]]).filter { !$0.isEmpty }
        if clusterIP.isEmpty && !requested.isEmpty {
            throw invalid("spec.clusterIPs", .array(requested.map { .string($0) }), "must be empty when `clusterIP` is not specified")
        }
        if requested.isEmpty && !clusterIP.isEmpty { requested = [clusterIP] }
        if let first = requested.first, first != clusterIP {
            throw invalid("spec.clusterIPs", .array(requested.map { .string($0) }), "first value must match `clusterIP`")
        }
        let headless = clusterIP == "None"
        if let oldSpec, !wasExternalName {
            let before = strings(oldSpec["clusterIPs"])
            if let first = before.first, first != requested.first {
                throw invalid("spec.clusterIPs[0]", .string(requested.first ?? ""), "may not change once set")
            }
            let policy = service[path: ["spec", "ipFamilyPolicy"]]?.stringValue ?? "SingleStack"
            if before.count == 2, requested.count == 2, before[1] != requested[1] {
                throw invalid("spec.clusterIPs[1]", .string(requested[1]), "may not change once set")
            }
            if before.count == 2, requested.count < 2, policy != "SingleStack" {
                throw invalid("spec.ipFamilyPolicy", .string(policy), "must be 'SingleStack' to release the secondary cluster IP")
            }
            let oldFamilies = strings(oldSpec["ipFamilies"])
            let newFamilies = strings(service[path: ["spec", "ipFamilies"]])
            if oldFamilies.count == 2, newFamilies.count == 1, policy != "SingleStack" {
                throw invalid("spec.ipFamilyPolicy", .string(policy), "must be 'SingleStack' to release the secondary IP family")
            }
            if let first = oldFamilies.first, let now = newFamilies.first, first != now {
                throw invalid("spec.ipFamilies[0]", .string(now), "may not change once set")
            }
            // A PreferDualStack Service whose addresses and families the update leaves alone
            // is not re-evaluated (a label change must not add or drop a family because the
            // cluster's stacks changed since).
            if policy == "PreferDualStack", oldSpec["ipFamilyPolicy"]?.stringValue == "PreferDualStack",
               requested == before, newFamilies == oldFamilies {
                return
            }
        }
        let families: ServiceIPFamilies
        do {
            families = try ServiceIPFamilies(spec: service["spec"], requestedIPs: headless ? [] : requested, allocators: allocators,
                                             selectorlessHeadless: headless && (service[path: ["spec", "selector"]]?.objectValue ?? [:]).isEmpty)
        } catch let error as ServiceIPFamilies.Invalid {
            throw APIError.invalid(kind: "Service", group: "", name: service[path: ["metadata", "name"]]?.stringValue ?? "",
                                   causes: error.causes)
        }
        service[path: ["spec", "ipFamilyPolicy"]] = .string(families.policy)
        service[path: ["spec", "ipFamilies"]] = families.apiFamilies
        if headless {
            for ip in oldIPs { record.toRelease(ip: ip) }
            service[path: ["spec", "clusterIP"]] = "None"
            service[path: ["spec", "clusterIPs"]] = ["None"]
            return
        }
        var ips: [String] = []
        for (i, family) in families.families.enumerated() {
            let wanted = i < requested.count ? requested[i] : nil
            if let wanted, oldIPs.contains(wanted) {
                ips.append(wanted)
                continue
            }
            do {
                let ip = try await allocators.allocateIP(wanted, family: family)
                record.allocated(ip: ip)
                ips.append(ip)
            } catch ServiceAllocators.AllocationError.invalid(let why), ServiceAllocators.AllocationError.taken(let why) {
                throw invalid("spec.clusterIPs", .array(requested.map { .string($0) }), "failed to allocate IP \(wanted ?? ""): \(why)")
            } catch let error as StoreError {
                throw error
            } catch {
                throw APIError.internalError("failed to allocate a serviceIP: range is full")
            }
        }
        for ip in oldIPs where !ips.contains(ip) { record.toRelease(ip: ip) }
        service[path: ["spec", "clusterIP"]] = .string(ips[0])
        service[path: ["spec", "clusterIPs"]] = .array(ips.map { .string($0) })
    }

    private func allocate(_ service: inout JSONValue, old: JSONValue?, record: AllocationRecord) async throws {
        let name = service[path: ["metadata", "name"]]?.stringValue ?? ""
        let type = service[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> APIError {
            APIError.invalid(kind: "Service", group: "", name: name, causes: [.invalid(field, value, detail)])
        }
        try await allocateClusterIPs(&service, old: old, type: type, record: record, invalid: invalid)
        // NodePorts: for NodePort, and LoadBalancer unless allocateLoadBalancerNodePorts=false
        // (a LoadBalancer keeps the ones it has). One number may serve a port's TCP and UDP
        // entries within a Service, as upstream allows.
        let wantsNodePorts = type == "NodePort"
            || (type == "LoadBalancer" && service[path: ["spec", "allocateLoadBalancerNodePorts"]]?.boolValue != false)
        var oldPorts = Set(old.map(ServiceAllocators.nodePorts(of:)) ?? [])
        var usedHere: [Int: Set<String>] = [:]  // nodePort → protocols using it in this Service
        if var ports = service[path: ["spec", "ports"]]?.arrayValue {
            for i in ports.indices {
                let current = ports[i]["nodePort"]?.intValue.map(Int.init) ?? 0
                let proto = ports[i]["protocol"]?.stringValue ?? "TCP"
                if !wantsNodePorts {
                    if type == "LoadBalancer", current != 0 { oldPorts.remove(current) } else { ports[i].removeValue(forKey: "nodePort") }
                    continue
                }
                if current != 0, let protocols = usedHere[current] {
                    if protocols.contains(proto) {
                        throw APIError.invalid(kind: "Service", group: "", name: name, causes: [.duplicate("spec.ports[\(i)].nodePort", .int(Int64(current)))])
                    }
                    usedHere[current, default: []].insert(proto)
                    continue
                }
                if current != 0, oldPorts.remove(current) != nil {  // kept
                    usedHere[current, default: []].insert(proto)
                    continue
                }
                do {
                    let port = try await allocators.allocatePort(current == 0 ? nil : current)
                    record.allocated(port: port)
                    ports[i]["nodePort"] = .int(Int64(port))
                    usedHere[port, default: []].insert(proto)
                } catch ServiceAllocators.AllocationError.invalid(let why), ServiceAllocators.AllocationError.taken(let why) {
                    throw invalid("spec.ports[\(i)].nodePort", .int(Int64(current)), why)
                } catch let error as StoreError {
                    throw error
                } catch {
                    throw APIError.internalError("failed to allocate a nodePort: range is full")
                }
            }
            service[path: ["spec", "ports"]] = .array(ports)
        }
        // healthCheckNodePort: a LoadBalancer with externalTrafficPolicy Local gets one.
        let wantsHealthCheck = type == "LoadBalancer" && service[path: ["spec", "externalTrafficPolicy"]]?.stringValue == "Local"
        let healthCheck = service[path: ["spec", "healthCheckNodePort"]]?.intValue.map(Int.init) ?? 0
        if wantsHealthCheck {
            if healthCheck != 0, oldPorts.remove(healthCheck) != nil {
                // kept
            } else {
                do {
                    let port = try await allocators.allocatePort(healthCheck == 0 ? nil : healthCheck)
                    record.allocated(port: port)
                    service[path: ["spec", "healthCheckNodePort"]] = .int(Int64(port))
                } catch ServiceAllocators.AllocationError.invalid(let why), ServiceAllocators.AllocationError.taken(let why) {
                    throw invalid("spec.healthCheckNodePort", .int(Int64(healthCheck)), why)
                } catch let error as StoreError {
                    throw error
                } catch {
                    throw APIError.internalError("failed to allocate a nodePort: range is full")
                }
            }
        } else {
            service[path: ["spec"]]?.removeValue(forKey: "healthCheckNodePort")
        }
        for port in oldPorts { record.toRelease(port: port) }
    }

    // MARK: - Pods

    /// DefaultTolerationSeconds admission: tolerate not-ready/unreachable for 300 s.
    private func addDefaultTolerations(_ pod: inout JSONValue) {
        guard pod["spec"] != nil else { return }
        var tolerations = pod[path: ["spec", "tolerations"]]?.arrayValue ?? []
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            let present = tolerations.contains {
                ($0["key"]?.stringValue == key || ($0["key"] == nil && $0["operator"]?.stringValue == "Exists"))
                    && ($0["effect"] == nil || $0["effect"]?.stringValue == "NoExecute")
            }
            if !present {
                tolerations.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300])
            }
        }
        pod[path: ["spec", "tolerations"]] = .array(tolerations)
    }

    /// The pod's QoS class from its containers' requests and limits.
    static func qosClass(_ spec: JSONValue?) -> String {
        let containers = (spec?["containers"]?.arrayValue ?? []) + (spec?["initContainers"]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = true
        for c in containers {
            let requests = c[path: ["resources", "requests"]]?.objectValue ?? [:]
            let limits = c[path: ["resources", "limits"]]?.objectValue ?? [:]
            if !requests.isEmpty || !limits.isEmpty { anySet = true }
            for resource in ["cpu", "memory"] {
                guard let limit = limits[resource] else { guaranteed = false; continue }
                if let request = requests[resource], request != limit { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
