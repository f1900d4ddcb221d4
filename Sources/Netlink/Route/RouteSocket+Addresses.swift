internal import CNetfilter
import Glibc

/// IFA_F_NODAD from linux/if_addr.h (a #define, which Swift imports only as a literal).
private let addressNoDAD: UInt8 = 0x02

extension RouteSocket {
    /// `ip addr add ADDRESS/LEN dev LINK`. Throws EEXIST ("add address 10.0.0.1/24 to veth0:
    /// File exists") when the link has it already. `skipDuplicateDetection` (IFA_F_NODAD)
    /// makes an IPv6 address usable at once instead of after a second of DAD; the addresses
    /// the CNI plugin hands out are unique by allocation.
    public func addAddress(_ address: InterfaceAddress, to link: LinkReference, skipDuplicateDetection: Bool = false) throws {
        let message = try addressMessage(RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_EXCL, address, link,
                                         extraFlags: skipDuplicateDetection ? addressNoDAD : 0)
        try execute(message, operation: "add address \(address) to", object: link.description)
    }

    /// `ip addr del ADDRESS/LEN dev LINK`. Throws EADDRNOTAVAIL when the link does not have it.
    public func deleteAddress(_ address: InterfaceAddress, from link: LinkReference) throws {
        let message = try addressMessage(RTM_DELADDR, flags: 0, address, link, extraFlags: 0)
        try execute(message, operation: "delete address \(address) from", object: link.description,
                    missing: "the link has no such address")
    }

    /// The addresses of `link` (every link's when nil), of one family or both.
    public func addresses(of link: LinkReference? = nil, family: IPFamily? = nil) throws -> [LinkAddressEntry] {
        let index = try link.map { try self.index(of: $0) }
        var header = ifaddrmsg()
        header.ifa_family = family?.addressFamily ?? 0
        let message = RouteMessage(type: RTM_GETADDR, flags: 0, header)
        return try list(message, replyType: RTM_NEWADDR, operation: "list addresses", object: link?.description ?? "") {
            guard let entry = LinkAddressEntry(message: $0) else { return nil }
            guard index.map({ $0 == entry.linkIndex }) ?? true, family.map({ $0 == entry.address.family }) ?? true else { return nil }
            return entry
        }
    }

    private func addressMessage(_ type: Int, flags: Int32, _ address: InterfaceAddress, _ link: LinkReference,
                                extraFlags: UInt8) throws -> RouteMessage {
        var header = ifaddrmsg()
        header.ifa_family = address.family.addressFamily
        header.ifa_prefixlen = UInt8(address.prefixLength)
        header.ifa_flags = extraFlags
        header.ifa_index = UInt32(bitPattern: try index(of: link))
        let message = RouteMessage(type: type, flags: flags, header)
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS the same except on
        // point-to-point links (the peer). `ip addr add` sends both.
        message.put(IFA_LOCAL, address: address.address)
        message.put(IFA_ADDRESS, address: address.address)
        return message
    }
}

extension LinkAddressEntry {
    /// From one RTM_NEWADDR message (an `ifaddrmsg`, then IFA_* attributes).
    init?(message: UnsafePointer<nlmsghdr>) {
        guard message.pointee.nlmsg_len >= UInt32(MemoryLayout<nlmsghdr>.size + MemoryLayout<ifaddrmsg>.size) else { return nil }
        let header = UnsafeRawPointer(message).loadUnaligned(fromByteOffset: MemoryLayout<nlmsghdr>.size, as: ifaddrmsg.self)
        var local: IPAddress?, address: IPAddress?
        var flags = UInt32(header.ifa_flags)
        for attribute in NetlinkAttributes(message: message, headerSize: MemoryLayout<ifaddrmsg>.size) {
            switch Int(attribute.type) {
            case IFA_LOCAL: local = attribute.ipAddress
            case IFA_ADDRESS: address = attribute.ipAddress
            case IFA_FLAGS: flags = attribute.u32 ?? flags
            default: break
            }
        }
        // IPv6 sends only IFA_ADDRESS; IPv4 both, IFA_LOCAL being ours.
        guard let own = local ?? address, let interfaceAddress = InterfaceAddress(address: own, prefixLength: Int(header.ifa_prefixlen))
        else { return nil }
        self.init(address: interfaceAddress, linkIndex: Int32(bitPattern: header.ifa_index), scope: header.ifa_scope, flags: flags)
    }
}
