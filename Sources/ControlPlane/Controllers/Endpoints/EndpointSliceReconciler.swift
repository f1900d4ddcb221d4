import KubeAPI

/// What one Service's EndpointSlices should hold, and the fewest writes that get its existing
/// slices there, as upstream's EndpointSlice reconciler: an endpoint that did not change stays
/// in the slice it is in; changed endpoints are rewritten in place; new ones go first into
/// slices that are written anyway, then into new slices of at most `maxEndpointsPerSlice`, the
/// last few into the fullest unchanged slice that has room; a slice left empty is deleted. A
/// Service with no endpoints at all keeps one empty placeholder slice, as upstream does.
struct EndpointSliceReconciler: Sendable {
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let controllerName = "endpointslice-controller.k8s.io"
    static let serviceNameLabel = "kubernetes.io/service-name"
    static let headlessLabel = "service.kubernetes.io/headless"
    static let triggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time"

    var maxEndpointsPerSlice = 100

    /// Slices are grouped by address type and ports: every endpoint of a slice serves the
    /// same ports (a Pod lacking a named port lands in a slice without it).
    struct Shape: Hashable, Sendable {
        var addressType: String
        /// Sorted, so the order a slice lists them in does not matter.
        var ports: [EndpointPort]

        init(addressType: String, ports: [EndpointPort]) {
            self.addressType = addressType
            self.ports = ports.sorted { ($0.name ?? "", $0.protocol ?? "", $0.port ?? 0) < ($1.name ?? "", $1.protocol ?? "", $1.port ?? 0) }
        }
    }

    /// The endpoints per shape, each keyed by its address, in the Pods' order.
    typealias Desired = [Shape: [(address: String, endpoint: Endpoint)]]

    struct Plan: Sendable {
        var creates: [EndpointSlice] = []
        var updates: [EndpointSlice] = []
        var deletes: [EndpointSlice] = []
        var isEmpty: Bool { creates.isEmpty && updates.isEmpty && deletes.isEmpty }
    }

    /// The address types a Service's slices use: its IP families (IPv4 for an object from
    /// before dual-stack that has none).
    static func addressTypes(of service: Service) -> [String] {
        let families = service.spec?.ipFamilies ?? []
        return families.isEmpty ? ["IPv4"] : families
    }

    /// The endpoints `service` should have from `pods` (already selected by its selector).
    /// `zones`: node name → `topology.kubernetes.io/zone`.
    func desired(service: Service, pods: [Pod], zones: [String: String]) -> Desired {
        var desired: Desired = [:]
        let publishNotReady = service.spec?.publishNotReadyAddresses == true
        for pod in pods where PodEndpoints.shouldInclude(pod, includeTerminating: true) {
            let serving = PodEndpoints.isReady(pod)
            let terminating = PodEndpoints.isTerminating(pod)
            // Upstream: never ready while terminating, unless publishNotReadyAddresses.
            let conditions = EndpointConditions(ready: publishNotReady || (serving && !terminating),
                                                serving: serving, terminating: terminating)
            let ports = PodEndpoints.ports(of: service, for: pod)
            for addressType in Self.addressTypes(of: service) {
                guard let address = PodEndpoints.address(of: pod, family: addressType) else { continue }
                let node = pod.spec?.nodeName.flatMap { $0.isEmpty ? nil : $0 }
                let endpoint = Endpoint(addresses: [address], conditions: conditions,
                                        hostname: PodEndpoints.hostname(of: pod, in: service),
                                        targetRef: PodEndpoints.reference(to: pod), nodeName: node,
                                        zone: node.flatMap { zones[$0] })
                desired[Shape(addressType: addressType, ports: ports), default: []].append((address, endpoint))
            }
        }
        return desired
    }

    /// The labels every slice of `service` carries: the Service's own, the Service's name,
    /// this controller's name, and the headless marker for a headless Service.
    static func labels(of service: Service) -> [String: String] {
        var labels = service.metadata?.labels ?? [:]
        labels[serviceNameLabel] = service.metadata?.name ?? ""
        labels[managedByLabel] = controllerName
        if service.spec?.clusterIP == "None" { labels[headlessLabel] = "" } else { labels[headlessLabel] = nil }
        return labels
    }

    static func owner(_ service: Service) -> OwnerReference {
        OwnerReference(apiVersion: "v1", kind: "Service", name: service.metadata?.name ?? "",
                       uid: service.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true)
    }

    /// Whether `slice` is one of this controller's slices of a Service of that name.
    static func isManaged(_ slice: EndpointSlice, serviceName: String) -> Bool {
        slice.metadata?.labels?[managedByLabel] == controllerName && slice.metadata?.labels?[serviceNameLabel] == serviceName
    }

    /// The writes that turn `existing` (this controller's slices of the Service) into
    /// `desired`. `triggerTime` is stamped on every slice written.
    func plan(service: Service, desired: Desired, existing: [EndpointSlice], triggerTime: String?) -> Plan {
        var plan = Plan()
        var remaining: [Shape: [String: Endpoint]] = [:]
        var order: [Shape: [String]] = [:]
        for (shape, list) in desired {
            for (address, endpoint) in list where remaining[shape, default: [:]].updateValue(endpoint, forKey: address) == nil {
                order[shape, default: []].append(address)
            }
        }
        let labels = Self.labels(of: service)
        let owner = Self.owner(service)

        // Keep what still belongs; rewrite what changed; drop what went.
        var unchanged: [EndpointSlice] = []
        var placeholders: [EndpointSlice] = []
        for slice in existing.sorted(by: { ($0.metadata?.name ?? "") < ($1.metadata?.name ?? "") }) {
            let owners = slice.metadata?.ownerReferences?.filter { $0.controller == true } ?? []
            guard owners.allSatisfy({ $0.uid == owner.uid }) else { plan.deletes.append(slice); continue }
            if (slice.endpoints ?? []).isEmpty && (slice.ports ?? []).isEmpty { placeholders.append(slice); continue }
            let shape = Shape(addressType: slice.addressType ?? "", ports: slice.ports ?? [])
            guard var wanted = remaining[shape] else { plan.deletes.append(slice); continue }
            var endpoints: [Endpoint] = []
            var changed = false
            for endpoint in slice.endpoints ?? [] {
                if let address = endpoint.addresses?.first, let want = wanted.removeValue(forKey: address) {
                    endpoints.append(want)
                    if want != endpoint { changed = true }
                } else {
                    changed = true
                }
            }
            remaining[shape] = wanted
            if endpoints.isEmpty { plan.deletes.append(slice); continue }
            var updated = slice
            updated.endpoints = endpoints
            if updated.metadata?.labels != labels || updated.metadata?.ownerReferences != [owner] {
                updated.metadata?.labels = labels
                updated.metadata?.ownerReferences = [owner]
                changed = true
            }
            if changed { plan.updates.append(updated) } else { unchanged.append(updated) }
        }

        // Place the new endpoints.
        for shape in order.keys.sorted(by: { $0.addressType < $1.addressType }) {
            var leftover = order[shape]!.compactMap { remaining[shape]?[$0] }
            guard !leftover.isEmpty else { continue }
            for i in plan.updates.indices where !leftover.isEmpty && Shape(addressType: plan.updates[i].addressType ?? "", ports: plan.updates[i].ports ?? []) == shape {
                let room = maxEndpointsPerSlice - (plan.updates[i].endpoints?.count ?? 0)
                guard room > 0 else { continue }
                plan.updates[i].endpoints! += leftover.prefix(room)
                leftover.removeFirst(min(room, leftover.count))
            }
            while !leftover.isEmpty {
                if leftover.count < maxEndpointsPerSlice {
                    // Fewer than a slice's worth: the fullest unchanged slice with room takes them.
                    let candidates = unchanged.indices.filter {
                        Shape(addressType: unchanged[$0].addressType ?? "", ports: unchanged[$0].ports ?? []) == shape
                            && (unchanged[$0].endpoints?.count ?? 0) + leftover.count <= maxEndpointsPerSlice
                    }
                    if let i = candidates.max(by: { (unchanged[$0].endpoints?.count ?? 0) < (unchanged[$1].endpoints?.count ?? 0) }) {
                        var slice = unchanged.remove(at: i)
                        slice.endpoints! += leftover
                        plan.updates.append(slice)
                        leftover = []
                        break
                    }
                }
                let batch = Array(leftover.prefix(maxEndpointsPerSlice))
                leftover.removeFirst(batch.count)
                plan.creates.append(newSlice(service, shape: shape, endpoints: batch, labels: labels, owner: owner))
            }
        }

        // A Service without endpoints keeps exactly one empty slice.
        if plan.creates.isEmpty && plan.updates.isEmpty && unchanged.isEmpty {
            if var keep = placeholders.first {
                placeholders.removeFirst()
                if keep.metadata?.labels != labels || keep.metadata?.ownerReferences != [owner] {
                    keep.metadata?.labels = labels
                    keep.metadata?.ownerReferences = [owner]
                    plan.updates.append(keep)
                }
            } else {
                let shape = Shape(addressType: Self.addressTypes(of: service)[0], ports: [])
                plan.creates.append(newSlice(service, shape: shape, endpoints: [], labels: labels, owner: owner))
            }
        }
        plan.deletes += placeholders

        if let triggerTime {
            for i in plan.creates.indices { plan.creates[i].metadata?.annotations = [Self.triggerTimeAnnotation: triggerTime] }
            for i in plan.updates.indices { plan.updates[i].metadata?.annotations?[Self.triggerTimeAnnotation] = triggerTime }
            for i in plan.updates.indices where plan.updates[i].metadata?.annotations == nil {
                plan.updates[i].metadata?.annotations = [Self.triggerTimeAnnotation: triggerTime]
            }
        }
        return plan
    }

    private func newSlice(_ service: Service, shape: Shape, endpoints: [Endpoint], labels: [String: String],
                          owner: OwnerReference) -> EndpointSlice {
        var meta = ObjectMeta(namespace: service.metadata?.namespace, labels: labels)
        meta.generateName = (service.metadata?.name ?? "") + "-"
        meta.ownerReferences = [owner]
        // The Service's port order, as upstream writes them.
        let ports = (service.spec?.ports ?? []).compactMap { p in shape.ports.first { $0.name == (p.name ?? "") && $0.protocol == (p.protocol ?? "TCP") } }
        return EndpointSlice(metadata: meta, addressType: shape.addressType, endpoints: endpoints,
                             ports: ports.count == shape.ports.count ? ports : shape.ports)
    }
}
