import Netlink

/// Server-side search-list completion for pods (what CoreDNS's autopath does, keyed by the
/// asking pod's namespace, which a node-local server knows).
///
/// With `options ndots:5` and `search <ns>.svc.<zone> svc.<zone> <zone>`, a pod resolving
/// `example.com` first asks `example.com.<ns>.svc.<zone>`, then `example.com.svc.<zone>`,
/// `example.com.<zone>`, any host search domains, and at last `example.com.`: four wasted round
/// trips per family. When the first query arrives from a ClusterFirst pod of namespace `<ns>`
/// and is NXDOMAIN, the server walks the rest of that pod's search list itself and answers
/// with a CNAME from the asked name to the first candidate that exists, plus that candidate's
/// records: the answer the pod's resolver would have reached, in one round trip. If no
/// candidate exists the pod gets the NXDOMAIN it would have got and searches on as usual.
///
/// Only pods whose search list is known are completed (`DNSPod.usesClusterSearchList`), and
/// only for the exact first step of it (the namespace in the name must be the pod's), so a
/// pod that asks a literal name of that shape by hand also gets a CNAME instead of NXDOMAIN:
/// the one visible difference, as with autopath.
public struct SearchCompletion: Sendable {
    public let pods: PodDirectory
    /// The node's own search domains, which the agent appends to the pod's list (kubelet does).
    public let hostSearchDomains: [DNSName]

    public init(pods: PodDirectory, hostSearchDomains: [DNSName] = []) {
        self.pods = pods
        self.hostSearchDomains = hostSearchDomains
    }

    /// The names the pod at `client` would ask after `name`, in order; nil when `name` is not
    /// the first step of that pod's search (or the pod is unknown).
    public func remainingSearch(after name: DNSName, client: IPAddress, zone: ClusterZone) -> [DNSName]? {
        // <rest>.<ns>.svc.<zone>, with at least one label of <rest>.
        let inZone = name.labelCount - zone.domain.labelCount
        guard zone.contains(name), inZone >= 3 else { return nil }
        let labels = name.labels
        let svc = labels[inZone - 1], namespace = labels[inZone - 2]
        guard String(decoding: svc.map(DNSName.lower), as: UTF8.self) == "svc",
              let podNamespace = pods.namespace(of: client),
              String(decoding: namespace.map(DNSName.lower), as: UTF8.self) == podNamespace,
              let rest = DNSName(labels: Array(labels.prefix(inZone - 2))) else { return nil }
        let suffixes = [zone.domain.prepending("svc"), zone.domain] + hostSearchDomains.map { Optional($0) }
        var out: [DNSName] = []
        for suffix in suffixes {
            guard let suffix, let candidate = DNSName(labels: rest.labels + suffix.labels) else { continue }
            out.append(candidate)
        }
        out.append(rest)
        return out
    }
}
