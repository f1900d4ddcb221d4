import CNI
import KubeAPI
import Logging
import Netlink

/// How the overlay runs on one node.
public struct OverlayConfig: Sendable {
    public var nodeName: String
    /// The cluster (pod) CIDR; pod traffic leaving it is masqueraded. nil: no masquerade.
    public var clusterCIDR: IPPrefix?
    /// Route directly (no encapsulation) to peers on the same L2 subnet.
    public var directRouting: Bool
    public var deviceName: String
    public var vni: UInt32
    public var port: UInt16
    /// The underlay interface; nil: the one holding the node's IP.
    public var interface: String?
    /// The underlay IP to use and publish; nil: the node's InternalIP, else the first IPv4
    /// address of `interface`.
    public var publicIP: IPAddress?
    /// Longest time between full resyncs against the kernel.
    public var resyncPeriod: Duration
    /// Do the netlink work in this namespace (the node's, under `skiff up`); nil: this one.
    public var namespace: NetworkNamespace?
    /// Where to write the CNI config list (podCIDR, pod MTU = the device's) and install the
    /// plugin once the device is ready; nil: leave the runtime's directories alone.
    public var cniInstallation: CNIInstallation?
    /// The `skiff-cni` executable to copy into `cniInstallation.binDir`; nil: do not copy.
    public var cniPluginSource: String?

    public init(nodeName: String, clusterCIDR: IPPrefix? = IPPrefix("10.244.0.0/16"), directRouting: Bool = false,
                deviceName: String = VXLANDevice.defaultName, vni: UInt32 = 1, port: UInt16 = 8472,
                interface: String? = nil, publicIP: IPAddress? = nil, resyncPeriod: Duration = .seconds(60),
                namespace: NetworkNamespace? = nil, cniInstallation: CNIInstallation? = nil, cniPluginSource: String? = nil) {
        self.nodeName = nodeName
        self.clusterCIDR = clusterCIDR
        self.directRouting = directRouting
        self.deviceName = deviceName
        self.vni = vni
        self.port = port
        self.interface = interface
        self.publicIP = publicIP
        self.resyncPeriod = resyncPeriod
        self.namespace = namespace
        self.cniInstallation = cniInstallation
        self.cniPluginSource = cniPluginSource
    }
}

/// The overlay component (flannel's vxlan backend): sets up the VXLAN device and masquerade,
/// publishes this node's VTEP MAC and underlay IP on its Node, then follows the Node informer
/// and reconciles neighbour/FDB/route entries for every other node. The agent embeds it;
/// `skiff overlay` runs it alone.
public actor Overlay {
    public let config: OverlayConfig
    private let client: KubeClient
    private let logger: Logger
    private var routes: OverlayRoutes
    private var skipped: [String: String] = [:]
    /// The peers last programmed, by node name: what a Node event is diffed against.
    private var programmed: [String: OverlayPeer] = [:]
    /// Nothing reconciled yet, or a reconcile or update failed: the kernel may not match
    /// `programmed`, so the next trigger of any kind reconciles everything.
    private var needsResync = true

    public init(client: KubeClient, config: OverlayConfig, logger: Logger = Logger(label: "skiff.overlay")) {
        self.client = client
        self.config = config
        self.logger = logger
        routes = OverlayRoutes(deviceName: config.deviceName, directRouting: config.directRouting)
    }

    /// Runs until the calling task is cancelled (entries stay in place, so pod traffic keeps
    /// flowing across a restart). `informer`: a shared Node informer (the agent's), started by
    /// its owner; nil makes and runs one.
    public func run(informer shared: Informer<Node>? = nil) async throws {
        let node = try await waitForOwnNode()
        guard let podCIDR = (node.spec?.podCIDR ?? node.spec?.podCIDRs?.first).flatMap(IPPrefix.init) else {
            throw OverlayError("node \(config.nodeName) has no usable spec.podCIDR")
        }
        let internalIP = node.status?.addresses?.lazy.filter { $0.type == "InternalIP" }
            .compactMap { $0.address.flatMap(IPAddress.init) }.first { $0.family == .ipv4 }
        let wantedIP = config.publicIP ?? internalIP
        let (config, name) = (self.config, config.deviceName)
        let (underlay, device) = try netlink { socket -> (Underlay, Link) in
            let underlay = try Underlay.find(ip: wantedIP, interface: config.interface, on: socket)
            let device = VXLANDevice(name: name, vni: config.vni, port: config.port, localIP: underlay.address.address,
                                     underlay: underlay.link, macAddress: VXLANDevice.macAddress(forNode: config.nodeName),
                                     podCIDR: podCIDR)
            return (underlay, try device.ensure(on: socket))
        }
        routes.underlay = underlay
        if let cidr = config.clusterCIDR {
            try netlinkFilter { try Masquerade(clusterCIDR: cidr).apply(on: $0) }
        }
        logger.info("vxlan device ready", metadata: [
            "device": "\(device)", "vtep": "\(device.macAddress?.description ?? "-")", "underlay": "\(underlay.link.name)",
            "ip": "\(underlay.address)", "podCIDR": "\(podCIDR)", "directRouting": "\(config.directRouting)",
        ])
        if let cni = config.cniInstallation { try install(cni, podCIDR: podCIDR, mtu: device.mtu) }
        try await publish(mac: device.macAddress ?? VXLANDevice.macAddress(forNode: config.nodeName), ip: underlay.address.address)

        let informer = shared ?? Informer<Node>(client: client, logger: logger)
        // Unbounded: each Node event is applied on its own (O(1) netlink work), none is lost.
        let (triggers, trigger) = AsyncStream.makeStream(of: Trigger.self)
        let registration = informer.addEventHandler(onAdd: { node in trigger.yield(.node(node.metadata?.name ?? "")) },
                                                    onUpdate: { old, new in
            if Self.overlayData(old) != Self.overlayData(new) { trigger.yield(.node(new.metadata?.name ?? "")) }
        }, onDelete: { node in trigger.yield(.node(node.metadata?.name ?? "")) })
        if shared == nil { informer.start() }
        defer {
            informer.removeEventHandler(registration)
            if shared == nil { Task { await informer.stop() } }
        }
        try await informer.waitForSync()
        let period = config.resyncPeriod
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                trigger.yield(.resync)
            }
        }
        defer { ticker.cancel() }
        trigger.yield(.resync)
        for await next in triggers {
            if Task.isCancelled { break }
            switch next {
            case .resync: sync(nodes: informer.list())
            case .node(let name):
                if needsResync { sync(nodes: informer.list()) } else { update(nodeNamed: name, to: informer.get(name: name)) }
            }
        }
    }

    /// What wakes the overlay: one Node changed, or it is time to check everything.
    private enum Trigger: Sendable {
        case node(String)
        case resync
    }

    /// One reconcile of the kernel against the whole Node list: at start, periodically, and
    /// after a failed update. Failures are logged and retried at the next event or resync.
    public func sync(nodes: [Node]) {
        var peers: [OverlayPeer] = []
        var skipped: [String: String] = [:]
        for node in nodes where node.metadata?.name != config.nodeName {
            switch OverlayPeer.from(node) {
            case .success(let peer): peers.append(peer)
            case .failure(let reason): skipped[node.metadata?.name ?? "?"] = reason.description
            }
        }
        for (name, reason) in skipped where self.skipped[name] != reason {
            logger.info("node not in the overlay yet", metadata: ["node": "\(name)", "reason": "\(reason)"])
        }
        self.skipped = skipped
        let routes = self.routes
        do {
            let changes = try netlink { try routes.reconcile(peers: peers, on: $0) }
            if !changes.isEmpty { logger.info("reconciled \(peers.count) peers: \(changes)") }
            programmed = Dictionary(peers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            needsResync = false
        } catch {
            logger.error("reconcile failed: \(error)")
            needsResync = true
        }
    }

    /// Applies one Node's change (nil: it was deleted) against what was programmed for it,
    /// touching only that node's entries.
    public func update(nodeNamed name: String, to node: Node?) {
        guard name != config.nodeName, !name.isEmpty else { return }
        var wanted: OverlayPeer?
        switch node.map(OverlayPeer.from) {
        case .success(let peer)?:
            wanted = peer
            skipped[name] = nil
        case .failure(let reason)?:
            if skipped[name] != reason.description {
                logger.info("node not in the overlay yet", metadata: ["node": "\(name)", "reason": "\(reason)"])
            }
            skipped[name] = reason.description
        case nil:
            skipped[name] = nil
        }
        let current = programmed[name]
        guard current != wanted else { return }
        let routes = self.routes
        do {
            let changes = try netlink { try routes.update(from: current, to: wanted, on: $0) }
            programmed[name] = wanted
            logger.info("node \(name): \(changes)")
        } catch {
            logger.error("update for node \(name) failed, resyncing at the next event: \(error)")
            needsResync = true
        }
    }

    /// The Node fields the overlay reads (so heartbeats do not trigger a reconcile).
    static func overlayData(_ node: Node) -> [String?] {
        let annotations = node.metadata?.annotations ?? [:]
        return [node.spec?.podCIDR, annotations[OverlayAnnotations.vtepMAC], annotations[OverlayAnnotations.publicIP]]
            + (node.status?.addresses ?? []).map { "\($0.type ?? ""):\($0.address ?? "")" }
    }

    /// This node's Node, once it exists and has a podCIDR (the node controller assigns it).
    private func waitForOwnNode() async throws -> Node {
        var delay = Duration.milliseconds(500)
        while true {
            do {
                let node = try await client.get(Node.self, name: config.nodeName)
                if node.spec?.podCIDR != nil || node.spec?.podCIDRs?.isEmpty == false { return node }
                logger.info("waiting for node \(config.nodeName) to get a podCIDR")
            } catch {
                logger.info("waiting for node \(config.nodeName): \(error)")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(10))
        }
    }

    /// Puts skiff-cni and this node's network config where the container runtime looks. Done
    /// after the device exists, so a pod never gets an MTU the overlay cannot carry.
    private func install(_ cni: CNIInstallation, podCIDR: IPPrefix, mtu: Int) throws {
        do throws(CNIError) {
            if let source = config.cniPluginSource, try cni.installPlugin(from: source) {
                logger.info("installed \(cni.pluginPath)")
            }
            if try cni.writeConfig(podCIDR: podCIDR, mtu: mtu) {
                logger.info("wrote \(cni.configPath)", metadata: ["podCIDR": "\(podCIDR)", "mtu": "\(mtu)"])
            }
        } catch {
            throw OverlayError("CNI installation failed: \(error.msg)" + (error.details.map { ": " + $0 } ?? ""))
        }
    }

    /// Publishes the VTEP MAC and underlay IP on this node's Node (merge patch).
    private func publish(mac: MACAddress, ip: IPAddress) async throws {
        let annotations: [String: JSONValue] = [
            OverlayAnnotations.vtepMAC: .string(mac.description),
            OverlayAnnotations.publicIP: .string(ip.description),
            OverlayAnnotations.backendType: .string(OverlayAnnotations.backendVXLAN),
        ]
        _ = try await client.patch(Node.self, name: config.nodeName, type: .merge,
                                   patch: .object(["metadata": .object(["annotations": .object(annotations)])]))
    }

    private func netlink<T>(_ body: (RouteSocket) throws -> T) throws -> T {
        if let namespace = config.namespace { return try namespace.run { try body(RouteSocket()) } }
        return try body(RouteSocket())
    }

    private func netlinkFilter<T>(_ body: (NetlinkSocket) throws -> T) throws -> T {
        if let namespace = config.namespace { return try namespace.run { try body(NetlinkSocket()) } }
        return try body(NetlinkSocket())
    }

    /// Removes what the overlay programs: peers' entries, the device, the masquerade table.
    public static func cleanup(config: OverlayConfig) throws {
        let work = {
            let socket = try RouteSocket()
            try OverlayRoutes(deviceName: config.deviceName).removeAll(on: socket)
            try socket.deleteLinkIfPresent(.name(config.deviceName))
            try Masquerade.remove(on: NetlinkSocket())
        }
        if let namespace = config.namespace { try namespace.run(work) } else { try work() }
    }
}
