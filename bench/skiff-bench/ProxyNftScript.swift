import ProxyDataplane
import Netlink

/// The peer's input: the proxy's ruleset written as an `nft -f` script, the way upstream
/// kube-proxy (nftables mode) hands its ruleset to the kernel: text, one command per line, one
/// `add element` per map element, parsed by `nft` and sent as one transaction.
///
/// It is generated from the same `ProxyModel` and follows `RulesetBuilder`'s layout for the
/// same `RulesetConfig` (same table, skeleton, maps, chain names, rules and elements; the flat
/// layout's shared chains or, with `maxSharedEndpoints` 0, a chain per service and endpoint), so
/// the kernel ends up holding the same table; the benchmark lists both tables and fails if they
/// differ. Only what the benchmark's workload uses is written (ClusterIP and Cluster-policy
/// NodePort TCP services, no affinity, external IPs or load balancers); anything else throws
/// rather than silently differing.
struct ProxyNftScript {
    let config: RulesetConfig
    private var table: String { "ip \(config.tableName)" }

    init(config: RulesetConfig) {
        precondition(config.family == .ipv4, "the benchmark programs IPv4 only")
        self.config = config
    }

    typealias Names = RulesetBuilder.Names

    /// One map or set element: `key` or `key : data` in nft syntax.
    struct Element: Hashable {
        var set: String
        var key: String
        var data: String?
    }

    // MARK: full load (from empty)

    func full(model: ProxyModel) throws -> String {
        var out = ""
        out.reserveCapacity(model.services.count * 1500)
        skeleton(into: &out)
        var elements: [Element] = config.nodePortAddresses.map { Element(set: Names.nodePortIPs, key: "\($0)") }
        for (_, info) in model.services.servicePorts {
            let endpoints = try checked(info, model: model)
            if !sharesChains(info, endpoints) { dedicatedChains(info, endpoints, into: &out) }
            elements += self.elements(info, endpoints)
        }
        // Elements last: nft checks that the chains their verdicts name exist, and the shared
        // chains' rules are bound to the endpoint maps while those are still empty (binding a
        // rule to a filled map walks it), as skiff does.
        for e in elements { out += add(e) }
        return out
    }

    private func skeleton(into out: inout String) {
        let t = table
        out += "add table \(t) { comment \"rules for Kubernetes services (skiff)\" ; }\n"
        let front = "ipv4_addr . inet_proto . inet_service", port = "inet_proto . inet_service"
        for (name, key, comment) in [
            (Names.serviceIPs, front, "ClusterIP, ExternalIP and LoadBalancer IP traffic"),
            (Names.serviceNodePorts, port, "NodePort traffic"),
            (Names.noEndpointServices, front, "vmap to drop or reject packets to services with no endpoints"),
            (Names.noEndpointNodePorts, port, "vmap to drop or reject packets to service nodeports with no endpoints"),
            (Names.firewallIPs, front, "destinations that are subject to LoadBalancerSourceRanges"),
        ] {
            out += "add map \(t) \(name) { type \(key) : verdict ; comment \"\(comment)\" ; }\n"
        }
        out += "add set \(t) \(Names.clusterIPs) { type ipv4_addr ; comment \"Active ClusterIPs\" ; }\n"
        out += "add set \(t) \(Names.nodePortIPs) { type ipv4_addr ; comment \"IPs that accept NodePort traffic\" ; }\n"
        out += "add map \(t) \(Names.clusterEndpoints) { typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : "
            + "ip daddr . th dport ; comment \"endpoints of shared-chain services\" ; }\n"
        out += "add map \(t) \(Names.nodePortEndpoints) { typeof meta l4proto . th dport . numgen random mod 1 : "
            + "ip daddr . th dport ; comment \"endpoints of shared-chain nodeports\" ; }\n"
        out += "add set \(t) \(Names.hairpin) { type ipv4_addr . ipv4_addr ; comment \"endpoint . endpoint: masqueraded\" ; }\n"

        // Every chain first: the kernel resolves a jump when the rule is added, in batch order.
        var chains: [(name: String, rules: [String])] = []
        func chain(_ name: String, _ base: String? = nil, _ rules: [String]) {
            out += "add chain \(t) \(name)" + (base.map { " { \($0) ; }" } ?? "") + "\n"
            chains.append((name, rules))
        }
        let mark = "0x" + String(config.masqueradeBit, radix: 16)
        chain("filter-prerouting", "type filter hook prerouting priority -110", ["ct state new jump \(Names.firewallCheck)"])
        chain("filter-input", "type filter hook input priority -110",
              ["ct state new jump \(Names.nodePortEndpointsCheck)", "ct state new jump \(Names.serviceEndpointsCheck)"])
        chain("filter-forward", "type filter hook forward priority -110",
              ["ct state new jump \(Names.serviceEndpointsCheck)", "ct state new jump \(Names.clusterIPsCheck)"])
        chain("filter-output", "type filter hook output priority -110",
              ["ct state new jump \(Names.serviceEndpointsCheck)", "ct state new jump \(Names.firewallCheck)"])
        chain("filter-output-post-dnat", "type filter hook output priority -90", ["ct state new jump \(Names.clusterIPsCheck)"])
        chain("nat-prerouting", "type nat hook prerouting priority -100", ["jump \(Names.services)"])
        chain("nat-output", "type nat hook output priority -100", ["jump \(Names.services)"])
        chain("nat-postrouting", "type nat hook postrouting priority 100", ["jump \(Names.masquerading)"])
        chain(Names.masquerading, nil, [
            "ct status dnat ip saddr . ip daddr @\(Names.hairpin) meta mark set meta mark | \(mark) "
                + "comment \"hairpin: an endpoint reaching itself through a service\"",
            "meta mark & \(mark) == 0 return", "meta mark set meta mark ^ \(mark)", "masquerade fully-random",
        ])
        chain(Names.markForMasquerade, nil, ["meta mark set meta mark | \(mark)"])
        chain(Names.rejectChain, nil, ["meta l4proto tcp reject with tcp reset", "reject with icmp port-unreachable"])
        chain(Names.services, nil, ["ip daddr . meta l4proto . th dport vmap @\(Names.serviceIPs)",
                                    "ip daddr @\(Names.nodePortIPs) meta l4proto . th dport vmap @\(Names.serviceNodePorts)"])
        chain(Names.serviceEndpointsCheck, nil, ["ip daddr . meta l4proto . th dport vmap @\(Names.noEndpointServices)"])
        chain(Names.nodePortEndpointsCheck, nil,
              ["ip daddr @\(Names.nodePortIPs) meta l4proto . th dport vmap @\(Names.noEndpointNodePorts)"])
        chain(Names.clusterIPsCheck, nil,
              ["ip daddr @\(Names.clusterIPs) goto \(Names.rejectChain) comment \"Reject traffic to invalid ports of ClusterIPs\""]
                + config.serviceCIDRs.map { "ip daddr \($0) drop comment \"Drop traffic to unallocated ClusterIPs\"" })
        chain(Names.firewallCheck, nil, ["ip daddr . meta l4proto . th dport vmap @\(Names.firewallIPs)"])

        // The flat layout's balancing chains, one set per endpoint count.
        let clusterMasquerade = masqueradeMatch(front: nil).map { ["\($0) jump \(Names.markForMasquerade)"] } ?? []
        let viaFrontend = "ip daddr . meta l4proto . th dport", viaNodePort = "meta l4proto . th dport"
        if config.maxSharedEndpoints > 0 {
            for n in 1...config.maxSharedEndpoints {
                let frontDNAT = "dnat ip to \(viaFrontend) . numgen random mod \(n) map @\(Names.clusterEndpoints)"
                chain(Names.clusterBalancer(n), nil, clusterMasquerade + [frontDNAT])
                chain(Names.externalBalancer(n), nil, ["jump \(Names.markForMasquerade)", frontDNAT])
                chain(Names.nodePortBalancer(n), nil, ["jump \(Names.markForMasquerade)",
                                                       "dnat ip to \(viaNodePort) . numgen random mod \(n) map @\(Names.nodePortEndpoints)"])
            }
        }
        for (name, rules) in chains {
            for r in rules { out += "add rule \(t) \(name) \(r)\n" }
        }
    }

    /// The masquerade condition for off-cluster clients (`ip saddr != CIDR`), after `front`.
    private func masqueradeMatch(front: String?) -> String? {
        if config.masqueradeAll { return front ?? "" }
        guard let cidr = config.clusterCIDRs.first else { return nil }
        return (front.map { $0 + " " } ?? "") + "ip saddr != \(cidr)"
    }

    // MARK: one service port

    /// The endpoints of a port the generator can write; throws for anything it does not mirror.
    private func checked(_ info: ServicePortInfo, model: ProxyModel) throws -> CategorizedEndpoints {
        guard info.sessionAffinity == .none, !info.internalPolicyLocal, !info.externalPolicyLocal,
              info.externalIPs.isEmpty, info.loadBalancerVIPs.isEmpty, info.protocol == .tcp,
              info.clusterIP(for: .ipv4) != nil
        else { throw BenchError("nft script: \(info.name) uses a feature the benchmark's generator does not write") }
        return model.categorizedEndpoints(for: info.name, family: .ipv4) ?? CategorizedEndpoints()
    }

    /// RulesetBuilder.usesSharedChains for the ports the generator writes.
    private func sharesChains(_ info: ServicePortInfo, _ endpoints: CategorizedEndpoints) -> Bool {
        endpoints.cluster.count <= config.maxSharedEndpoints
    }

    /// Names of the dedicated layout's chains of one port (empty in the flat layout).
    func chainNames(_ info: ServicePortInfo, _ endpoints: CategorizedEndpoints) -> [String] {
        guard !sharesChains(info, endpoints) else { return [] }
        return endpoints.allReachable.map { ChainNames.endpoint(info.name, $0) } + [ChainNames.service(info.name)]
            + (info.externallyAccessible ? [ChainNames.external(info.name)] : [])
    }

    /// The dedicated layout's chains of one port: endpoint chains, the service chain (masquerade
    /// rule, then a numgen cascade), the external chain. Each is created, flushed when
    /// `flushFirst` (kube-proxy's way, so the same text works whether or not it exists) and filled.
    private func dedicatedChains(_ info: ServicePortInfo, _ endpoints: CategorizedEndpoints, flushFirst: Bool = false,
                                 into out: inout String) {
        let t = table
        let name = info.name
        let clusterIP = info.clusterIP(for: .ipv4)!
        let serviceChain = ChainNames.service(name)
        func chain(_ chainName: String, _ rules: [String]) {
            out += "add chain \(t) \(chainName)\n"
            if flushFirst { out += "flush chain \(t) \(chainName)\n" }
            for r in rules { out += "add rule \(t) \(chainName) \(r)\n" }
        }
        for e in endpoints.allReachable {
            chain(ChainNames.endpoint(name, e), ["ip saddr \(e.address) jump \(Names.markForMasquerade)",
                                                 "meta l4proto tcp dnat to \(e.address):\(e.port)"])
        }
        let front = "ip daddr \(clusterIP) meta l4proto tcp th dport \(info.port)"
        let masquerade = masqueradeMatch(front: front).map { ["\($0) jump \(Names.markForMasquerade)"] } ?? []
        // The uniform choice as NFT.numgenCascade writes it: rule i takes 1/(N−i) of what is left.
        let targets = endpoints.cluster.map { ChainNames.endpoint(name, $0) }
        let cascade = targets.enumerated().map { i, target in
            targets.count - i > 1 ? "numgen random mod \(targets.count - i) == 0 goto \(target)" : "goto \(target)"
        }
        chain(serviceChain, masquerade + cascade)
        if info.externallyAccessible {
            chain(ChainNames.external(name), ["jump \(Names.markForMasquerade)", "goto \(serviceChain)"])
        }
    }

    /// Every element the port contributes, in either layout.
    func elements(_ info: ServicePortInfo, _ endpoints: CategorizedEndpoints) -> [Element] {
        let clusterIP = info.clusterIP(for: .ipv4)!
        let targets = endpoints.cluster
        let shared = sharesChains(info, endpoints)
        let noEndpoints = endpoints.hasAnyEndpoints ? "drop" : "goto \(Names.rejectChain)"
        let front = "\(clusterIP) . tcp . \(info.port)"
        var out = [Element(set: Names.clusterIPs, key: "\(clusterIP)")]
        guard !targets.isEmpty else {
            out.append(Element(set: Names.noEndpointServices, key: front, data: noEndpoints))
            if let nodePort = info.nodePort { out.append(Element(set: Names.noEndpointNodePorts, key: "tcp . \(nodePort)", data: noEndpoints)) }
            return out
        }
        func spread(_ key: String, into set: String) {
            for (i, e) in targets.enumerated() { out.append(Element(set: set, key: "\(key) . \(i)", data: "\(e.address) . \(e.port)")) }
        }
        if shared {
            out.append(Element(set: Names.serviceIPs, key: front, data: "goto \(Names.clusterBalancer(targets.count))"))
            spread(front, into: Names.clusterEndpoints)
            var seen = Set<IPAddress>()
            for e in targets where seen.insert(e.address).inserted {
                out.append(Element(set: Names.hairpin, key: "\(e.address) . \(e.address)"))
            }
        } else {
            out.append(Element(set: Names.serviceIPs, key: front, data: "goto \(ChainNames.service(info.name))"))
        }
        if let nodePort = info.nodePort {
            let key = "tcp . \(nodePort)"
            if shared {
                out.append(Element(set: Names.serviceNodePorts, key: key, data: "goto \(Names.nodePortBalancer(targets.count))"))
                spread(key, into: Names.nodePortEndpoints)
            } else {
                out.append(Element(set: Names.serviceNodePorts, key: key, data: "goto \(ChainNames.external(info.name))"))
            }
        }
        return out
    }

    private func add(_ e: Element) -> String {
        "add element \(table) \(e.set) { \(e.key)\(e.data.map { " : \($0)" } ?? "") }\n"
    }

    // MARK: one-service change (a partial sync written as text)

    /// What a kube-proxy-style partial sync writes when one Service's endpoints changed:
    /// - chains (dedicated layout): every chain of the Service flushed and rewritten, new
    ///   endpoint chains created, chains of endpoints that are gone flushed and deleted;
    /// - elements: those that are gone or whose data changed deleted, the new ones added.
    ///   Elements that did not change are left alone, as skiff leaves them: re-adding a
    ///   `goto` element would make the kernel validate the whole table on the nft side only.
    func change(_ name: ServicePortName, previous: (ServicePortInfo, CategorizedEndpoints), model: ProxyModel) throws -> String {
        guard let info = model.services[name] else { throw BenchError("nft script: \(name) is not in the model") }
        let now = try checked(info, model: model)
        let t = table
        var out = ""
        if !sharesChains(info, now) { dedicatedChains(info, now, flushFirst: true, into: &out) }
        let before = Set(elements(previous.0, previous.1)), after = Set(elements(info, now))
        for e in before.subtracting(after).sorted(by: { ($0.set, $0.key) < ($1.set, $1.key) }) {
            // A changed element is deleted here and added again below.
            out += "delete element \(t) \(e.set) { \(e.key) }\n"
        }
        for e in after.subtracting(before).sorted(by: { ($0.set, $0.key) < ($1.set, $1.key) }) { out += add(e) }
        let current = Set(chainNames(info, now))
        for chain in chainNames(previous.0, previous.1) where !current.contains(chain) {
            out += "flush chain \(t) \(chain)\n"
            out += "delete chain \(t) \(chain)\n"
        }
        return out
    }
}
