import Foundation
import Netlink
import NodeAgent

/// The underlay of a `skiff up` cluster, made over rtnetlink: a namespace for the server
/// holding the bridge, one namespace per node cabled to it, and the host's link onto it.
/// Making it again leaves what exists alone, so a re-run of `skiff up` repairs it.
struct LocalClusterNetwork {
    let layout: LocalClusterLayout

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Refuses a subnet the host already routes (its own networks, another cluster's).
    func checkSubnetIsFree() throws {
        let socket = try RouteSocket()
        let taken = try socket.routes(family: .ipv4).filter { route in
            let destination = route.destination
            return destination.prefixLength > 0
                && (destination.contains(layout.prefix.address) || layout.prefix.contains(destination.address))
        }
        if let route = taken.first, try socket.link(.name(layout.hostLink)) == nil {
            throw Failure(description: "the subnet \(layout.subnet) overlaps the host's route to \(route.destination); choose another with --subnet")
        }
    }

    func create() throws {
        let server = try namespace(layout.serverNamespace)
        try server.run {
            let socket = try RouteSocket()
            if try socket.link(.name(LocalClusterLayout.bridge)) == nil {
                try socket.addBridge(name: LocalClusterLayout.bridge)
            }
            try ensureAddress(socket, layout.serverAddress, on: LocalClusterLayout.bridge)
            try socket.setLinkUp(.name(LocalClusterLayout.bridge))
        }
        // The host's link: created in the root namespace with its peer in the server's.
        let root = try RouteSocket()
        if try root.link(.name(layout.hostLink)) == nil {
            try root.addVeth(name: layout.hostLink, peerName: LocalClusterLayout.hostPeer, peerNamespace: server)
        }
        try ensureAddress(root, layout.hostAddress, on: layout.hostLink)
        try root.setLinkUp(.name(layout.hostLink))
        try server.run {
            let socket = try RouteSocket()
            try socket.setMaster(.name(LocalClusterLayout.hostPeer), .name(LocalClusterLayout.bridge))
            try socket.setLinkUp(.name(LocalClusterLayout.hostPeer))
        }
        for i in layout.nodeIndices {
            let node = try namespace(layout.nodeNamespace(i))
            let port = LocalClusterLayout.nodePort(i)
            try server.run {
                let socket = try RouteSocket()
                if try socket.link(.name(port)) == nil {
                    try socket.addVeth(name: port, peerName: "eth0", peerNamespace: node)
                }
                try socket.setMaster(.name(port), .name(LocalClusterLayout.bridge))
                try socket.setLinkUp(.name(port))
            }
            try node.run {
                let socket = try RouteSocket()
                try ensureAddress(socket, layout.nodeAddress(i), on: "eth0")
                try socket.setLinkUp("eth0")
                // Pods' traffic is routed through their node.
                try "1\n".write(toFile: "/proc/sys/net/ipv4/ip_forward", atomically: false, encoding: .utf8)
            }
        }
    }

    /// Removes the namespaces (with them their links, routes, nft tables and the host link's
    /// peer, which takes the host link along) and the host link should it remain.
    func remove() {
        for namespace in [layout.serverNamespace] + layout.nodeIndices.map(layout.nodeNamespace) {
            PodNetworkNamespace(path: LocalClusterLayout.namespacePath(namespace)).remove()
        }
        _ = try? RouteSocket().deleteLinkIfPresent(.name(layout.hostLink))
    }

    private func namespace(_ name: String) throws -> NetworkNamespace {
        let path = LocalClusterLayout.namespacePath(name)
        try PodNetworkNamespace(path: path).create()
        return try NetworkNamespace(path: path)
    }

    private func ensureAddress(_ socket: RouteSocket, _ address: IPAddress, on link: String) throws {
        let present = try socket.addresses(of: .name(link), family: .ipv4).contains { $0.address.address == address }
        if !present {
            try socket.addAddress(InterfaceAddress(address: address, prefixLength: 24)!, to: .name(link), skipDuplicateDetection: true)
        }
    }
}
