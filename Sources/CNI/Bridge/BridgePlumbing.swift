import Glibc
import Netlink

/// Bridge mode, as the reference `bridge` plugin does it: one veth pair per pod, the pod end
/// (CNI_IFNAME) born inside the pod's netns with its address, `lo` up and the routes; the host
/// end (`HostVethName`) a port of the node bridge (`cni0`, or the config's `bridge`), which is
/// created when missing and gets the gateway address when `isGateway`.
///
/// Runs in the namespace the plugin was started in (the node's): the bridge and host ends are
/// programmed there, the pod's side on a thread inside CNI_NETNS (`NetworkNamespace.run`).
/// IPv4 forwarding and masquerading are the node's business, not the plugin's.
public struct BridgePlumbing: PodNetworkPlumbing {
    public init() {}

    // MARK: ADD

    public func setUp(_ pod: PodAttachment, addresses: [CNIAddress]) throws(CNIError)
        -> (interfaces: [CNIResult.Interface], podInterface: Int?) {
        let config = pod.config
        let netnsPath = pod.netns ?? ""
        let podNS = try openNamespace(netnsPath)
        let host = HostVethName(containerID: pod.containerID, ifname: pod.ifname)
        let socket = try netlink("open rtnetlink socket") { try RouteSocket() }
        // The pod's side: a socket opened on one short thread inside the pod's namespace keeps
        // programming that namespace for its whole life, so ADD starts one thread, not two.
        let inside = try netlink("open rtnetlink socket in \(netnsPath)") { try podNS.run { try RouteSocket() } }
        let bridge = try ensureBridge(socket, config)

        // One request makes the pair, the host end up and a port of the bridge. A
        // name already taken (the pod's, or a host end left by an earlier ADD) refuses it whole,
        // before anything exists; which one is looked up only then, to say so.
        do {
            try socket.addVeth(name: host.name, peerName: pod.ifname, peerNamespace: podNS, mtu: config.mtu,
                               macAddress: host.macAddress, masterIndex: bridge.index, up: true)
        } catch let error as NetlinkError where error.errno == EEXIST {
            if (try? inside.link(.name(pod.ifname))) != nil { throw interfaceTaken(pod.ifname, netnsPath) }
            throw CNIError(code: CNIError.plumbingFailed, msg: "host interface \(host.name) already exists",
                           details: "left by an earlier ADD of container \(pod.containerID) interface \(pod.ifname)? DEL it first")
        } catch {
            throw CNIError(code: CNIError.plumbingFailed, msg: "create veth pair \(host.name)/\(pod.ifname)",
                           details: "\(error)")
        }
        // From here on a failure removes the pair (deleting one end deletes both).
        do throws(CNIError) {
            if config.hairpinMode {
                try netlink("set hairpin on \(host.name)") { try socket.setHairpin(.name(host.name)) }
            }
            let routes = podRoutes(config, addresses)
            let podLink = try netlink("configure \(pod.ifname) in \(netnsPath)") { () throws -> Link? in
                guard let link = try inside.link(.name(pod.ifname)) else { return nil }
                try inside.setLinkUp("lo")
                try inside.setLinkUp(.index(link.index))
                for address in addresses {
                    try inside.addAddress(InterfaceAddress(address: address.ip, prefixLength: address.prefixLength)!,
                                          to: .index(link.index), skipDuplicateDetection: true)
                }
                for route in routes {
                    try inside.addRoute(Route(destination: route.dst, gateway: route.gw, linkIndex: link.index))
                }
                return link
            }
            guard let podLink else {
                throw CNIError(code: CNIError.plumbingFailed, msg: "veth pair \(host.name)/\(pod.ifname) vanished during ADD")
            }
            return ([
                CNIResult.Interface(name: bridge.name, mac: bridge.macAddress?.description),
                CNIResult.Interface(name: host.name, mac: host.macAddress.description),
                CNIResult.Interface(name: podLink.name, mac: podLink.macAddress?.description, sandbox: netnsPath),
            ], 2)
        } catch {
            _ = try? socket.deleteLinkIfPresent(.name(host.name))
            throw error
        }
    }

    /// The default route through the gateway (when `isGateway` and the config has none of its
    /// own), so the ADD result can report it.
    public func resultRoutes(_ pod: PodAttachment, addresses: [CNIAddress]) -> [CNIResult.Route] {
        let config = pod.config
        guard config.isGateway, addresses.contains(where: { $0.ip.family == config.ipam.gateway.family }),
              !config.ipam.routes.contains(where: { $0.dst.prefixLength == 0 && $0.dst.family == config.ipam.gateway.family })
        else { return [] }
        return [CNIResult.Route(dst: defaultDestination(config.ipam.gateway.family), gw: config.ipam.gateway)]
    }

    /// What the pod's routing table gets: the config's routes (through the gateway when they name
    /// no `gw`, as the reference plugins read a route without one), then the default route.
    func podRoutes(_ config: NetworkConfig, _ addresses: [CNIAddress]) -> [CNIResult.Route] {
        let families = Set(addresses.map { $0.ip.family })
        var out: [CNIResult.Route] = []
        for route in config.ipam.routes where families.contains(route.dst.family) {
            let gw = route.gw ?? (route.dst.family == config.ipam.gateway.family ? config.ipam.gateway : nil)
            out.append(CNIResult.Route(dst: route.dst, gw: gw))
        }
        let pod = PodAttachment(config: config, containerID: "", ifname: "", netns: nil)
        return out + resultRoutes(pod, addresses: addresses)
    }

    /// The node bridge, created (up, with a fixed MAC so it does not follow its ports') when
    /// missing; with the gateway address when `isGateway`. Concurrent ADDs may both create it or
    /// both add the address: EEXIST is success.
    func ensureBridge(_ socket: RouteSocket, _ config: NetworkConfig) throws(CNIError) -> Link {
        try netlink("set up bridge \(config.bridge)") { () throws -> Link in
            var bridge = try socket.link(.name(config.bridge))
            if bridge == nil {
                do {
                    try socket.addBridge(name: config.bridge, mtu: config.mtu, macAddress: .randomLocal())
                } catch let error as NetlinkError where error.errno == EEXIST {}
                bridge = try socket.link(.name(config.bridge))
            }
            guard let found = bridge else {
                throw CNIError(code: CNIError.plumbingFailed, msg: "bridge \(config.bridge) vanished while being created")
            }
            guard found.kind == "bridge" else {
                throw CNIError(code: CNIError.plumbingFailed, msg: "\(config.bridge) exists and is not a bridge",
                               details: "its kind is \(found.kind ?? "none")")
            }
            if !found.isUp { try socket.setLinkUp(.index(found.index)) }
            if config.isGateway {
                let gateway = InterfaceAddress(address: config.ipam.gateway, prefixLength: config.ipam.subnet.prefixLength)!
                let present = try socket.addresses(of: .index(found.index), family: gateway.family).map { $0.address }
                if !present.contains(gateway) {
                    do {
                        try socket.addAddress(gateway, to: .index(found.index), skipDuplicateDetection: true)
                    } catch let error as NetlinkError where error.errno == EEXIST {}
                }
            }
            // Neither an address nor the up flag changes the name or MAC the result reports.
            return found
        }
    }

    // MARK: DEL

    /// Deletes the pair through its host end (the pod end goes with it). When the pod's netns is
    /// still there, only a host end whose peer is the pod's CNI_IFNAME is ours to delete (the
    /// pod's interface may be someone else's after a refused ADD). When the netns is gone, so is
    /// the pair, as a rule; a host end left over is deleted by name. The bridge stays.
    public func tearDown(_ pod: PodAttachment) throws(CNIError) {
        let host = HostVethName(containerID: pod.containerID, ifname: pod.ifname)
        let socket = try netlink("open rtnetlink socket") { try RouteSocket() }
        guard let hostLink = try netlink("look up \(host.name)", { try socket.link(.name(host.name)) }) else { return }
        if let path = pod.netns, let podNS = try? NetworkNamespace(path: path) {
            let podLink = try netlink("look up \(pod.ifname) in \(path)") {
                try podNS.run { try RouteSocket().link(.name(pod.ifname)) }
            }
            let paired = podLink.map { $0.kind == "veth" && $0.peerIndex == hostLink.index && hostLink.peerIndex == $0.index } ?? false
            // The host end is someone else's if the pod has a different interface by that name.
            if podLink != nil && !paired { return }
        }
        _ = try netlink("delete \(host.name)") { try socket.deleteLinkIfPresent(.index(hostLink.index)) }
    }

    // MARK: CHECK

    /// The pod's interface is there, up, with the addresses of the ADD result; the host end is a
    /// port of the bridge.
    public func check(_ pod: PodAttachment, expected: CNIResult) throws(CNIError) {
        let config = pod.config
        let netnsPath = pod.netns ?? ""
        let podNS = try openNamespace(netnsPath)
        let found = try netlink("inspect \(pod.ifname) in \(netnsPath)") { () throws -> (Link, [InterfaceAddress])? in
            try podNS.run {
                let inside = try RouteSocket()
                guard let link = try inside.link(.name(pod.ifname)) else { return nil }
                return (link, try inside.addresses(of: .index(link.index)).map { $0.address })
            }
        }
        guard let (podLink, podAddresses) = found else {
            throw CNIError(code: CNIError.plumbingFailed, msg: "interface \(pod.ifname) is missing from \(netnsPath)")
        }
        guard podLink.isUp else { throw CNIError(code: CNIError.plumbingFailed, msg: "interface \(pod.ifname) is down") }
        for ip in expected.ips where config.ipam.subnet.contains(ip.address.ip) {
            let want = InterfaceAddress(address: ip.address.ip, prefixLength: ip.address.prefixLength)!
            guard podAddresses.contains(want) else {
                throw CNIError(code: CNIError.plumbingFailed, msg: "interface \(pod.ifname) lacks address \(want)",
                               details: "it has \(podAddresses.map(\.description).joined(separator: ", "))")
            }
        }
        let host = HostVethName(containerID: pod.containerID, ifname: pod.ifname)
        let socket = try netlink("open rtnetlink socket") { try RouteSocket() }
        let (hostLink, bridge) = try netlink("inspect \(host.name)") {
            (try socket.link(.name(host.name)), try socket.link(.name(config.bridge)))
        }
        guard let hostLink else { throw CNIError(code: CNIError.plumbingFailed, msg: "host interface \(host.name) is missing") }
        guard let bridge, hostLink.masterIndex == bridge.index else {
            throw CNIError(code: CNIError.plumbingFailed, msg: "host interface \(host.name) is not a port of \(config.bridge)")
        }
        guard hostLink.peerIndex == podLink.index else {
            throw CNIError(code: CNIError.plumbingFailed, msg: "host interface \(host.name) is not paired with \(pod.ifname)")
        }
    }

    // MARK: STATUS

    /// Ready when rtnetlink answers and the bridge name is free or a bridge.
    public func status(_ config: NetworkConfig) throws(CNIError) {
        let link = try netlink("look up \(config.bridge)") { try RouteSocket().link(.name(config.bridge)) }
        if let link, link.kind != "bridge" {
            throw CNIError(code: CNIError.plumbingFailed, msg: "\(config.bridge) exists and is not a bridge")
        }
    }

    // MARK: helpers

    /// CNI_NETNS opened; a path that is not there (or not a namespace) is an invalid environment.
    func openNamespace(_ path: String) throws(CNIError) -> NetworkNamespace {
        do {
            return try NetworkNamespace(path: path)
        } catch {
            throw CNIError(code: CNIError.invalidEnvironment, msg: "failed to open netns \"\(path)\"", details: "\(error)")
        }
    }

    func interfaceTaken(_ ifname: String, _ netns: String, details: String? = nil) -> CNIError {
        CNIError(code: CNIError.interfaceNameTaken, msg: "interface \(ifname) already exists in \(netns)", details: details)
    }

    func defaultDestination(_ family: IPFamily) -> IPPrefix {
        Route.defaultRoute(via: family == .ipv4 ? IPAddress(ipv4: 0) : IPAddress(ipv6High: 0, low: 0)).destination
    }

    /// Runs rtnetlink work; a refusal becomes a plumbing error naming `what` (a `CNIError`
    /// thrown inside passes through).
    func netlink<T>(_ what: String, _ body: () throws -> T) throws(CNIError) -> T {
        do {
            return try body()
        } catch let error as CNIError {
            throw error
        } catch {
            throw CNIError(code: CNIError.plumbingFailed, msg: "failed to \(what)", details: "\(error)")
        }
    }
}
