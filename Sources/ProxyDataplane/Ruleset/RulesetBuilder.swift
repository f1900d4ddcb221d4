import Netlink

/// Computes the desired ruleset of one family's table (`ip` or `ip6`) from the model, after
/// kube-proxy's nftables proxier, with a flatter layout for common Services.
///
/// Dispatch and checks, for every Service:
/// - `services`: `daddr . l4proto . dport vmap @service-ips` (ClusterIPs, external IPs, LB VIPs)
///   and `daddr @nodeport-ips l4proto . dport vmap @service-nodeports`, from nat prerouting
///   and output.
/// - no endpoints: `no-endpoint-services`/`no-endpoint-nodeports` map the frontend to
///   `goto reject-chain` (none anywhere) or `drop` (Local policy, none on this node), checked
///   in the filter hooks before DNAT; `cluster-ips-check` rejects unknown ports of known
///   ClusterIPs and drops the rest of the service CIDR; `firewall-ips` sends LB VIPs with
///   loadBalancerSourceRanges to a per-service `firewall-…` chain.
/// - postrouting masquerades packets carrying the masquerade mark bit.
///
/// Common service ports (no session affinity, Cluster traffic policies, 1…64 endpoints) have
/// **no chains of their own** (the flat layout):
/// - `service-ips`/`service-nodeports` elements `goto cluster-lb-N`, `external-lb-N` (external
///   IPs, LB VIPs) or `nodeport-lb-N`, where N is the port's endpoint count. These chains are
///   shared by every port with N endpoints and created with the skeleton for N = 1…64: each
///   marks for masquerade as the path requires (off-cluster sources for cluster IPs, always
///   for external traffic), then `dnat to daddr . l4proto . dport . numgen random mod N map
///   @cluster-endpoints` (`l4proto . dport . numgen … map @nodeport-endpoints` for node ports).
/// - `cluster-endpoints` (`daddr . l4proto . dport . index → address . port`, index 0…N−1,
///   for cluster IPs, external IPs and LB VIPs alike) and `nodeport-endpoints` (`l4proto .
///   dport . index → address . port`) are plain data maps.
/// - hairpin: each endpoint contributes `address . address` to the `hairpin` set, and
///   `masquerading` marks `ct status dnat` connections whose `saddr . daddr` is in it.
///
/// Why: a transaction that adds any rule or any jump/goto verdict element makes the kernel
/// validate the whole table at commit (nf_tables_validate → nft_chain_validate walks every
/// chain reachable from each base chain, through every verdict-map element, once per hook).
/// With a chain per service and per endpoint (30k chains at 10k Services × 2 endpoints) a
/// one-Service change cost 40–110 ms in the kernel (6.18, depending on load); the target is
/// ≤ 10 ms. In the flat layout (~210 chains) an endpoint replaced (same count) changes only
/// data-map and set elements, which need no validation (~0.02–0.1 ms at 10k); an endpoint count
/// change or a new Service changes a `service-ips` goto element (validation still follows
/// every `service-ips` element, but each leads to a 1–2-rule shared chain: ~1 ms); a full load commits in ~0.13–0.17 s instead of ~0.8–1.1 s
/// (ProxyScaleTests prints both layouts). Per packet it costs no more than before: one vmap
/// lookup, one short chain, one data-map lookup. The shared chains are created (and their
/// rules bound to the maps) while the maps are empty: binding a rule to a filled map walks it.
///
/// Special service ports keep a chain per service and per endpoint (`service-…` with
/// masquerade, affinity and a uniform `numgen` cascade over `endpoint-…` chains that do the
/// hairpin masquerade, affinity update and DNAT; `external-…`, `local-…`): session affinity
/// ClientIP (per-endpoint affinity sets), externalTrafficPolicy or internalTrafficPolicy
/// Local (two endpoint lists), or more than `maxSharedEndpoints` endpoints.
public struct RulesetBuilder: Sendable {
    public let config: RulesetConfig

    public init(config: RulesetConfig) { self.config = config }

    // MARK: names of the skeleton

    public enum Names {
        public static let services = "services"
        public static let masquerading = "masquerading"
        public static let markForMasquerade = "mark-for-masquerade"
        public static let rejectChain = "reject-chain"
        public static let serviceEndpointsCheck = "service-endpoints-check"
        public static let nodePortEndpointsCheck = "nodeport-endpoints-check"
        public static let clusterIPsCheck = "cluster-ips-check"
        public static let firewallCheck = "firewall-check"
        public static let serviceIPs = "service-ips"
        public static let serviceNodePorts = "service-nodeports"
        public static let noEndpointServices = "no-endpoint-services"
        public static let noEndpointNodePorts = "no-endpoint-nodeports"
        public static let firewallIPs = "firewall-ips"
        public static let clusterIPs = "cluster-ips"
        public static let nodePortIPs = "nodeport-ips"
        public static let clusterEndpoints = "cluster-endpoints"
        public static let nodePortEndpoints = "nodeport-endpoints"
        public static let hairpin = "hairpin"
        /// The shared chains of the flat layout, one per endpoint count.
        public static func clusterBalancer(_ endpoints: Int) -> String { "cluster-lb-\(endpoints)" }
        public static func externalBalancer(_ endpoints: Int) -> String { "external-lb-\(endpoints)" }
        public static func nodePortBalancer(_ endpoints: Int) -> String { "nodeport-lb-\(endpoints)" }
    }

    private var family: NFTFamily { config.nftFamily }
    private var table: NFTTableID { config.table }

    // MARK: whole ruleset

    /// The full desired ruleset: the skeleton and every service port of this family.
    public func build(model: ProxyModel) -> Ruleset {
        var ruleset = Ruleset(table: table)
        ruleset.fragments[.base] = baseFragment()
        for (_, info) in model.services.servicePorts {
            let fragment = servicePortFragment(info: info, model: model)
            if !fragment.isEmpty { ruleset.fragments[.servicePort(info.name)] = fragment }
        }
        return ruleset
    }

    /// The fragment of one service port, or an empty one when it has none in this family
    /// (gone, or no cluster IP of this family).
    public func fragment(for name: ServicePortName, model: ProxyModel) -> RulesetFragment {
        guard let info = model.services[name] else { return RulesetFragment() }
        return servicePortFragment(info: info, model: model)
    }

    // MARK: skeleton

    public func baseFragment() -> RulesetFragment {
        let t = table
        let addr = config.addressType
        let frontKey: [NFTDataType] = [addr, .inetProto, .inetService]
        let portKey: [NFTDataType] = [.inetProto, .inetService]
        var f = RulesetFragment()
        f.sets = [
            .map(table: t, name: Names.serviceIPs, key: frontKey, data: .verdict, comment: "ClusterIP, ExternalIP and LoadBalancer IP traffic"),
            .map(table: t, name: Names.serviceNodePorts, key: portKey, data: .verdict, comment: "NodePort traffic"),
            .map(table: t, name: Names.noEndpointServices, key: frontKey, data: .verdict, comment: "vmap to drop or reject packets to services with no endpoints"),
            .map(table: t, name: Names.noEndpointNodePorts, key: portKey, data: .verdict, comment: "vmap to drop or reject packets to service nodeports with no endpoints"),
            .map(table: t, name: Names.firewallIPs, key: frontKey, data: .verdict, comment: "destinations that are subject to LoadBalancerSourceRanges"),
            NFTSet(table: t, name: Names.clusterIPs, key: [addr], comment: "Active ClusterIPs"),
            NFTSet(table: t, name: Names.nodePortIPs, key: [addr], comment: "IPs that accept NodePort traffic"),
            .map(table: t, name: Names.clusterEndpoints,
                 typeof: [.field(config.daddr), .field(.l4proto), .field(.thDport), .numgen(.random)],
                 data: [.field(config.daddr), .field(.thDport)], comment: "endpoints of shared-chain services"),
            .map(table: t, name: Names.nodePortEndpoints,
                 typeof: [.field(.l4proto), .field(.thDport), .numgen(.random)],
                 data: [.field(config.daddr), .field(.thDport)], comment: "endpoints of shared-chain nodeports"),
            NFTSet(table: t, name: Names.hairpin, key: [addr, addr], comment: "endpoint . endpoint: masqueraded"),
        ]
        let ctNew = NFT.ctState(.new)
        func jump(_ chain: String) -> [NFTExpr] { [.verdict(.jump(chain))] }
        func base(_ type: NFTChain.ChainType, _ hook: NFTChain.Hook, _ priority: Int32) -> NFTChain.Base {
            NFTChain.Base(type: type, hook: hook, priority: priority)
        }
        let filterPriority = NFTChain.Priority.dstnat - 10   // -110: before DNAT
        f.chains = [
            ChainSpec(name: "filter-prerouting", base: base(.filter, .prerouting, filterPriority), rules: [
                RuleSpec(parts: [ctNew, jump(Names.firewallCheck)]),
            ]),
            ChainSpec(name: "filter-input", base: base(.filter, .input, filterPriority), rules: [
                RuleSpec(parts: [ctNew, jump(Names.nodePortEndpointsCheck)]),
                RuleSpec(parts: [ctNew, jump(Names.serviceEndpointsCheck)]),
            ]),
            ChainSpec(name: "filter-forward", base: base(.filter, .forward, filterPriority), rules: [
                RuleSpec(parts: [ctNew, jump(Names.serviceEndpointsCheck)]),
                RuleSpec(parts: [ctNew, jump(Names.clusterIPsCheck)]),
            ]),
            ChainSpec(name: "filter-output", base: base(.filter, .output, filterPriority), rules: [
                RuleSpec(parts: [ctNew, jump(Names.serviceEndpointsCheck)]),
                RuleSpec(parts: [ctNew, jump(Names.firewallCheck)]),
            ]),
            ChainSpec(name: "filter-output-post-dnat", base: base(.filter, .output, NFTChain.Priority.dstnat + 10), rules: [
                RuleSpec(parts: [ctNew, jump(Names.clusterIPsCheck)]),
            ]),
            ChainSpec(name: "nat-prerouting", base: base(.nat, .prerouting, NFTChain.Priority.dstnat), rules: [
                RuleSpec(jump(Names.services)),
            ]),
            ChainSpec(name: "nat-output", base: base(.nat, .output, NFTChain.Priority.dstnat), rules: [
                RuleSpec(jump(Names.services)),
            ]),
            ChainSpec(name: "nat-postrouting", base: base(.nat, .postrouting, NFTChain.Priority.srcnat), rules: [
                RuleSpec(jump(Names.masquerading)),
            ]),
            ChainSpec(name: Names.masquerading, rules: [
                RuleSpec(parts: [NFT.ctStatus(.dnat), NFT.lookup([config.saddr, config.daddr], set: Names.hairpin, family: family),
                                 NFT.setMark(or: config.masqueradeBit)],
                         comment: "hairpin: an endpoint reaching itself through a service"),
                RuleSpec(parts: [NFT.matchMark(mask: config.masqueradeBit, .eq, 0), [.verdict(.return)]]),
                RuleSpec(NFT.setMark(xor: config.masqueradeBit)),
                RuleSpec([.masquerade(flags: NFTExpr.NAT.protoRandomFully)]),
            ]),
            ChainSpec(name: Names.markForMasquerade, rules: [RuleSpec(NFT.setMark(or: config.masqueradeBit))]),
            ChainSpec(name: Names.rejectChain, rules: [
                RuleSpec(parts: [NFT.match(.l4proto, .eq, .tcp, family: family), [.reject(.tcpReset)]]),
                RuleSpec([.reject(config.family == .ipv4 ? .icmp(code: 3) : .icmpv6(code: 4))]),
            ]),
            ChainSpec(name: Names.services, rules: [
                RuleSpec(NFT.vmap([config.daddr, .l4proto, .thDport], map: Names.serviceIPs, family: family)),
                RuleSpec(parts: [NFT.lookup([config.daddr], set: Names.nodePortIPs, family: family),
                                 NFT.vmap([.l4proto, .thDport], map: Names.serviceNodePorts, family: family)]),
            ]),
            ChainSpec(name: Names.serviceEndpointsCheck, rules: [
                RuleSpec(NFT.vmap([config.daddr, .l4proto, .thDport], map: Names.noEndpointServices, family: family)),
            ]),
            ChainSpec(name: Names.nodePortEndpointsCheck, rules: [
                RuleSpec(parts: [NFT.lookup([config.daddr], set: Names.nodePortIPs, family: family),
                                 NFT.vmap([.l4proto, .thDport], map: Names.noEndpointNodePorts, family: family)]),
            ]),
            ChainSpec(name: Names.clusterIPsCheck, rules: [
                RuleSpec(parts: [NFT.lookup([config.daddr], set: Names.clusterIPs, family: family),
                                 [.verdict(.goto(Names.rejectChain))]],
                         comment: "Reject traffic to invalid ports of ClusterIPs"),
            ] + config.serviceCIDRs.compactMap { cidr in
                NFT.match(config.daddr, prefix: cidr.description, family: family).map {
                    RuleSpec(parts: [$0, [.verdict(.drop)]], comment: "Drop traffic to unallocated ClusterIPs")
                }
            }),
            ChainSpec(name: Names.firewallCheck, rules: [
                RuleSpec(NFT.vmap([config.daddr, .l4proto, .thDport], map: Names.firewallIPs, family: family)),
            ]),
        ]
        f.chains += sharedBalancerChains()
        f.elements = config.nodePortAddresses.map { ElementSpec(set: Names.nodePortIPs, key: [$0.nftValue]) }
        return f
    }

    /// `cluster-lb-N`, `external-lb-N`, `nodeport-lb-N` for N = 1…maxSharedEndpoints.
    func sharedBalancerChains() -> [ChainSpec] {
        let markForMasquerade = RuleSpec([.verdict(.jump(Names.markForMasquerade))])
        var clusterMasquerade: [RuleSpec] = []
        if config.masqueradeAll {
            clusterMasquerade = [markForMasquerade]
        } else if let cidr = config.clusterCIDRs.first,
                  let notCluster = NFT.match(config.saddr, prefix: cidr.description, negated: true, family: family) {
            clusterMasquerade = [RuleSpec(parts: [notCluster, [.verdict(.jump(Names.markForMasquerade))]])]
        }
        let frontend: [NFTField] = [config.daddr, .l4proto, .thDport]
        var chains: [ChainSpec] = []
        guard config.maxSharedEndpoints > 0 else { return chains }
        for n in 1...config.maxSharedEndpoints {
            let modulus = UInt32(n)
            let viaFrontend = RuleSpec(NFT.dnatThroughMap(frontend, numgenModulus: modulus, map: Names.clusterEndpoints,
                                                          address: config.addressType, family: family))
            let viaNodePort = RuleSpec(NFT.dnatThroughMap([.l4proto, .thDport], numgenModulus: modulus,
                                                          map: Names.nodePortEndpoints, address: config.addressType,
                                                          family: family))
            chains.append(ChainSpec(name: Names.clusterBalancer(n), rules: clusterMasquerade + [viaFrontend]))
            chains.append(ChainSpec(name: Names.externalBalancer(n), rules: [markForMasquerade, viaFrontend]))
            chains.append(ChainSpec(name: Names.nodePortBalancer(n), rules: [markForMasquerade, viaNodePort]))
        }
        return chains
    }

    // MARK: one service port

    func servicePortFragment(info: ServicePortInfo, model: ProxyModel) -> RulesetFragment {
        guard let clusterIP = info.clusterIP(for: config.family) else { return RulesetFragment() }
        let endpoints = model.categorizedEndpoints(for: info.name, family: config.family) ?? CategorizedEndpoints()
        return usesSharedChains(info, endpoints)
            ? sharedChainFragment(info: info, clusterIP: clusterIP, endpoints: endpoints)
            : dedicatedFragment(info: info, clusterIP: clusterIP, endpoints: endpoints)
    }

    /// Whether the port goes through the shared `*-lb-N` chains: one endpoint list for all its
    /// traffic (Cluster policies), no affinity, and at most `maxSharedEndpoints` endpoints.
    func usesSharedChains(_ info: ServicePortInfo, _ endpoints: CategorizedEndpoints) -> Bool {
        info.sessionAffinity.timeoutSeconds == nil && !info.usesLocalEndpoints
            && endpoints.cluster.count <= config.maxSharedEndpoints
    }

    /// The flat layout: map elements only (and a firewall chain for source ranges).
    func sharedChainFragment(info: ServicePortInfo, clusterIP: IPAddress, endpoints: CategorizedEndpoints) -> RulesetFragment {
        let proto = info.protocol.nftValue
        let targets = endpoints.cluster
        let count = targets.count
        var f = RulesetFragment()

        func front(_ address: IPAddress, _ port: UInt16) -> NFTKey { [address.nftValue, proto, .inetService(port)] }
        /// `key . 0 : endpoint 0`, `key . 1 : endpoint 1`, …
        func spread(_ key: NFTKey, into set: String) {
            for (index, e) in targets.enumerated() {
                f.elements.append(ElementSpec(set: set, key: NFTKey(key.fields + [.integer(UInt32(index))]),
                                              data: .value([e.address.nftValue, .inetService(e.port)])))
            }
        }
        let reject = NFTSetElement.Data.verdict(.goto(Names.rejectChain))
        let noEndpoints: NFTSetElement.Data = endpoints.hasAnyEndpoints ? .verdict(.drop) : reject

        f.elements.append(ElementSpec(set: Names.clusterIPs, key: [clusterIP.nftValue]))
        if count > 0 {
            f.elements.append(ElementSpec(set: Names.serviceIPs, key: front(clusterIP, info.port),
                                          data: .verdict(.goto(Names.clusterBalancer(count)))))
            spread(front(clusterIP, info.port), into: Names.clusterEndpoints)
            var seen = Set<IPAddress>()
            for e in targets where seen.insert(e.address).inserted {
                f.elements.append(ElementSpec(set: Names.hairpin, key: [e.address.nftValue, e.address.nftValue]))
            }
        } else {
            f.elements.append(ElementSpec(set: Names.noEndpointServices, key: front(clusterIP, info.port), data: noEndpoints))
        }

        guard info.externallyAccessible else { return f }
        for address in info.externalIPs(for: config.family) + info.loadBalancerVIPs(for: config.family) {
            if count > 0 {
                f.elements.append(ElementSpec(set: Names.serviceIPs, key: front(address, info.port),
                                              data: .verdict(.goto(Names.externalBalancer(count)))))
                spread(front(address, info.port), into: Names.clusterEndpoints)
            } else {
                f.elements.append(ElementSpec(set: Names.noEndpointServices, key: front(address, info.port), data: noEndpoints))
            }
        }
        if let nodePort = info.nodePort {
            let key: NFTKey = [proto, .inetService(nodePort)]
            if count > 0 {
                f.elements.append(ElementSpec(set: Names.serviceNodePorts, key: key,
                                              data: .verdict(.goto(Names.nodePortBalancer(count)))))
                spread(key, into: Names.nodePortEndpoints)
            } else {
                f.elements.append(ElementSpec(set: Names.noEndpointNodePorts, key: key, data: noEndpoints))
            }
        }
        addFirewall(info: info, to: &f)
        return f
    }

    /// The per-service layout: a chain per service and per endpoint.
    func dedicatedFragment(info: ServicePortInfo, clusterIP: IPAddress, endpoints: CategorizedEndpoints) -> RulesetFragment {
        let name = info.name
        let proto = info.protocol.nftValue
        let serviceChain = ChainNames.service(name)
        let localChain = ChainNames.local(name)
        let externalChain = ChainNames.external(name)
        let affinityTimeout = info.sessionAffinity.timeoutSeconds
        var f = RulesetFragment()

        // Endpoint chains (and their affinity sets) for every endpoint this node may use.
        for e in endpoints.allReachable {
            var rules = [
                RuleSpec(parts: [NFT.match(config.saddr, .eq, e.address.nftValue, family: family),
                                 [.verdict(.jump(Names.markForMasquerade))]]),
            ]
            if let timeout = affinityTimeout {
                let set = ChainNames.affinity(name, e)
                f.sets.append(NFTSet(table: table, name: set, key: [config.addressType], flags: [.dynamic, .timeout],
                                     timeout: .seconds(timeout)))
                rules.append(RuleSpec(parts: [NFT.load([config.saddr], family: family),
                                              [.dynset(.update, set: set, key: .r1)]]))
            }
            rules.append(RuleSpec(parts: [NFT.match(.l4proto, .eq, proto, family: family),
                                          NFT.dnat(to: e.address.nftValue, port: e.port)]))
            f.chains.append(ChainSpec(name: ChainNames.endpoint(name, e), rules: rules))
        }

        func balance(_ targets: [EndpointInfo]) -> [RuleSpec] {
            var rules: [RuleSpec] = []
            if affinityTimeout != nil {
                for e in targets {
                    rules.append(RuleSpec(parts: [NFT.lookup([config.saddr], set: ChainNames.affinity(name, e), family: family),
                                                  [.verdict(.goto(ChainNames.endpoint(name, e)))]]))
                }
            }
            rules += NFT.numgenCascade(targets.map { .goto(ChainNames.endpoint(name, $0)) }).map { RuleSpec($0) }
            return rules
        }

        // Off-cluster clients of the cluster IP are masqueraded so replies come back here.
        var masqueradeRule: [RuleSpec] = []
        let frontMatch = NFT.match(config.daddr, .eq, clusterIP.nftValue, family: family)
            + NFT.match(.l4proto, .eq, proto, family: family)
            + NFT.match(.thDport, .eq, .inetService(info.port), family: family)
        if config.masqueradeAll {
            masqueradeRule = [RuleSpec(parts: [frontMatch, [.verdict(.jump(Names.markForMasquerade))]])]
        } else if let cidr = config.clusterCIDRs.first,
                  let notCluster = NFT.match(config.saddr, prefix: cidr.description, negated: true, family: family) {
            masqueradeRule = [RuleSpec(parts: [frontMatch, notCluster, [.verdict(.jump(Names.markForMasquerade))]])]
        }

        f.chains.append(ChainSpec(name: serviceChain, rules: masqueradeRule + balance(endpoints.cluster)))
        if info.usesLocalEndpoints {
            f.chains.append(ChainSpec(name: localChain,
                                      rules: (info.internalPolicyLocal ? masqueradeRule : []) + balance(endpoints.local)))
        }

        // Dispatch of the cluster IP.
        let reject = NFTSetElement.Data.verdict(.goto(Names.rejectChain))
        let noEndpoints: NFTSetElement.Data = endpoints.hasAnyEndpoints ? .verdict(.drop) : reject
        func front(_ address: IPAddress, _ port: UInt16) -> NFTKey { [address.nftValue, proto, .inetService(port)] }
        f.elements.append(ElementSpec(set: Names.clusterIPs, key: [clusterIP.nftValue]))
        if !endpoints.internalTrafficEndpoints(for: info).isEmpty {
            f.elements.append(ElementSpec(set: Names.serviceIPs, key: front(clusterIP, info.port),
                                          data: .verdict(.goto(info.internalPolicyLocal ? localChain : serviceChain))))
        } else {
            f.elements.append(ElementSpec(set: Names.noEndpointServices, key: front(clusterIP, info.port), data: noEndpoints))
        }

        // External traffic: node ports, external IPs, load-balancer VIPs.
        guard info.externallyAccessible else { return f }
        var externalRules: [RuleSpec] = []
        if info.externalPolicyLocal {
            if let cidr = config.clusterCIDRs.first, let fromPods = NFT.match(config.saddr, prefix: cidr.description, family: family) {
                externalRules.append(RuleSpec(parts: [fromPods, [.verdict(.goto(serviceChain))]],
                                              comment: "short-circuit pod traffic"))
            }
            externalRules.append(RuleSpec([.verdict(.goto(localChain))]))
        } else {
            externalRules.append(RuleSpec([.verdict(.jump(Names.markForMasquerade))]))
            externalRules.append(RuleSpec([.verdict(.goto(serviceChain))]))
        }
        f.chains.append(ChainSpec(name: externalChain, rules: externalRules))
        let hasExternalEndpoints = !endpoints.externalTrafficEndpoints(for: info).isEmpty
        let externalAddresses = info.externalIPs(for: config.family) + info.loadBalancerVIPs(for: config.family)
        for address in externalAddresses {
            f.elements.append(hasExternalEndpoints
                ? ElementSpec(set: Names.serviceIPs, key: front(address, info.port), data: .verdict(.goto(externalChain)))
                : ElementSpec(set: Names.noEndpointServices, key: front(address, info.port), data: noEndpoints))
        }
        if let nodePort = info.nodePort {
            let key: NFTKey = [proto, .inetService(nodePort)]
            f.elements.append(hasExternalEndpoints
                ? ElementSpec(set: Names.serviceNodePorts, key: key, data: .verdict(.goto(externalChain)))
                : ElementSpec(set: Names.noEndpointNodePorts, key: key, data: noEndpoints))
        }

        addFirewall(info: info, to: &f)
        return f
    }

    /// loadBalancerSourceRanges: only the listed sources may reach the VIPs.
    func addFirewall(info: ServicePortInfo, to f: inout RulesetFragment) {
        let name = info.name
        let proto = info.protocol.nftValue
        let firewallChain = ChainNames.firewall(name)
        let ranges = info.loadBalancerSourceRanges(for: config.family)
        let vips = info.loadBalancerVIPs(for: config.family)
        if !ranges.isEmpty && !vips.isEmpty {
            var rules: [RuleSpec] = ranges.compactMap { range in
                NFT.match(config.saddr, prefix: range.description, family: family).map {
                    RuleSpec(parts: [$0, [.verdict(.return)]])
                }
            }
            rules.append(RuleSpec([.verdict(.drop)], comment: "other traffic to \(name) on its load balancer IPs"))
            f.chains.append(ChainSpec(name: firewallChain, rules: rules))
            for vip in vips {
                f.elements.append(ElementSpec(set: Names.firewallIPs, key: [vip.nftValue, proto, .inetService(info.port)],
                                              data: .verdict(.goto(firewallChain))))
            }
        }
    }
}
