internal import CNetfilter
import Glibc

/// Interface flags from linux/if.h (which cannot be included next to glibc's net/if.h).
let interfaceUp: UInt32 = 0x1          // IFF_UP
let interfaceLowerUp: UInt32 = 0x10000 // IFF_LOWER_UP

extension RouteSocket {
    // MARK: reading

    /// The link called `name` (or with that index); nil when there is none.
    public func link(_ link: LinkReference) throws -> Link? {
        let message = linkMessage(RTM_GETLINK, flags: 0, link)
        return try get(message, replyType: RTM_NEWLINK, operation: "get link", object: link.description) { Link(message: $0) }
    }

    /// The index of `link`; throws ENODEV when there is none.
    public func index(of link: LinkReference) throws -> Int32 {
        if case .index(let index) = link { return index }
        guard let found = try self.link(link) else {
            throw NetlinkError(errno: ENODEV, operation: "find link", object: link.description)
        }
        return found.index
    }

    /// Every link of the namespace (`ip link show`).
    public func links() throws -> [Link] {
        try list(linkMessage(RTM_GETLINK, flags: 0, nil), replyType: RTM_NEWLINK, operation: "list links") { Link(message: $0) }
    }

    // MARK: creating

    /// Creates a veth pair, `name` here and `peerName` in `peerNamespace` (here when nil), as
    /// the CNI bridge plugin does: the container end is born inside the pod's namespace
    /// (IFLA_NET_NS_FD on the peer), so it never appears, even briefly, in the host's.
    /// `up` sets this end up and `masterIndex` makes it a port of that bridge, in the same
    /// request (`ip link add NAME up master BR type veth peer …`): the kernel applies both as
    /// it registers the pair, which saves a pod's ADD two round trips. The peer starts down
    /// whatever its flags ask: the kernel opens it before the pair is joined, and a veth end
    /// without its peer refuses to open (ENOTCONN).
    public func addVeth(name: String, peerName: String, peerNamespace: NetworkNamespace? = nil, mtu: Int? = nil,
                        macAddress: MACAddress? = nil, peerMACAddress: MACAddress? = nil,
                        masterIndex: Int32? = nil, up: Bool = false) throws {
        let message = linkMessage(RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, .name(name), header: Self.upHeader(up))
        if let mtu { message.put(IFLA_MTU, u32: UInt32(mtu)) }
        if let macAddress { message.put(IFLA_ADDRESS, bytes: macAddress.bytes) }
        if let masterIndex { message.put(IFLA_MASTER, u32: UInt32(bitPattern: masterIndex)) }
        message.nest(IFLA_LINKINFO) {
            message.put(IFLA_INFO_KIND, string: "veth")
            message.nest(IFLA_INFO_DATA) {
                message.nest(VETH_INFO_PEER) {
                    message.putStructure(ifinfomsg())
                    message.put(IFLA_IFNAME, string: peerName)
                    if let mtu { message.put(IFLA_MTU, u32: UInt32(mtu)) }
                    if let peerMACAddress { message.put(IFLA_ADDRESS, bytes: peerMACAddress.bytes) }
                    if let peerNamespace { message.put(IFLA_NET_NS_FD, u32: UInt32(bitPattern: peerNamespace.fileDescriptor)) }
                }
            }
        }
        let peer = peerName + (peerNamespace.map { " in \($0.path)" } ?? "")
        try execute(message, operation: "create veth", object: "\(name) (peer \(peer))")
    }

    /// An `ifinfomsg` asking for IFF_UP (a new link's flags are applied as it is registered).
    private static func upHeader(_ up: Bool) -> ifinfomsg {
        var header = ifinfomsg()
        if up {
            header.ifi_flags = interfaceUp
            header.ifi_change = interfaceUp
        }
        return header
    }

    /// Creates a bridge (`ip link add NAME type bridge`), down.
    public func addBridge(name: String, mtu: Int? = nil, macAddress: MACAddress? = nil) throws {
        let message = linkMessage(RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, .name(name))
        if let mtu { message.put(IFLA_MTU, u32: UInt32(mtu)) }
        if let macAddress { message.put(IFLA_ADDRESS, bytes: macAddress.bytes) }
        message.nest(IFLA_LINKINFO) { message.put(IFLA_INFO_KIND, string: "bridge") }
        try execute(message, operation: "create bridge", object: name)
    }

    /// Creates a VXLAN device (`ip link add NAME type vxlan id VNI local IP dev UNDERLAY
    /// dstport PORT nolearning`), down. A fixed `macAddress` lets peers keep their FDB and
    /// neighbour entries for this node valid across a re-creation.
    public func addVXLAN(name: String, _ vxlan: VXLANAttributes, mtu: Int? = nil, macAddress: MACAddress? = nil) throws {
        let message = linkMessage(RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, .name(name))
        if let mtu { message.put(IFLA_MTU, u32: UInt32(mtu)) }
        if let macAddress { message.put(IFLA_ADDRESS, bytes: macAddress.bytes) }
        message.nest(IFLA_LINKINFO) {
            message.put(IFLA_INFO_KIND, string: "vxlan")
            message.nest(IFLA_INFO_DATA) {
                message.put(IFLA_VXLAN_ID, u32: vxlan.vni)
                if let local = vxlan.local {
                    message.put(local.family == .ipv4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, address: local)
                }
                if let underlay = vxlan.underlayIndex { message.put(IFLA_VXLAN_LINK, u32: UInt32(bitPattern: underlay)) }
                message.put(IFLA_VXLAN_PORT, u16: vxlan.port.bigEndian)   // network order, unlike the rest
                message.put(IFLA_VXLAN_LEARNING, u8: vxlan.learning ? 1 : 0)
            }
        }
        try execute(message, operation: "create vxlan", object: "\(name) (vni \(vxlan.vni))")
    }

    // MARK: changing

    /// `ip link set LINK up` / `down`.
    public func setLinkUp(_ link: LinkReference, _ up: Bool = true) throws {
        var header = Self.upHeader(true)
        if !up { header.ifi_flags = 0 }
        let message = linkMessage(RTM_NEWLINK, flags: 0, link, header: header)
        try execute(message, operation: up ? "set link up" : "set link down", object: link.description)
    }

    /// `ip link set LINK mtu MTU`.
    public func setMTU(_ link: LinkReference, _ mtu: Int) throws {
        let message = linkMessage(RTM_NEWLINK, flags: 0, link)
        message.put(IFLA_MTU, u32: UInt32(mtu))
        try execute(message, operation: "set mtu \(mtu)", object: link.description)
    }

    /// `ip link set LINK address MAC`.
    public func setMACAddress(_ link: LinkReference, _ address: MACAddress) throws {
        let message = linkMessage(RTM_NEWLINK, flags: 0, link)
        message.put(IFLA_ADDRESS, bytes: address.bytes)
        try execute(message, operation: "set address \(address)", object: link.description)
    }

    /// `ip link set LINK master BRIDGE` (attach as a bridge port), or `nomaster` when nil.
    public func setMaster(_ link: LinkReference, _ master: LinkReference?) throws {
        let masterIndex = try master.map { try index(of: $0) } ?? 0
        let message = linkMessage(RTM_NEWLINK, flags: 0, link)
        message.put(IFLA_MASTER, u32: UInt32(bitPattern: masterIndex))
        try execute(message, operation: master.map { "set master \($0)" } ?? "set nomaster", object: link.description)
    }

    /// `ip link set LINK netns NS`: the link leaves this namespace (and goes down).
    public func moveLink(_ link: LinkReference, to namespace: NetworkNamespace) throws {
        let message = linkMessage(RTM_NEWLINK, flags: 0, link)
        message.put(IFLA_NET_NS_FD, u32: UInt32(bitPattern: namespace.fileDescriptor))
        try execute(message, operation: "move link to \(namespace.path)", object: link.description)
    }

    /// `ip link set LINK name NEWNAME`; the link must be down.
    public func renameLink(_ link: LinkReference, to newName: String) throws {
        // IFLA_IFNAME is the new name here, so the link has to be named by index.
        let index = try index(of: link)
        let message = linkMessage(RTM_NEWLINK, flags: 0, .index(index))
        message.put(IFLA_IFNAME, string: newName)
        try execute(message, operation: "rename link to \(newName)", object: link.description)
    }

    /// Turns hairpin mode of a bridge port on or off (`ip link set PORT type bridge_slave
    /// hairpin on`): the bridge then sends a frame back out of the port it came in on, which a
    /// pod reaching itself through a Service (DNAT to its own address) needs.
    public func setHairpin(_ port: LinkReference, _ on: Bool = true) throws {
        let message = linkMessage(RTM_NEWLINK, flags: 0, port)
        message.nest(IFLA_LINKINFO) {
            message.nest(IFLA_INFO_SLAVE_DATA) { message.put(IFLA_BRPORT_MODE, u8: on ? 1 : 0) }
        }
        try execute(message, operation: on ? "set hairpin on" : "set hairpin off", object: port.description)
    }

    // MARK: deleting

    /// `ip link del LINK`. Deleting one end of a veth pair deletes both. Throws ENODEV when
    /// there is no such link; `deleteLinkIfPresent` is the idempotent form.
    public func deleteLink(_ link: LinkReference) throws {
        try execute(linkMessage(RTM_DELLINK, flags: 0, link), operation: "delete link", object: link.description,
                    missing: "no such link")
    }

    /// Deletes the link if it exists; false when it did not (a CNI DEL must succeed twice).
    @discardableResult
    public func deleteLinkIfPresent(_ link: LinkReference) throws -> Bool {
        do {
            try deleteLink(link)
            return true
        } catch let error as NetlinkError where error.errno == ENODEV {
            return false
        }
    }

    // MARK: building

    /// An RTM_*LINK message naming `link` by index (ifi_index) or by name (IFLA_IFNAME).
    func linkMessage(_ type: Int, flags: Int32, _ link: LinkReference?, header: ifinfomsg = ifinfomsg()) -> RouteMessage {
        var header = header
        if case .index(let index) = link { header.ifi_index = index }
        let message = RouteMessage(type: type, flags: flags, header)
        if case .name(let name) = link { message.put(IFLA_IFNAME, string: name) }
        return message
    }
}

extension Link {
    /// From one RTM_NEWLINK message (an `ifinfomsg`, then IFLA_* attributes).
    init?(message: UnsafePointer<nlmsghdr>) {
        guard message.pointee.nlmsg_len >= UInt32(MemoryLayout<nlmsghdr>.size + MemoryLayout<ifinfomsg>.size) else { return nil }
        let header = UnsafeRawPointer(message).loadUnaligned(fromByteOffset: MemoryLayout<nlmsghdr>.size, as: ifinfomsg.self)
        self.init(index: header.ifi_index, name: "", mtu: 0, isUp: header.ifi_flags & interfaceUp != 0,
                  hasCarrier: header.ifi_flags & interfaceLowerUp != 0)
        for attribute in NetlinkAttributes(message: message, headerSize: MemoryLayout<ifinfomsg>.size) {
            switch Int(attribute.type) {
            case IFLA_IFNAME: name = attribute.string
            case IFLA_MTU: mtu = Int(attribute.u32 ?? 0)
            case IFLA_ADDRESS: macAddress = attribute.macAddress
            case IFLA_MASTER: masterIndex = attribute.int32
            case IFLA_LINK: peerIndex = attribute.int32
            case IFLA_LINKINFO: readLinkInfo(attribute.nested)
            default: break
            }
        }
        if kind != "veth" { peerIndex = nil }   // IFLA_LINK means "lower device" for other kinds
    }

    private mutating func readLinkInfo(_ attributes: NetlinkAttributes) {
        var slaveKind: String?
        for info in attributes {
            switch Int(info.type) {
            case IFLA_INFO_KIND: kind = info.string
            case IFLA_INFO_SLAVE_KIND: slaveKind = info.string
            case IFLA_INFO_DATA where kind == "vxlan": vxlan = VXLANAttributes(attributes: info.nested)
            case IFLA_INFO_SLAVE_DATA where slaveKind == "bridge":
                for port in info.nested where Int(port.type) == IFLA_BRPORT_MODE { hairpin = port.u8 == 1 }
            default: break
            }
        }
    }

    init(index: Int32, name: String, mtu: Int, isUp: Bool, hasCarrier: Bool) {
        self.index = index
        self.name = name
        self.mtu = mtu
        self.isUp = isUp
        self.hasCarrier = hasCarrier
    }
}

extension VXLANAttributes {
    init(attributes: NetlinkAttributes) {
        self.init(vni: 0)
        for attribute in attributes {
            switch Int(attribute.type) {
            case IFLA_VXLAN_ID: vni = attribute.u32 ?? 0
            case IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6: local = attribute.ipAddress
            case IFLA_VXLAN_PORT: port = attribute.bigEndian16 ?? 0
            case IFLA_VXLAN_LINK: underlayIndex = attribute.int32
            case IFLA_VXLAN_LEARNING: learning = attribute.u8 == 1
            default: break
            }
        }
    }
}
