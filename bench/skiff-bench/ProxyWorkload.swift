import KubeAPI
import ProxyDataplane

/// The Services and EndpointSlices of one proxy benchmark size, as an informer cache would hold
/// them, and the one-Service changes applied on top. Deterministic: the skiff side (in a child
/// process) and the `nft -f` side (in the parent) derive the same objects from the same numbers,
/// so both program the same ruleset.
///
/// Layout of the cluster it describes (kept apart from the defaults' 10.244.0.0/16 because
/// 30,000 × 10 endpoints need more than 65,536 pod addresses):
/// - Service i: `team-(i % 50)/svc-i`, ClusterIP 10.96.0.10 + i, one TCP port "http" 80 → 8080;
///   every 20th is a NodePort (30000 + i/20) so `service-nodeports` and `external-…` chains are
///   exercised too.
/// - Its one EndpointSlice holds `endpoints` ready pods on other nodes, 10.128.0.0 + i·endpoints + j
///   (cluster CIDR 10.128.0.0/9).
/// - Change k replaces the first endpoint of service `changedService(k)` by 10.250.k.
struct ProxyWorkload: Sendable {
    let services: Int
    let endpointsPerService: Int

    static let namespaces = 50
    static let nodePortEvery = 20
    static let clusterCIDR = "10.128.0.0/9"
    static let serviceCIDR = "10.96.0.0/12"
    /// The node's own address that accepts NodePorts (in the latency topology: the client-facing veth).
    static let nodeAddress = "192.168.50.1"
    static let nodeName = "node-a"

    static let modelConfig = ProxyModelConfig(nodeName: nodeName)
    /// The proxy's table in every namespace the benchmark programs (see ProxyLayout for the rest
    /// of the configuration).
    static let tableName = RulesetConfig().tableName

    var label: String {
        let k = services % 1000 == 0 ? "\(services / 1000)k" : "\(services)"
        return "\(k) × \(endpointsPerService)"
    }

    // MARK: addresses

    static func dotted(_ v: UInt32) -> String { "\(v >> 24).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)" }

    static func clusterIP(_ i: Int) -> String { dotted(0x0A60_0000 + 10 + UInt32(i)) }
    func podIP(service i: Int, endpoint j: Int) -> String {
        Self.dotted(0x0A80_0000 + UInt32(i * endpointsPerService + j))
    }
    /// The address change k puts in place of the first endpoint (outside every original pod address).
    static func replacementIP(change k: Int) -> String { dotted(0x0AFA_0000 + UInt32(k)) }

    static func namespace(_ i: Int) -> String { "team-\(i % namespaces)" }
    static func name(_ i: Int) -> String { "svc-\(i)" }
    static func isNodePort(_ i: Int) -> Bool { i % nodePortEvery == 0 }

    // MARK: objects

    /// A Service as the API server returns it (defaults filled in), in the compact form the
    /// proxy's informer decodes.
    static func service(_ i: Int) -> ProxyService {
        let nodePort = isNodePort(i)
        var meta = ObjectMeta(name: name(i), namespace: namespace(i), labels: ["app": name(i), "tier": "backend"])
        meta.uid = uid("svc", i)
        meta.resourceVersion = String(1000 + i)
        var spec = ServiceSpec(
            ports: [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080),
                                nodePort: nodePort ? Int32(30000 + i / nodePortEvery) : nil)],
            selector: ["app": name(i)], clusterIP: clusterIP(i), clusterIPs: [clusterIP(i)],
            type: nodePort ? "NodePort" : "ClusterIP", sessionAffinity: "None",
            externalTrafficPolicy: nodePort ? "Cluster" : nil, internalTrafficPolicy: "Cluster")
        spec.ipFamilies = ["IPv4"]
        spec.ipFamilyPolicy = "SingleStack"
        return ProxyService(Service(metadata: meta, spec: spec))
    }

    /// The EndpointSlice of service i, with its first endpoint replaced when `replacement` is given.
    func slice(_ i: Int, replacingFirstWith replacement: String? = nil) -> ProxyEndpointSlice {
        let ns = Self.namespace(i)
        var meta = ObjectMeta(name: "\(Self.name(i))-abcde", namespace: ns, labels: [
            "kubernetes.io/service-name": Self.name(i),
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        ])
        meta.uid = Self.uid("eps", i)
        meta.resourceVersion = String(500_000 + i)
        var owner = OwnerReference(apiVersion: "v1", kind: "Service", name: Self.name(i), uid: Self.uid("svc", i))
        owner.controller = true
        owner.blockOwnerDeletion = true
        meta.ownerReferences = [owner]
        let endpoints = (0..<endpointsPerService).map { j -> KubeAPI.Endpoint in
            let address = (j == 0 ? replacement : nil) ?? podIP(service: i, endpoint: j)
            let pod = "\(Self.name(i))-7d9f8b6c5-\(j)"
            return KubeAPI.Endpoint(addresses: [address], conditions: EndpointConditions(ready: true, serving: true, terminating: false),
                            targetRef: ObjectReference(kind: "Pod", namespace: ns, name: pod, uid: Self.uid("pod", i * 100 + j)),
                            nodeName: "node-\(j % 7 + 1)")
        }
        return ProxyEndpointSlice(EndpointSlice(metadata: meta, addressType: "IPv4", endpoints: endpoints,
                             ports: [EndpointPort(name: "http", port: 8080, protocol: "TCP")]))
    }

    static func uid(_ kind: String, _ i: Int) -> String {
        let hex = String(i, radix: 16)
        let tail = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "\(kind == "svc" ? "5e" : kind == "eps" ? "e5" : "90")d1c3a2-4b6f-4e8a-9c1d-\(tail)"
    }

    // MARK: changes

    /// The service whose slice change k edits: spread over the whole range, never the same
    /// twice within the first `services` changes (7919 is prime and does not divide a size).
    func changedService(_ k: Int) -> Int { (k * 7919 + 13) % services }

    /// Records every object in `model`, keeping the objects in `cache` as an informer would.
    func load(into model: inout ProxyModel, cache: inout ObjectCache) {
        cache.services.reserveCapacity(services)
        cache.slices.reserveCapacity(services)
        for i in 0..<services {
            let s = Self.service(i)
            let e = slice(i)
            model.serviceAdded(s)
            model.endpointSliceAdded(e)
            cache.services.append(s)
            cache.slices.append(e)
        }
    }

    /// Records change k (one endpoint of one slice replaced) in `model` and `cache`.
    /// Returns the service index it touched.
    @discardableResult
    func applyChange(_ k: Int, to model: inout ProxyModel, cache: inout ObjectCache) -> Int {
        let i = changedService(k)
        let new = slice(i, replacingFirstWith: Self.replacementIP(change: k))
        model.endpointSliceUpdated(old: cache.slices[i], new: new)
        cache.slices[i] = new
        return i
    }
}

/// The compact objects the informer caches would hold (the proxy keeps them alive in a real process,
/// so the memory figure includes them).
struct ObjectCache {
    var services: [ProxyService] = []
    var slices: [ProxyEndpointSlice] = []
}
