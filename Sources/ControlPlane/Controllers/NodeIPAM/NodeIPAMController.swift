import KubeAPI
import Logging
import Netlink

/// Gives every Node a Pod subnet (`spec.podCIDR`/`podCIDRs`, one per cluster CIDR family)
/// from `--cluster-cidr`, as kube-controller-manager's `nodeipam` controller with its range
/// allocator: never the same subnet to two Nodes, the subnets of existing Nodes learnt before
/// anything is handed out, and a Node's subnet free again once the Node is gone.
public final class NodeIPAMController: Controller {
    public static let name = "nodeipam"

    public struct Config: Sendable {
        /// One CIDR, or an IPv4 and an IPv6 one (dual-stack: a Node gets one of each).
        public var clusterCIDRs: [IPPrefix]
        public var nodeMaskSizeIPv4 = 24
        public var nodeMaskSizeIPv6 = 64

        public init(clusterCIDRs: [IPPrefix]) { self.clusterCIDRs = clusterCIDRs }

        /// `--cluster-cidr` as kube-controller-manager spells it.
        public init(clusterCIDR flag: String) throws {
            let cidrs = flag.split(separator: ",").map { String($0) }
            let parsed = cidrs.compactMap(IPPrefix.init)
            guard !cidrs.isEmpty, parsed.count == cidrs.count, parsed.count <= 2,
                  Set(parsed.map(\.family)).count == parsed.count else {
                throw ConfigError("invalid --cluster-cidr \(flag): one CIDR, or an IPv4 and an IPv6 one separated by a comma")
            }
            clusterCIDRs = parsed
        }
    }

    public struct ConfigError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    struct CIDRNotAvailable: Error, CustomStringConvertible {
        var node: String
        var description: String { "no Pod subnet left for node \(node) (CIDRNotAvailable)" }
    }

    private let client: KubeClient
    private let informers: ClusterInformers
    private let logger: Logger
    private let queue = WorkQueue<String>()
    private let allocators: ProtectedState<[PodCIDRAllocator]>

    public init(client: KubeClient, informers: ClusterInformers, config: Config,
                logger: Logger = Logger(label: "skiff.nodeipam-controller")) throws {
        self.client = client
        self.informers = informers
        self.logger = logger
        allocators = ProtectedState(try Self.allocators(for: config))
    }

    /// One allocator per cluster CIDR; throws when a mask does not fit its CIDR.
    static func allocators(for config: Config) throws -> [PodCIDRAllocator] {
        try config.clusterCIDRs.map {
            try PodCIDRAllocator(clusterCIDR: $0, nodeMaskSize: $0.family == .ipv4 ? config.nodeMaskSizeIPv4 : config.nodeMaskSizeIPv6)
        }
    }

    public func run() async {
        let (queue, allocators) = (self.queue, self.allocators)
        let handlers = informers.nodes.addEventHandler(
            onAdd: { node in await queue.add(node.metadata?.name ?? "") },
            onUpdate: { _, node in
                if Self.subnets(of: node).isEmpty { await queue.add(node.metadata?.name ?? "") }
            },
            onDelete: { node in
                let subnets = Self.subnets(of: node)
                allocators.withLock { list in
                    for subnet in subnets { for i in list.indices { list[i].release(subnet) } }
                }
            })
        informers.nodes.start()
        do {
            try await informers.nodes.waitForSync()
            // Every subnet already given out is taken before any Node gets a new one.
            let existing = informers.nodes.list().flatMap(Self.subnets(of:))
            allocators.withLock { list in
                for subnet in existing { for i in list.indices { list[i].occupy(subnet) } }
            }
            await queue.runWorkers(1, logger: logger) { [self] name in try await reconcile(name) }
        } catch {
            // Cancelled while the cache filled.
        }
        informers.nodes.removeEventHandler(handlers)
    }

    static func subnets(of node: Node) -> [IPPrefix] {
        let texts = node.spec?.podCIDRs ?? node.spec?.podCIDR.map { [$0] } ?? []
        return texts.compactMap(IPPrefix.init)
    }

    func reconcile(_ name: String) async throws {
        guard let node = informers.nodes.get(name: name), node.metadata?.deletionTimestamp == nil else { return }
        let current = Self.subnets(of: node)
        if !current.isEmpty {
            allocators.withLock { list in for subnet in current { for i in list.indices { list[i].occupy(subnet) } } }
            return
        }
        let picked: [IPPrefix]? = allocators.withLock { list in
            var picked: [IPPrefix] = []
            for i in list.indices {
                guard let subnet = list[i].allocate() else {
                    for (j, p) in picked.enumerated() { list[j].release(p) }
                    return nil
                }
                picked.append(subnet)
            }
            return picked
        }
        guard let picked else {
            logger.warning("\(CIDRNotAvailable(node: name))")
            throw CIDRNotAvailable(node: name)
        }
        let texts = picked.map(\.description)
        do {
            _ = try await client.patch(Node.self, name: name, patch: ["spec": ["podCIDR": .string(texts[0]),
                                                                               "podCIDRs": .array(texts.map { .string($0) })]],
                                       options: WriteOptions(fieldManager: "node-ipam-controller"))
            logger.info("node \(name): podCIDRs \(texts.joined(separator: ","))")
        } catch {
            allocators.withLock { list in for (i, p) in picked.enumerated() { list[i].release(p) } }
            throw error
        }
    }
}
