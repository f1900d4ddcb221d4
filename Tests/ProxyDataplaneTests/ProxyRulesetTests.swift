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
        XCTAssertNotNil(chains[ChainNames.service(name)])
        XCTAssertNotNil(chains[ChainNames.external(name)])
        XCTAssertEqual(chains.keys.filter { $0.hasPrefix("endpoint-") }.count, 2)
        let fragment = ruleset.fragments[.servicePort(name)]!
        let sets = Set(fragment.elements.map(\.set))
        XCTAssertEqual(sets, ["cluster-ips", "service-ips", "service-nodeports"])
        // Localhost is never a NodePort address.
        XCTAssertEqual(ruleset.fragments[.base]!.elements.count, 1)
        // Cascade: 2 endpoints → 2 rules after the masquerade rule.
        XCTAssertEqual(chains[ChainNames.service(name)]!.rules.count, 3)
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
        XCTAssertEqual(plan.rewrittenChains.map(\.name), [ChainNames.service(name)])
        XCTAssertEqual(plan.removedChains.count, 1)
        XCTAssertTrue(plan.removedChains[0].hasSuffix("10.244.2.2/8080"))
        XCTAssertTrue(plan.newChains.isEmpty)
        XCTAssertTrue(plan.elementAdds.isEmpty && plan.elementDeletes.isEmpty, "dispatch unchanged")
        state.commit(plan)

        // Nothing changed → empty plan.
        XCTAssertTrue(state.plan(changes: [.servicePort(name): builder.fragment(for: name, model: m)]).isEmpty)

        // Last endpoint gone → dispatch moves to no-endpoint maps with reject, chains stay minimal.
        m.endpointSliceUpdated(old: Fixture.slice("web-1", service: "web", endpoints: []),
                               new: Fixture.slice("web-1", service: "web", endpoints: []))
        _ = m.apply()
        let plan2 = state.plan(changes: [.servicePort(name): builder.fragment(for: name, model: m)])
        XCTAssertEqual(Set(plan2.elementDeletes.keys), ["service-ips", "service-nodeports"])
        XCTAssertEqual(Set(plan2.elementAdds.keys), ["no-endpoint-services", "no-endpoint-nodeports"])
        XCTAssertEqual(plan2.elementAdds["no-endpoint-services"]?.first?.data, .verdict(.goto("reject-chain")))
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
        XCTAssertEqual(plan.removedChains, [ChainNames.service(a)])
    }

    func testAffinitySetsPerEndpoint() {
        let (m, _) = model(affinity: true)
        let fragment = RulesetBuilder(config: config).fragment(for: Fixture.portName("web"), model: m)
        XCTAssertEqual(fragment.sets.count, 2)
        XCTAssertTrue(fragment.sets.allSatisfy { $0.flags.contains(.timeout) && $0.timeout == .seconds(10_800) })
    }
}
