import Netlink

/// Computes the desired ruleset of one family's table from the model, after kube-proxy's
/// nftables proxier:
///
/// - `services`: `daddr . l4proto . dport vmap @service-ips` (ClusterIPs, external IPs, LB VIPs)
///   and `daddr @nodeport-ips l4proto . dport vmap @service-nodeports`, from nat prerouting
///   and output.
/// - per service port `service-…` (masquerade of off-cluster clients, affinity, then a
///   uniform `numgen` cascade over `endpoint-…` chains), `external-…` (masquerade, or the
///   Local policy's `local-…` chain), `firewall-…` (loadBalancerSourceRanges).
/// - per endpoint `endpoint-…`: hairpin masquerade, affinity update, DNAT.
/// - no endpoints: `no-endpoint-services`/`no-endpoint-nodeports` map the frontend to
///   `goto reject-chain` (none anywhere) or `drop` (Local policy, none on this node), checked
///   in the filter hooks before DNAT; `cluster-ips-check` rejects unknown ports of known
///   ClusterIPs and drops the rest of the service CIDR.
/// - postrouting masquerades packets carrying the masquerade mark bit.
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
        f.elements = config.nodePortAddresses.map { ElementSpec(set: Names.nodePortIPs, key: [$0.nftValue]) }
        return f
    }

    // MARK: one service port

    func servicePortFragment(info: ServicePortInfo, model: ProxyModel) -> RulesetFragment {
        guard let clusterIP = info.clusterIP(for: config.family) else { return RulesetFragment() }
        let name = info.name
        let endpoints = model.categorizedEndpoints(for: name, family: config.family) ?? CategorizedEndpoints()
        let proto = info.protocol.nftValue
        let serviceChain = ChainNames.service(name)
        let localChain = ChainNames.local(name)
        let externalChain = ChainNames.external(name)
        let firewallChain = ChainNames.firewall(name)
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

        // loadBalancerSourceRanges: only the listed sources may reach the VIPs.
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
                f.elements.append(ElementSpec(set: Names.firewallIPs, key: front(vip, info.port),
                                              data: .verdict(.goto(firewallChain))))
            }
        }
        return f
    }
}
