import ArgumentParser
import CNI
import DNS
import Foundation
import KubeAPI
import Logging
import Netlink
import NodeAgent
import Overlay
import ProxyDataplane

/// What `skiff agent` runs beside the node agent proper, each as its standalone command
/// would (`skiff overlay`, `skiff proxy`, `skiff dns`), in one process and fed by the node's
/// one informer cache: the VXLAN overlay (which writes the CNI config the agent's Pods are
/// networked with), the Service proxy, and a node-local DNS server that ClusterFirst Pods
/// are pointed at. `--disable` turns each off.
struct AgentNetworking {
    enum Component: String, CaseIterable {
        case overlay, proxy, dns
    }

    var enabled: Set<Component>
    var nodeName: String
    var nodeIP: String?
    var clusterCIDR: IPPrefix
    var serviceCIDRs: [IPPrefix]
    var cniConfDir: String
    var cniBinDir: String
    var cniIPAMDir: String?
    var clusterDomain: String

    static func parse(disable: String) throws -> Set<Component> {
        var enabled = Set(Component.allCases)
        for item in disable.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let component = Component(rawValue: item) else {
                throw ValidationError("--disable: unknown component \"\(item)\" (overlay, proxy, dns)")
            }
            enabled.remove(component)
        }
        return enabled
    }

    /// The tasks to run, fed by the node's shared informers; each ends when the calling task
    /// is cancelled.
    func tasks(client: KubeClient, informers: NodeInformers, logger: Logger) throws -> [@Sendable () async -> Void] {
        var tasks: [@Sendable () async -> Void] = []
        if enabled.contains(.overlay) {
            var config = OverlayConfig(nodeName: nodeName, clusterCIDR: clusterCIDR,
                                       publicIP: nodeIP.flatMap { IPAddress($0) })
            config.cniInstallation = CNIInstallation(confDir: cniConfDir, binDir: cniBinDir, chained: [.portmap], ipamDataDir: cniIPAMDir)
            config.cniPluginSource = OverlayCommand.executableDirectory().map { $0 + "/" + CNIInstallation.pluginName }
            let overlay = Overlay(client: client, config: config, logger: logger)
            tasks.append {
                do { try await overlay.run(informer: informers.nodes) } catch is CancellationError {} catch {
                    logger.error("overlay stopped: \(error)")
                }
            }
        }
        if enabled.contains(.proxy) {
            var families = IPFamily.allCases.filter { f in serviceCIDRs.contains { $0.family == f } }
            if families.isEmpty { families = [.ipv4] }
            var config = ProxyConfig(nodeName: nodeName, clusterCIDRs: [clusterCIDR], serviceCIDRs: serviceCIDRs, ipFamilies: families)
            config.nodePortAddresses = nodeIP.flatMap { IPAddress($0) }.map { [$0] } ?? []
            let proxy = try ServiceProxy(client: client, config: config,
                                         shared: .init(services: informers.services, endpointSlices: informers.endpointSlices,
                                                       nodes: informers.nodes),
                                         logger: logger)
            tasks.append {
                do {
                    try await proxy.run(listeners: ServiceProxy.Listeners(metrics: nil, healthz: nil))
                } catch is CancellationError {} catch { logger.error("proxy stopped: \(error)") }
            }
        }
        if enabled.contains(.dns) {
            guard let domain = DNSName(clusterDomain), !domain.isRoot else {
                throw ValidationError("--cluster-domain: \"\(clusterDomain)\" is not a domain name")
            }
            let config = ClusterDNSConfig(clusterDomain: domain, listenHost: "0.0.0.0", listenPort: 53, nodeName: nodeName)
            let resolvers = (try? DNSUpstreams.loadResolvConf(path: "/etc/resolv.conf", excluding: nil)) ?? []
            let forwarder = DNSForwarder(.init(upstreams: resolvers, timeout: .seconds(2), maxInFlight: 1000), logger: logger)
            let upstream = DNSQueryHandler.Upstream(forwarder: forwarder, cache: DNSCache(.init(capacity: 10_000)))
            let dns = ClusterDNS(client: client, config: config, upstream: upstream,
                                 shared: .init(services: informers.services, endpointSlices: informers.endpointSlices,
                                               pods: informers.pods),
                                 logger: logger)
            tasks.append {
                do { try await dns.run() } catch is CancellationError {} catch { logger.error("DNS stopped: \(error)") }
            }
        }
        return tasks
    }
}
