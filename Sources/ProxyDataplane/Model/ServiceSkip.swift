import Netlink

/// A Service (or one of its ports) the proxy will not program, and why. The API server accepts
/// objects the kernel cannot take (a port of 0 from an old client, an address of a family the
/// node does not run, garbage written straight to the store); one such object must never stop
/// the others from being programmed, so it is skipped, and this value is what the proxy logs
/// and counts in its metrics.
public struct ServiceSkip: Sendable, Hashable, CustomStringConvertible {
    public var service: ServiceName
    /// The port's name when only that port is skipped (its siblings are still programmed);
    /// nil when the whole service is.
    public var portName: String?
    public var reason: ServiceSkipReason

    public init(service: ServiceName, portName: String? = nil, reason: ServiceSkipReason) {
        self.service = service
        self.portName = portName
        self.reason = reason
    }

    public var description: String {
        if let portName {
            return "service \(service) port \(portName.isEmpty ? "\"\"" : portName) skipped: \(reason)"
        }
        return "service \(service) skipped: \(reason)"
    }
}

/// Why a service or service port was skipped. `code` is a stable label for metrics.
public enum ServiceSkipReason: Sendable, Hashable, CustomStringConvertible {
    /// A cluster IP that is not an IP address.
    case invalidClusterIP(String)
    /// Every cluster IP is of a family this node does not program.
    case noClusterIPInNodeFamilies([IPFamily])
    /// An external IP that is not an IP address (whole service: its external rules would be incomplete).
    case invalidExternalIP(String)
    /// A LoadBalancer ingress IP that is not an IP address.
    case invalidLoadBalancerIP(String)
    /// A source range that is not a CIDR. Skipping fails closed: ignoring it could open the
    /// load balancer to every source.
    case invalidSourceRange(String)
    /// A ClientIP affinity timeout outside 1…86400 seconds.
    case invalidSessionAffinityTimeout(Int32)
    /// A service port outside 1…65535 (or absent).
    case invalidPort(Int32?)
    /// A node port outside 1…65535.
    case invalidNodePort(Int32)
    /// A protocol other than TCP, UDP or SCTP.
    case unsupportedProtocol(String)
    /// Two ports with the same name and protocol: both would key the same rules.
    case duplicatePortName(String)
    /// Two ports with the same number and protocol: both would claim the same map element.
    case duplicatePort(UInt16, TransportProtocol)
    /// Two ports with the same node port and protocol.
    case duplicateNodePort(UInt16, TransportProtocol)

    /// A short CamelCase label, stable across releases, for a metric's `reason` label.
    public var code: String {
        switch self {
        case .invalidClusterIP: return "InvalidClusterIP"
        case .noClusterIPInNodeFamilies: return "IPFamilyNotOnNode"
        case .invalidExternalIP: return "InvalidExternalIP"
        case .invalidLoadBalancerIP: return "InvalidLoadBalancerIP"
        case .invalidSourceRange: return "InvalidSourceRange"
        case .invalidSessionAffinityTimeout: return "InvalidSessionAffinityTimeout"
        case .invalidPort: return "InvalidPort"
        case .invalidNodePort: return "InvalidNodePort"
        case .unsupportedProtocol: return "UnsupportedProtocol"
        case .duplicatePortName: return "DuplicatePortName"
        case .duplicatePort: return "DuplicatePort"
        case .duplicateNodePort: return "DuplicateNodePort"
        }
    }

    public var description: String {
        switch self {
        case .invalidClusterIP(let s): return "cluster IP \"\(s)\" is not an IP address"
        case .noClusterIPInNodeFamilies(let f):
            return "no cluster IP of a family this node runs (service has \(f.map(\.rawValue).joined(separator: ", ")))"
        case .invalidExternalIP(let s): return "external IP \"\(s)\" is not an IP address"
        case .invalidLoadBalancerIP(let s): return "load balancer ingress IP \"\(s)\" is not an IP address"
        case .invalidSourceRange(let s): return "load balancer source range \"\(s)\" is not a CIDR"
        case .invalidSessionAffinityTimeout(let t): return "session affinity timeout \(t)s is outside 1…86400"
        case .invalidPort(let p): return "port \(p.map(String.init) ?? "(none)") is outside 1…65535"
        case .invalidNodePort(let p): return "node port \(p) is outside 1…65535"
        case .unsupportedProtocol(let p): return "protocol \"\(p)\" is not TCP, UDP or SCTP"
        case .duplicatePortName(let n): return "port name \"\(n)\" is used twice"
        case .duplicatePort(let p, let proto): return "port \(p)/\(proto) is used twice"
        case .duplicateNodePort(let p, let proto): return "node port \(p)/\(proto) is used twice"
        }
    }
}
