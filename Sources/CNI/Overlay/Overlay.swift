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

    public init(nodeName: String, clusterCIDR: IPPrefix? = IPPrefix("10.244.0.0/16"), directRouting: Bool = false,
                deviceName: String = VXLANDevice.defaultName, vni: UInt32 = 1, port: UInt16 = 8472,
                interface: String? = nil, publicIP: IPAddress? = nil, resyncPeriod: Duration = .seconds(60),
                namespace: NetworkNamespace? = nil) {
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
        try await publish(mac: device.macAddress ?? VXLANDevice.macAddress(forNode: config.nodeName), ip: underlay.address.address)

        let informer = shared ?? Informer<Node>(client: client, logger: logger)
        let (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let registration = informer.addEventHandler(onAdd: { _ in signal.yield() }, onUpdate: { old, new in
            if Self.overlayData(old) != Self.overlayData(new) { signal.yield() }
        }, onDelete: { _ in signal.yield() })
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
                signal.yield()
            }
        }
        defer { ticker.cancel() }
        signal.yield()
        for await _ in changes {
            if Task.isCancelled { break }
            sync(nodes: informer.list())
        }
    }

    /// One reconcile against the current Node list; failures are logged and retried at the
    /// next change or resync.
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
        } catch {
            logger.error("reconcile failed: \(error)")
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
