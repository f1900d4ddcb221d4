import Foundation
import KubeAPI
import Logging

/// What every Pod worker on this node shares: the API client, the image store, CNI, runc,
/// the state directories and the DNS settings Pods get.
public struct PodEnvironment: Sendable {
    public var client: KubeClient
    public var nodeName: String
    public var nodeIP: String?
    public var stateDirectory: String
    public var images: ImageStore
    public var puller: RegistryPuller
    public var cni: CNIInvoker
    public var runcBinary: String
    /// `--cluster-dns` / `--cluster-domain`, for dnsPolicy ClusterFirst. Empty: the Pod's
    /// gateway (the node's bridge address), where the node's embedded DNS answers: a reply
    /// from the address the Pod asked, which the node's own address would not be for a server
    /// bound to all addresses.
    public var clusterDNS: [String] = ["10.96.0.10"]
    public var clusterDomain = "cluster.local"
    /// The kubelet's containerLogMaxSize / containerLogMaxFiles.
    public var containerLogMaxSize: Int64 = 10 << 20
    public var containerLogMaxFiles = 5
    public var logger: Logger

    public init(client: KubeClient, nodeName: String, nodeIP: String?, stateDirectory: String, images: ImageStore,
                cni: CNIInvoker, runcBinary: String, logger: Logger) {
        self.client = client
        self.nodeName = nodeName
        self.nodeIP = nodeIP
        self.stateDirectory = stateDirectory
        self.images = images
        puller = RegistryPuller(store: images, insecureRegistries: [])
        self.cni = cni
        self.runcBinary = runcBinary
        self.logger = logger
    }

    var runc: Runc { Runc(binary: runcBinary, root: stateDirectory + "/runc") }

    func podDirectory(_ uid: String) -> String { stateDirectory + "/pods/" + uid }
    func netnsPath(_ uid: String) -> String { stateDirectory + "/netns/" + uid }
    func logDirectory(_ pod: Pod) -> String {
        stateDirectory + "/logs/\(pod.metadata?.namespace ?? "")_\(pod.metadata?.name ?? "")_\(pod.metadata?.uid ?? "")"
    }

    /// An Event about the Pod, from the kubelet as upstream's name it.
    func recordEvent(for pod: Pod, _ type: String, _ reason: String, _ message: String) async {
        let now = KubeTime.format()
        let suffix = String(UInt64(Date().timeIntervalSince1970 * 1e9), radix: 16)
        let event = Event(metadata: ObjectMeta(name: "\(pod.metadata?.name ?? "").\(suffix)", namespace: pod.metadata?.namespace),
                          involvedObject: ObjectReference(kind: "Pod", namespace: pod.metadata?.namespace, name: pod.metadata?.name,
                                                          uid: pod.metadata?.uid, apiVersion: "v1"),
                          reason: reason, message: message, source: EventSource(component: "kubelet", host: nodeName),
                          firstTimestamp: now, lastTimestamp: now, count: 1, type: type,
                          reportingComponent: "kubelet", reportingInstance: nodeName)
        _ = try? await client.create(event, namespace: pod.metadata?.namespace)
    }

    /// resolv.conf for the Pod's dnsPolicy, as the kubelet writes it.
    func resolvConf(for pod: Pod, gateway: String?) -> String {
        let namespace = pod.metadata?.namespace ?? "default"
        var nameservers: [String] = []
        var searches: [String] = []
        var options: [String] = []
        switch pod.spec?.dnsPolicy ?? "ClusterFirst" {
        case "Default":
            return (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        case "None":
            break
        default:
            nameservers = clusterDNS.isEmpty ? [gateway].compactMap { $0 } : clusterDNS
            searches = ["\(namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain]
            options = ["ndots:5"]
        }
        if let config = pod.spec?.dnsConfig {
            nameservers += config.nameservers ?? []
            searches += config.searches ?? []
            options += (config.options ?? []).map { option in option.value.map { "\(option.name ?? ""):\($0)" } ?? (option.name ?? "") }
        }
        var text = ""
        if !searches.isEmpty { text += "search " + searches.joined(separator: " ") + "\n" }
        for server in nameservers { text += "nameserver \(server)\n" }
        if !options.isEmpty { text += "options " + options.joined(separator: " ") + "\n" }
        return text
    }

    func hostsFile(for pod: Pod, ip: String?) -> String {
        var text = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        let name = pod.spec?.hostname ?? pod.metadata?.name ?? ""
        if let ip { text += "\(ip)\t\(name)\n" }
        for alias in pod.spec?.hostAliases ?? [] {
            text += "\n# Entries added by HostAliases.\n\(alias.ip ?? "")\t\((alias.hostnames ?? []).joined(separator: "\t"))\n"
        }
        return text
    }
}
