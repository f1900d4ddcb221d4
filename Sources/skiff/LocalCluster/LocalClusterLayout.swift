import ArgumentParser
import Foundation
import Netlink

/// Everything a `skiff up` cluster consists of, derived from its name, node count, underlay
/// subnet and data directory, so that `skiff down` finds exactly what `skiff up` made:
///
///     host (root namespace): sk-NAME  .1 ──┐
///     skiff-NAME-server: br0 .2, skiff server :6443 (its SQLite store in DATA/server)
///       ├── n1 ── skiff-NAME-node1: eth0 .11, skiff agent (proxy, overlay, DNS), Pods
///       └── n2 ── skiff-NAME-node2: eth0 .12, …
///
/// The host reaches the cluster only through sk-NAME, the one link `skiff up` puts in the
/// root namespace; the nodes have no route beyond the subnet, so nothing leaves the machine.
struct LocalClusterLayout: Codable, Equatable {
    var name: String
    var nodes: Int
    var subnet: String
    var dataDirectory: String

    static let defaultSubnet = "192.168.234.0/24"
    static let maxNodes = 200

    init(name: String, nodes: Int, subnet: String, dataDirectory: String) throws {
        guard name.range(of: "^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$", options: .regularExpression) != nil else {
            throw ValidationError("--name: \"\(name)\" must be 1-12 lower-case letters, digits or '-', starting and ending alphanumeric")
        }
        guard (1...Self.maxNodes).contains(nodes) else { throw ValidationError("--nodes must be 1 to \(Self.maxNodes)") }
        guard let prefix = IPPrefix(subnet), prefix.family == .ipv4, prefix.prefixLength == 24,
              prefix.address.ipv4Value! & 0xFF == 0 else {
            throw ValidationError("--subnet: \"\(subnet)\" is not an IPv4 /24 (e.g. \(Self.defaultSubnet))")
        }
        self.name = name
        self.nodes = nodes
        self.subnet = subnet
        self.dataDirectory = dataDirectory
    }

    static func defaultDataDirectory(name: String) -> String { "/var/lib/skiff/up/\(name)" }

    // MARK: Network

    var prefix: IPPrefix { IPPrefix(subnet)! }
    private func host(_ n: UInt32) -> IPAddress { IPAddress(ipv4: prefix.address.ipv4Value! | n) }
    var hostAddress: IPAddress { host(1) }
    var serverAddress: IPAddress { host(2) }
    func nodeAddress(_ i: Int) -> IPAddress { host(UInt32(10 + i)) }

    /// The link in the root namespace (names are at most 15 bytes).
    var hostLink: String { "sk-\(name)" }
    /// Its peer, inside the server's namespace, on the bridge.
    static let hostPeer = "host"
    static let bridge = "br0"
    static func nodePort(_ i: Int) -> String { "n\(i)" }

    var serverNamespace: String { "skiff-\(name)-server" }
    func nodeNamespace(_ i: Int) -> String { "skiff-\(name)-node\(i)" }
    static func namespacePath(_ namespace: String) -> String { "/run/netns/" + namespace }

    func nodeName(_ i: Int) -> String { "\(name)-node\(i)" }
    var nodeIndices: ClosedRange<Int> { 1...nodes }

    var serverURL: String { "https://\(serverAddress):6443" }

    // MARK: Files

    var layoutFile: String { dataDirectory + "/cluster.json" }
    var kubeconfig: String { dataDirectory + "/kubeconfig" }
    var serverDirectory: String { dataDirectory + "/server" }
    func nodeDirectory(_ i: Int) -> String { dataDirectory + "/nodes/" + nodeName(i) }
    var imageDirectory: String { dataDirectory + "/images/busybox" }
    func logFile(_ component: String) -> String { dataDirectory + "/logs/\(component).log" }
    func pidFile(_ component: String) -> String { dataDirectory + "/run/\(component).pid" }

    /// The processes: the server and one agent per node, by the names their files carry.
    var components: [String] { ["server"] + nodeIndices.map(nodeName) }

    func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: layoutFile))
    }

    static func load(dataDirectory: String) -> LocalClusterLayout? {
        FileManager.default.contents(atPath: dataDirectory + "/cluster.json").flatMap { try? JSONDecoder().decode(Self.self, from: $0) }
    }
}
