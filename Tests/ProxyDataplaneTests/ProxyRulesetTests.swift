import KubeAPI
import Netlink
import XCTest
@testable import ProxyDataplane

/// The desired ruleset and the diff, without a kernel.
final class ProxyRulesetTests: XCTestCase {
    let config = RulesetConfig(clusterCIDRs: [IPPrefix("10.244.0.0/16")!], serviceCIDRs: [IPPrefix("10.96.0.0/12")!],
                               nodePortAddresses: [IPAddress("192.168.50.1")!, IPAddress("127.0.0.1")!])

    func model(endpoints: [String] = ["10.244.1.2", "10.244.2.2"], affinity: Bool = false) -> (ProxyModel, ProxyModelUpdate) {
        var m = ProxyModel(config: Fixture.config())
        m.serviceAdded(Fixture.service("web", type: "NodePort", clusterIP: "10.96.0.50",
                                       ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30080)],
                                       sessionAffinity: affinity ? "ClientIP" : nil))
        m.endpointSliceAdded(Fixture.slice("web-1", service: "web", endpoints: endpoints.map { Fixture.endpoint($0) }))
        let update = m.apply()
        return (m, update)
    }

    func testNamesAreUpstreamLikeAndBounded() {
        let name = Fixture.portName("web")
        let chain = ChainNames.service(name)
        XCTAssertTrue(chain.hasPrefix("service-"))
        XCTAssertTrue(chain.hasSuffix("-default/web/tcp/http"), chain)
        XCTAssertEqual(chain, ChainNames.service(name), "deterministic")
        let e = EndpointInfo(address: IPAddress("10.244.1.2")!, port: 8080)
        XCTAssertTrue(ChainNames.endpoint(name, e).hasSuffix("-default/web/tcp/http__10.244.1.2/8080"))
        let long = Fixture.portName(String(repeating: "x", count: 63), String(repeating: "p", count: 63),
                                    namespace: String(repeating: "n", count: 63))
        XCTAssertLessThanOrEqual(ChainNames.endpoint(long, e).utf8.count, 255)
        XCTAssertNotEqual(ChainNames.service(long), ChainNames.local(long))
    }

    func testFullRulesetShape() {
        let (m, _) = model()
        let ruleset = RulesetBuilder(config: config).build(model: m)
        let chains = ruleset.chains
        let name = Fixture.portName("web")
        // A common service has no chains of its own: map elements into the shared chains.
        let fragment = ruleset.fragments[.servicePort(name)]!
        XCTAssertTrue(fragment.chains.isEmpty && fragment.sets.isEmpty)
        XCTAssertNil(chains[ChainNames.service(name)])
        XCTAssertEqual(chains.keys.filter { $0.hasPrefix("endpoint-") }.count, 0)
        let sets = Set(fragment.elements.map(\.set))
        XCTAssertEqual(sets, ["cluster-ips", "service-ips", "service-nodeports", "cluster-endpoints", "nodeport-endpoints",
                              "hairpin"])
        func elements(_ set: String) -> [ElementSpec] { fragment.elements.filter { $0.set == set } }
        XCTAssertEqual(elements("service-ips").map(\.data), [.verdict(.goto("cluster-lb-2"))])
        XCTAssertEqual(elements("service-nodeports").map(\.data), [.verdict(.goto("nodeport-lb-2"))])
        let ip = { (s: String) in IPAddress(s)!.nftValue }
        XCTAssertEqual(elements("cluster-endpoints").map(\.key), [
            [ip("10.96.0.50"), .tcp, .inetService(80), .integer(0)], [ip("10.96.0.50"), .tcp, .inetService(80), .integer(1)]])
        XCTAssertEqual(elements("cluster-endpoints").map(\.data), [
            .value([ip("10.244.1.2"), .inetService(8080)]), .value([ip("10.244.2.2"), .inetService(8080)])])
        XCTAssertEqual(elements("nodeport-endpoints").map(\.key), [
            [.tcp, .inetService(30080), .integer(0)], [.tcp, .inetService(30080), .integer(1)]])
        XCTAssertEqual(elements("hairpin").map(\.key), [[ip("10.244.1.2"), ip("10.244.1.2")], [ip("10.244.2.2"), ip("10.244.2.2")]])
        // Localhost is never a NodePort address.
        XCTAssertEqual(ruleset.fragments[.base]!.elements.count, 1)
    }

    func testSharedChainsAreInTheSkeleton() {
        let base = RulesetBuilder(config: config).baseFragment()
        let names = Set(base.chains.map(\.name))
        for n in 1...64 {
            XCTAssertTrue(names.isSuperset(of: ["cluster-lb-\(n)", "external-lb-\(n)", "nodeport-lb-\(n)"]), "\(n)")
        }
        XCTAssertFalse(names.contains("cluster-lb-65"))
        XCTAssertFalse(names.contains("cluster-lb-0"))
        let chains = Dictionary(uniqueKeysWithValues: base.chains.map { ($0.name, $0) })
        // cluster-lb-N: off-cluster sources are masqueraded, then one DNAT through the map.
        XCTAssertEqual(chains["cluster-lb-3"]!.rules.count, 2)
        XCTAssertEqual(chains["cluster-lb-3"]!.rules[1].expressions,
                       NFT.dnatThroughMap([.ipDaddr, .l4proto, .thDport], numgenModulus: 3, map: "cluster-endpoints",
                                          address: .ipv4Addr, family: .ip))
        // External traffic is always masqueraded.
        XCTAssertEqual(chains["external-lb-3"]!.rules[0].expressions, [.verdict(.jump("mark-for-masquerade"))])
        XCTAssertEqual(chains["nodeport-lb-3"]!.rules[1].expressions,
                       NFT.dnatThroughMap([.l4proto, .thDport], numgenModulus: 3, map: "nodeport-endpoints",
                                          address: .ipv4Addr, family: .ip))
        // Without a cluster CIDR nothing is masqueraded for being off-cluster; with
        // masquerade-all everything is.
        let bare = RulesetBuilder(config: RulesetConfig()).baseFragment().chains.first { $0.name == "cluster-lb-1" }!
        XCTAssertEqual(bare.rules.count, 1)
        let all = RulesetBuilder(config: RulesetConfig(masqueradeAll: true)).baseFragment().chains
            .first { $0.name == "cluster-lb-1" }!
        XCTAssertEqual(all.rules.first?.expressions, [.verdict(.jump("mark-for-masquerade"))])
        // Hairpin: the first rule of masquerading marks DNATed endpoint-to-itself connections.
        let masquerading = chains["masquerading"]!
        XCTAssertEqual(masquerading.rules.count, 4)
        XCTAssertEqual(masquerading.rules[0].expressions,
                       NFT.ctStatus(.dnat) + NFT.lookup([.ipSaddr, .ipDaddr], set: "hairpin", family: .ip)
                           + NFT.setMark(or: 0x4000))
        let sets = Dictionary(uniqueKeysWithValues: base.sets.map { ($0.name, $0) })
        XCTAssertEqual(sets["cluster-endpoints"]?.key, [.ipv4Addr, .inetProto, .inetService, .integer])
        XCTAssertEqual(sets["cluster-endpoints"]?.data, .value([.ipv4Addr, .inetService]))
        XCTAssertEqual(sets["nodeport-endpoints"]?.key, [.inetProto, .inetService, .integer])
        XCTAssertEqual(sets["hairpin"]?.key, [.ipv4Addr, .ipv4Addr])
        let v6 = RulesetBuilder(config: RulesetConfig(family: .ipv6)).baseFragment().sets.first { $0.name == "cluster-endpoints" }!
        XCTAssertEqual(v6.key, [.ipv6Addr, .inetProto, .inetService, .integer])
        XCTAssertEqual(v6.data, .value([.ipv6Addr, .inetService]))
    }

    func testEndpointRemovalTouchesOnlyThatService() {
        let builder = RulesetBuilder(config: config)
        var (m, _) = model()
        var state = ProgrammedState(table: config.table)
        state.commit(ProgrammedState.fullPlan(builder.build(model: m)))

        m.endpointSliceUpdated(old: Fixture.slice("web-1", service: "web", endpoints: []),
                               new: Fixture.slice("web-1", service: "web", endpoints: [Fixture.endpoint("10.244.1.2")]))
        let update = m.apply()
        let name = Fixture.portName("web")
        XCTAssertEqual(update.changedServicePorts, [name])
        let plan = state.plan(changes: [.servicePort(name): builder.fragment(for: name, model: m)])
        XCTAssertEqual(plan.chainsTouched, 0, "no chain of its own")
        // The count changes 2 → 1: the frontends move to the 1-endpoint chains, the second
        // endpoint leaves the maps; the first stays where it was.
        XCTAssertEqual(Set(plan.elementDeletes.keys), ["service-ips", "service-nodeports", "cluster-endpoints",
                                                       "nodeport-endpoints", "hairpin"])
        XCTAssertEqual(Set(plan.elementAdds.keys), ["service-ips", "service-nodeports"])
        XCTAssertEqual(plan.elementAdds["service-ips"]?.first?.data, .verdict(.goto("cluster-lb-1")))
        XCTAssertEqual(plan.elementAdds["service-nodeports"]?.first?.data, .verdict(.goto("nodeport-lb-1")))
        XCTAssertEqual(plan.elementDeletes["cluster-endpoints"]?.map(\.key.fields.last), [.integer(1)])
        state.commit(plan)

        // Nothing changed → empty plan.
        XCTAssertTrue(state.plan(changes: [.servicePort(name): builder.fragment(for: name, model: m)]).isEmpty)

        // The endpoint replaced by another (same count): only data-map and set elements, no
        // verdict element, so the kernel has nothing to validate.
        m.endpointSliceUpdated(old: Fixture.slice("web-1", service: "web", endpoints: []),
                               new: Fixture.slice("web-1", service: "web", endpoints: [Fixture.endpoint("10.244.3.2")]))
        _ = m.apply()
        let replaced = state.plan(changes: [.servicePort(name): builder.fragment(for: name, model: m)])
        XCTAssertEqual(Set(replaced.elementDeletes.keys), ["cluster-endpoints", "nodeport-endpoints", "hairpin"])
        XCTAssertEqual(Set(replaced.elementAdds.keys), ["cluster-endpoints", "nodeport-endpoints", "hairpin"])
        XCTAssertEqual(replaced.chainsTouched, 0)
        state.commit(replaced)

        // Last endpoint gone → dispatch moves to no-endpoint maps with reject.
        m.endpointSliceUpdated(old: Fixture.slice("web-1", service: "web", endpoints: []),
                               new: Fixture.slice("web-1", service: "web", endpoints: []))
        _ = m.apply()
        let plan2 = state.plan(changes: [.servicePort(name): builder.fragment(for: name, model: m)])
        XCTAssertEqual(Set(plan2.elementDeletes.keys), ["service-ips", "service-nodeports", "cluster-endpoints",
                                                        "nodeport-endpoints", "hairpin"])
        XCTAssertEqual(Set(plan2.elementAdds.keys), ["no-endpoint-services", "no-endpoint-nodeports"])
        XCTAssertEqual(plan2.elementAdds["no-endpoint-services"]?.first?.data, .verdict(.goto("reject-chain")))
    }

    /// Services with affinity (and Local policies, and many endpoints) keep their own chains.
    func testSpecialServiceKeepsItsChains() {
        let builder = RulesetBuilder(config: config)
        var (m, _) = model(affinity: true)
        var state = ProgrammedState(table: config.table)
        let ruleset = builder.build(model: m)
        state.commit(ProgrammedState.fullPlan(ruleset))
        let name = Fixture.portName("web")
        let chains = ruleset.chains
        XCTAssertNotNil(chains[ChainNames.service(name)])
        XCTAssertNotNil(chains[ChainNames.external(name)])
        XCTAssertEqual(chains.keys.filter { $0.hasPrefix("endpoint-") }.count, 2)
        let fragment = ruleset.fragments[.servicePort(name)]!
        XCTAssertEqual(Set(fragment.elements.map(\.set)), ["cluster-ips", "service-ips", "service-nodeports"])
        // Masquerade rule, one affinity lookup per endpoint, then the 2-rule cascade.
        XCTAssertEqual(chains[ChainNames.service(name)]!.rules.count, 5)

        m.endpointSliceUpdated(old: Fixture.slice("web-1", service: "web", endpoints: []),
                               new: Fixture.slice("web-1", service: "web", endpoints: [Fixture.endpoint("10.244.1.2")]))
        _ = m.apply()
        let plan = state.plan(changes: [.servicePort(name): builder.fragment(for: name, model: m)])
        XCTAssertEqual(plan.rewrittenChains.map(\.name), [ChainNames.service(name)])
        XCTAssertEqual(plan.removedChains.count, 1)
        XCTAssertTrue(plan.removedChains[0].hasSuffix("10.244.2.2/8080"))
        XCTAssertEqual(plan.removedSets.count, 1)
        XCTAssertTrue(plan.newChains.isEmpty)
        XCTAssertTrue(plan.elementAdds.isEmpty && plan.elementDeletes.isEmpty, "dispatch unchanged")

        // Local policies are special too.
        var local = ProxyModel(config: Fixture.config())
        local.serviceAdded(Fixture.service("lp", type: "NodePort", clusterIP: "10.96.0.51",
                                           ports: [ServicePort(name: "http", protocol: "TCP", port: 80, nodePort: 30081)],
                                           externalTrafficPolicy: "Local"))
        local.serviceAdded(Fixture.service("ip", clusterIP: "10.96.0.52", internalTrafficPolicy: "Local"))
        for svc in ["lp", "ip"] {
            local.endpointSliceAdded(Fixture.slice("\(svc)-1", service: svc, endpoints: [Fixture.endpoint("10.244.1.2", node: "node-a")]))
        }
        _ = local.apply()
        for svc in ["lp", "ip"] {
            let f = builder.fragment(for: Fixture.portName(svc), model: local)
            XCTAssertNotNil(f.chains.first { $0.name == ChainNames.local(Fixture.portName(svc)) }, svc)
        }
    }

    func testManyEndpointsGetTheirOwnChains() {
        var small = config
        small.maxSharedEndpoints = 2
        let builder = RulesetBuilder(config: small)
        XCTAssertEqual(builder.baseFragment().chains.filter { $0.name.contains("-lb-") }.count, 6)
        let (two, _) = model()
        XCTAssertTrue(builder.fragment(for: Fixture.portName("web"), model: two).chains.isEmpty)
        let (three, _) = model(endpoints: ["10.244.1.2", "10.244.2.2", "10.244.3.2"])
        let f = builder.fragment(for: Fixture.portName("web"), model: three)
        XCTAssertEqual(f.chains.filter { $0.name.hasPrefix("endpoint-") }.count, 3)
        XCTAssertEqual(f.elements.first { $0.set == "service-ips" }?.data,
                       .verdict(.goto(ChainNames.service(Fixture.portName("web")))))
        XCTAssertFalse(f.elements.contains { $0.set == "cluster-endpoints" || $0.set == "hairpin" })
    }

    func testSharedClusterIPElementIsRefcounted() {
        let builder = RulesetBuilder(config: config)
        var m = ProxyModel(config: Fixture.config())
        m.serviceAdded(Fixture.service("two", clusterIP: "10.96.0.60", ports: [
            ServicePort(name: "a", protocol: "TCP", port: 80), ServicePort(name: "b", protocol: "TCP", port: 81)]))
        _ = m.apply()
        var state = ProgrammedState(table: config.table)
        state.commit(ProgrammedState.fullPlan(builder.build(model: m)))
        // Removing one port keeps the cluster IP in cluster-ips.
        let a = Fixture.portName("two", "a")
        let plan = state.plan(changes: [.servicePort(a): RulesetFragment()])
        XCTAssertNil(plan.elementDeletes["cluster-ips"])
        XCTAssertEqual(plan.elementDeletes["no-endpoint-services"]?.count, 1)
        XCTAssertEqual(plan.removedChains, [], "a service without endpoints has no chains")
    }

    func testSharedHairpinElementIsRefcounted() {
        let builder = RulesetBuilder(config: config)
        var m = ProxyModel(config: Fixture.config())
        for (svc, ip) in [("x", "10.96.0.70"), ("y", "10.96.0.71")] {
            m.serviceAdded(Fixture.service(svc, clusterIP: ip))
            m.endpointSliceAdded(Fixture.slice("\(svc)-1", service: svc, endpoints: [Fixture.endpoint("10.244.1.2")]))
        }
        _ = m.apply()
        var state = ProgrammedState(table: config.table)
        let full = ProgrammedState.fullPlan(builder.build(model: m))
        XCTAssertEqual(full.elementAdds["hairpin"]?.count, 1, "one element for two contributors")
        state.commit(full)
        let plan = state.plan(changes: [.servicePort(Fixture.portName("x")): RulesetFragment()])
        XCTAssertNil(plan.elementDeletes["hairpin"], "y still wants it")
        XCTAssertEqual(plan.elementDeletes["cluster-endpoints"]?.count, 1)
    }

    func testAffinitySetsPerEndpoint() {
        let (m, _) = model(affinity: true)
        let fragment = RulesetBuilder(config: config).fragment(for: Fixture.portName("web"), model: m)
        XCTAssertEqual(fragment.sets.count, 2)
        XCTAssertTrue(fragment.sets.allSatisfy { $0.flags.contains(.timeout) && $0.timeout == .seconds(10_800) })
    }
}
