import KubeAPI
import Netlink

/// One Service as the proxy sees it: the ports to program and what was skipped. Two
/// translations compare equal exactly when the service's rules would be the same, which is how
/// the change tracker drops updates that touch nothing it programs (status conditions,
/// annotations, a new resourceVersion).
public struct ServiceTranslation: Sendable, Hashable {
    public var service: ServiceName
    public var ports: PortTable<ServicePortInfo>
    /// Ports (or the whole service) left out because the kernel could not take them.
    public var skips: [ServiceSkip]
    /// Set when the service programs nothing by design (headless, ExternalName).
    public var notProxied: ServiceNotProxiedReason?

    public init(service: ServiceName, ports: PortTable<ServicePortInfo> = [:], skips: [ServiceSkip] = [],
                notProxied: ServiceNotProxiedReason? = nil) {
        self.service = service
        self.ports = ports
        self.skips = skips
        self.notProxied = notProxied
    }
}

/// Services that program nothing by design; not errors, so not counted as skips.
public enum ServiceNotProxiedReason: String, Sendable, Hashable {
    /// `clusterIP: None`: DNS answers with the endpoints themselves.
    case headless
    /// `type: ExternalName`: a DNS CNAME, no proxying.
    case externalName
    /// No cluster IP allocated (yet).
    case noClusterIP
}

extension ServiceTranslation {
    /// Translates a Service for a node running `families`, as upstream's serviceToServiceMap
    /// and newBaseServiceInfo do, but validating what upstream trusts the API server for.
    /// Nil when the object has no namespace/name to key it by.
    public init?(_ service: ProxyService, families: Set<IPFamily>) {
        guard let key = ServiceName(validatingNamespace: service.meta.namespace, name: service.meta.name)
        else { return nil }
        self.init(service: key)
        let spec = service.spec ?? ProxyService.Spec()
        let type = spec.type ?? "ClusterIP"

        // Programs-nothing cases first, in upstream's ShouldSkipService order.
        let rawClusterIPs = (spec.clusterIPs?.isEmpty == false ? spec.clusterIPs! : [spec.clusterIP].compactMap { $0 })
        if spec.clusterIP == "None" || rawClusterIPs.contains("None") {
            notProxied = .headless
            return
        }
        if type == "ExternalName" {
            notProxied = .externalName
            return
        }
        if rawClusterIPs.allSatisfy({ $0.isEmpty }) {
            notProxied = .noClusterIP
            return
        }

        // Whole-service checks: any failure leaves no ports.
        func skip(_ reason: ServiceSkipReason) { skips.append(ServiceSkip(service: key, reason: reason)) }

        var clusterIPs: [IPAddress] = []
        var allFamilies: [IPFamily] = []
        for text in rawClusterIPs where !text.isEmpty {
            guard let ip = IPAddress(text) else { skip(.invalidClusterIP(text)); return }
            if !allFamilies.contains(ip.family) { allFamilies.append(ip.family) }
            // One per family (a second of the same family is invalid upstream; the first wins).
            if families.contains(ip.family) && !clusterIPs.contains(where: { $0.family == ip.family }) {
                clusterIPs.append(ip)
            }
        }
        guard !clusterIPs.isEmpty else { skip(.noClusterIPInNodeFamilies(allFamilies)); return }

        var externalIPs: [IPAddress] = []
        for text in spec.externalIPs ?? [] {
            let trimmed = text.trimmingWhitespace()
            if trimmed.isEmpty { continue } // upstream ignores empty entries silently
            guard let ip = IPAddress(String(trimmed)) else { skip(.invalidExternalIP(text)); return }
            if families.contains(ip.family) && !externalIPs.contains(ip) { externalIPs.append(ip) }
        }

        var vips: [IPAddress] = []
        for ingress in service.status?.loadBalancer?.ingress ?? [] {
            guard let text = ingress.ip, !text.isEmpty else { continue } // hostname-only ingress
            // ipMode unset means VIP (LoadBalancerIPMode is GA); Proxy or anything else gets no rules.
            guard ingress.ipMode == nil || ingress.ipMode == "VIP" else { continue }
            guard let ip = IPAddress(text) else { skip(.invalidLoadBalancerIP(text)); return }
            if families.contains(ip.family) && !vips.contains(ip) { vips.append(ip) }
        }

        var sourceRanges: [IPPrefix] = []
        for text in spec.loadBalancerSourceRanges ?? [] {
            if text.trimmingWhitespace().isEmpty { continue }
            guard let prefix = IPPrefix(text) else { skip(.invalidSourceRange(text)); return }
            if families.contains(prefix.family) && !sourceRanges.contains(prefix) { sourceRanges.append(prefix) }
        }

        var affinity = SessionAffinity.none
        if spec.sessionAffinity == "ClientIP" {
            let timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds
                ?? Int32(SessionAffinity.defaultClientIPTimeoutSeconds)
            guard timeout >= 1, Int(timeout) <= SessionAffinity.maxClientIPTimeoutSeconds else {
                skip(.invalidSessionAffinityTimeout(timeout)); return
            }
            affinity = .clientIP(timeoutSeconds: Int(timeout))
        }

        // apiservice.ExternallyAccessible / ExternalPolicyLocal / InternalPolicyLocal / NeedsHealthCheck.
        let externallyAccessible = type == "LoadBalancer" || type == "NodePort"
            || (type == "ClusterIP" && !(spec.externalIPs ?? []).isEmpty)
        let externalLocal = externallyAccessible && spec.externalTrafficPolicy == "Local"
        let internalLocal = spec.internalTrafficPolicy == "Local"
        var healthCheckNodePort: UInt16?
        if type == "LoadBalancer" && externalLocal, let hc = spec.healthCheckNodePort, hc >= 1, hc <= 65535 {
            healthCheckNodePort = UInt16(hc)
        }

        // Per-port checks: a bad port is skipped, its siblings are still programmed.
        var usedPorts = Set<PortKey>(), usedNodePorts = Set<PortKey>()
        for servicePort in spec.ports ?? [] {
            let portName = servicePort.name ?? ""
            func skipPort(_ reason: ServiceSkipReason) {
                skips.append(ServiceSkip(service: key, portName: portName, reason: reason))
            }
            guard let proto = TransportProtocol(apiValue: servicePort.protocol) else {
                skipPort(.unsupportedProtocol(servicePort.protocol ?? "")); continue
            }
            guard let number = servicePort.port, number >= 1, number <= 65535 else {
                skipPort(.invalidPort(servicePort.port)); continue
            }
            var nodePort: UInt16?
            if let np = servicePort.nodePort, np != 0 {
                guard np >= 1, np <= 65535 else { skipPort(.invalidNodePort(np)); continue }
                nodePort = UInt16(np)
            }
            let name = ServicePortName(service: key, port: portName, protocol: proto)
            guard ports[name] == nil else { skipPort(.duplicatePortName(portName)); continue }
            guard usedPorts.insert(PortKey(port: UInt16(number), protocol: proto)).inserted else {
                skipPort(.duplicatePort(UInt16(number), proto)); continue
            }
            if let nodePort {
                guard usedNodePorts.insert(PortKey(port: nodePort, protocol: proto)).inserted else {
                    skipPort(.duplicateNodePort(nodePort, proto)); continue
                }
            }
            ports[name] = ServicePortInfo(
                name: name, clusterIPs: clusterIPs, port: UInt16(number), nodePort: nodePort,
                externalIPs: externalIPs, loadBalancerVIPs: vips, loadBalancerSourceRanges: sourceRanges,
                sessionAffinity: affinity, externalPolicyLocal: externalLocal, internalPolicyLocal: internalLocal,
                healthCheckNodePort: healthCheckNodePort)
        }
    }
}

private struct PortKey: Hashable {
    var port: UInt16
    var `protocol`: TransportProtocol
}
