internal import CNetfilter
import Glibc

/// Constants from linux/neighbour.h and linux/socket.h spelled out: Swift imports neither the
/// shifted #defines nor AF_BRIDGE from glibc reliably.
let neighbourFlagSelf: UInt8 = 0x02     // NTF_SELF
let addressFamilyBridge: UInt8 = 7      // AF_BRIDGE

extension RouteSocket {
    // MARK: neighbours (ARP / NDP)

    /// `ip neigh replace IP lladdr MAC dev LINK nud permanent`: creates the entry or overwrites
    /// whatever the link had for the IP, so calling it again with another MAC leaves one entry.
    public func replaceNeighbour(_ address: IPAddress, macAddress: MACAddress, on link: LinkReference) throws {
        let message = try neighbourMessage(RTM_NEWNEIGH, flags: NLM_F_CREATE | NLM_F_REPLACE, address, link)
        message.put(NDA_LLADDR, bytes: macAddress.bytes)
        try execute(message, operation: "replace neighbour \(address) lladdr \(macAddress) on", object: link.description)
    }

    /// `ip neigh del IP dev LINK`. Throws ENOENT when there is no entry.
    public func deleteNeighbour(_ address: IPAddress, on link: LinkReference) throws {
        let message = try neighbourMessage(RTM_DELNEIGH, flags: 0, address, link)
        try execute(message, operation: "delete neighbour \(address) on", object: link.description,
                    missing: "no such neighbour entry")
    }

    /// The IPv4 and IPv6 neighbour entries of `link` (of every link when nil).
    public func neighbours(of link: LinkReference? = nil, family: IPFamily? = nil) throws -> [Neighbour] {
        let index = try link.map { try self.index(of: $0) }
        var header = ndmsg()
        header.ndm_family = family?.addressFamily ?? 0
        let message = RouteMessage(type: RTM_GETNEIGH, flags: 0, header)
        return try list(message, replyType: RTM_NEWNEIGH, operation: "list neighbours", object: link?.description ?? "") {
            guard let neighbour = Neighbour(message: $0), index.map({ $0 == neighbour.linkIndex }) ?? true,
                  family.map({ $0 == neighbour.address.family }) ?? true
            else { return nil }
            return neighbour
        }
    }

    private func neighbourMessage(_ type: Int, flags: Int32, _ address: IPAddress, _ link: LinkReference) throws -> RouteMessage {
        var header = ndmsg()
        header.ndm_family = address.family.addressFamily
        header.ndm_ifindex = try index(of: link)
        header.ndm_state = Neighbour.permanent
        let message = RouteMessage(type: type, flags: flags, header)
        message.put(NDA_DST, address: address)
        return message
    }

    // MARK: bridge FDB

    /// `bridge fdb append MAC dev LINK dst IP self permanent`: adds `destination` to the remotes
    /// of `macAddress` (a VXLAN entry may have several, e.g. the all-zeros MAC for flooding).
    public func appendFDB(_ macAddress: MACAddress, destination: IPAddress, on link: LinkReference) throws {
        let message = try fdbMessage(RTM_NEWNEIGH, flags: NLM_F_CREATE | NLM_F_APPEND, macAddress, destination, link)
        try execute(message, operation: "append fdb \(macAddress) dst \(destination) on", object: link.description)
    }

    /// `bridge fdb replace MAC dev LINK dst IP self permanent`: the entry for `macAddress` then
    /// points at `destination` only, whatever it pointed at before (flannel's per-node entry).
    public func replaceFDB(_ macAddress: MACAddress, destination: IPAddress, on link: LinkReference) throws {
        let message = try fdbMessage(RTM_NEWNEIGH, flags: NLM_F_CREATE | NLM_F_REPLACE, macAddress, destination, link)
        try execute(message, operation: "replace fdb \(macAddress) dst \(destination) on", object: link.description)
    }

    /// `bridge fdb del MAC dev LINK [dst IP] self`: with `destination` only that remote goes,
    /// without it the whole entry. Throws ENOENT when there is no such entry.
    public func deleteFDB(_ macAddress: MACAddress, destination: IPAddress? = nil, on link: LinkReference) throws {
        let message = try fdbMessage(RTM_DELNEIGH, flags: 0, macAddress, destination, link)
        try execute(message, operation: "delete fdb \(macAddress)" + (destination.map { " dst \($0)" } ?? "") + " on",
                    object: link.description, missing: "no such fdb entry")
    }

    /// The FDB entries of `link` (`bridge fdb show dev LINK`).
    public func fdb(of link: LinkReference) throws -> [FDBEntry] {
        let index = try self.index(of: link)
        var header = ndmsg()
        header.ndm_family = addressFamilyBridge
        let message = RouteMessage(type: RTM_GETNEIGH, flags: 0, header)
        return try list(message, replyType: RTM_NEWNEIGH, operation: "list fdb", object: link.description) {
            guard let entry = FDBEntry(message: $0), entry.linkIndex == index else { return nil }
            return entry
        }
    }

    private func fdbMessage(_ type: Int, flags: Int32, _ macAddress: MACAddress, _ destination: IPAddress?,
                            _ link: LinkReference) throws -> RouteMessage {
        var header = ndmsg()
        header.ndm_family = addressFamilyBridge
        header.ndm_ifindex = try index(of: link)
        header.ndm_state = Neighbour.permanent
        header.ndm_flags = neighbourFlagSelf   // the device's own table, not a master bridge's
        let message = RouteMessage(type: type, flags: flags, header)
        message.put(NDA_LLADDR, bytes: macAddress.bytes)
        if let destination { message.put(NDA_DST, address: destination) }
        return message
    }
}

extension Neighbour {
    /// From one RTM_NEWNEIGH message of an IPv4 or IPv6 table.
    init?(message: UnsafePointer<nlmsghdr>) {
        guard let header = neighbourHeader(message), header.ndm_family == 2 || header.ndm_family == 10 else { return nil }
        var address: IPAddress?, mac: MACAddress?
        for attribute in NetlinkAttributes(message: message, headerSize: MemoryLayout<ndmsg>.size) {
            switch Int(attribute.type) {
            case NDA_DST: address = attribute.ipAddress
            case NDA_LLADDR: mac = attribute.macAddress
            default: break
            }
        }
        guard let address else { return nil }
        self.init(address: address, macAddress: mac, linkIndex: header.ndm_ifindex, state: header.ndm_state,
                  flags: header.ndm_flags)
    }
}

extension FDBEntry {
    /// From one RTM_NEWNEIGH message of the AF_BRIDGE family.
    init?(message: UnsafePointer<nlmsghdr>) {
        guard let header = neighbourHeader(message), header.ndm_family == addressFamilyBridge else { return nil }
        var mac: MACAddress?, destination: IPAddress?, master: Int32?, vlan: UInt16?
        for attribute in NetlinkAttributes(message: message, headerSize: MemoryLayout<ndmsg>.size) {
            switch Int(attribute.type) {
            case NDA_LLADDR: mac = attribute.macAddress
            case NDA_DST: destination = attribute.ipAddress
            case NDA_MASTER: master = attribute.int32
            case NDA_VLAN: vlan = attribute.u16
            default: break
            }
        }
        guard let mac else { return nil }
        self.init(macAddress: mac, destination: destination, linkIndex: header.ndm_ifindex, state: header.ndm_state,
                  flags: header.ndm_flags, masterIndex: master, vlan: vlan)
    }
}

/// The `ndmsg` at the start of a neighbour message; nil when the message is too short.
private func neighbourHeader(_ message: UnsafePointer<nlmsghdr>) -> ndmsg? {
    guard message.pointee.nlmsg_len >= UInt32(MemoryLayout<nlmsghdr>.size + MemoryLayout<ndmsg>.size) else { return nil }
    return UnsafeRawPointer(message).loadUnaligned(fromByteOffset: MemoryLayout<nlmsghdr>.size, as: ndmsg.self)
}
