internal import CNetfilter

/// The attributes in one stretch of a netlink message (a message's payload after its fixed
/// header, or a nested attribute's payload), walked with libmnl's bounds checks: a truncated
/// attribute ends the walk instead of being read past the end of the datagram.
struct NetlinkAttributes: Sequence {
    private let start: UnsafeRawPointer
    private let length: Int

    init(start: UnsafeRawPointer, length: Int) {
        self.start = start
        self.length = length
    }

    /// The attributes of a message whose family header (e.g. `nfgenmsg`) is `headerSize` bytes.
    init(message: UnsafePointer<nlmsghdr>, headerSize: Int) {
        let payload = UnsafeRawPointer(mnl_nlmsg_get_payload_offset(message, headerSize)!)
        let end = UnsafeRawPointer(message) + Int(message.pointee.nlmsg_len)
        self.init(start: payload, length: Swift.max(0, end - payload))
    }

    struct Iterator: IteratorProtocol {
        var position: UnsafeRawPointer
        let end: UnsafeRawPointer

        mutating func next() -> NetlinkAttribute? {
            let attribute = position.assumingMemoryBound(to: nlattr.self)
            guard mnl_attr_ok(attribute, Int32(clamping: end - position)) else { return nil }
            position = UnsafeRawPointer(mnl_attr_next(attribute)!)
            return NetlinkAttribute(pointer: attribute)
        }
    }

    func makeIterator() -> Iterator { Iterator(position: start, end: start + length) }
}

/// One attribute; its accessors check the payload size, so a kernel that sends a different
/// layout yields nil rather than garbage.
struct NetlinkAttribute {
    let pointer: UnsafePointer<nlattr>

    /// The type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER flags.
    var type: UInt16 { mnl_attr_get_type(pointer) }

    var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mnl_attr_get_payload(pointer), count: Int(mnl_attr_get_payload_len(pointer)))
    }

    var nested: NetlinkAttributes {
        NetlinkAttributes(start: UnsafeRawPointer(mnl_attr_get_payload(pointer)!),
                          length: Int(mnl_attr_get_payload_len(pointer)))
    }

    var u8: UInt8? { payload.count >= 1 ? payload.load(as: UInt8.self) : nil }

    /// A 16-bit value the kernel sends in network order (ports, zones).
    var bigEndian16: UInt16? { payload.count >= 2 ? UInt16(bigEndian: payload.loadUnaligned(as: UInt16.self)) : nil }

    /// A 32-bit value the kernel sends in network order (ids, marks, status).
    var bigEndian32: UInt32? { payload.count >= 4 ? UInt32(bigEndian: payload.loadUnaligned(as: UInt32.self)) : nil }
}
