import ArgumentParser
import ProxyDataplane
import Netlink

/// Which of the proxy's two ruleset layouts a measurement programs (RulesetBuilder):
/// - `flat`, the default: common Services get no chains of their own, only map elements that
///   dispatch to shared `cluster-lb-N`/`external-lb-N`/`nodeport-lb-N` chains DNATing through
///   endpoint data maps.
/// - `dedicated` (`maxSharedEndpoints: 0`): a chain per Service port and per endpoint, the
///   layout upstream kube-proxy's nftables mode writes.
enum ProxyLayout: String, CaseIterable, ExpressibleByArgument, Sendable {
    case flat
    case dedicated

    var rulesetConfig: RulesetConfig {
        var config = RulesetConfig(clusterCIDRs: [IPPrefix(ProxyWorkload.clusterCIDR)!],
                                   serviceCIDRs: [IPPrefix(ProxyWorkload.serviceCIDR)!],
                                   nodePortAddresses: [IPAddress(ProxyWorkload.nodeAddress)!])
        if self == .dedicated { config.maxSharedEndpoints = 0 }
        return config
    }

    var title: String {
        switch self {
        case .flat: "flat layout (skiff's default: shared chains, endpoint maps)"
        case .dedicated: "dedicated layout (a chain per Service and per endpoint, as upstream kube-proxy)"
        }
    }
}
