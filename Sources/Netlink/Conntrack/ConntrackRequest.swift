internal import CNetfilter

/// Starts ctnetlink request messages: the netlink header with the subsystem's message type,
/// then the `nfgenmsg` naming the L3 family the request is about. Attributes follow with
/// libmnl's `mnl_attr_*`, which keep the header's length current.
enum ConntrackRequest {
    /// Messages of NFNL_SUBSYS_CTNETLINK carry the subsystem in the type's high byte.
    static func messageType(_ message: cntl_msg_types) -> UInt16 {
        UInt16(NFNL_SUBSYS_CTNETLINK << 8) | UInt16(message.rawValue)
    }

    /// Writes a header at `buffer` (which must be zeroed and large enough for everything the
    /// caller then appends) and returns it.
    static func start(at buffer: UnsafeMutableRawPointer, _ message: cntl_msg_types, flags: Int32,
                      family: IPFamily, sequence: UInt32) -> UnsafeMutablePointer<nlmsghdr> {
        let header = mnl_nlmsg_put_header(buffer)!
        header.pointee.nlmsg_type = messageType(message)
        header.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | flags)
        header.pointee.nlmsg_seq = sequence
        let generic = mnl_nlmsg_put_extra_header(header, MemoryLayout<nfgenmsg>.size)!
            .assumingMemoryBound(to: nfgenmsg.self)
        generic.pointee.nfgen_family = family.addressFamily
        generic.pointee.version = UInt8(NFNETLINK_V0)
        generic.pointee.res_id = 0
        return header
    }

    /// Room for a header, the nfgenmsg and a tuple: what a delete needs, plus zone and id.
    static let deleteSize = 16 + 4 + ConntrackTuple.maximumEncodedSize + 8 + 8

    /// Appends one IPCTNL_MSG_CT_DELETE for `entry`, acknowledged. The tuple is always
    /// present: a delete without one is a flush of the whole table.
    static func delete(_ entry: ConntrackEntry, at buffer: UnsafeMutableRawPointer, sequence: UInt32) -> Int {
        let header = start(at: buffer, IPCTNL_MSG_CT_DELETE, flags: NLM_F_ACK, family: entry.family, sequence: sequence)
        entry.original.put(into: header, as: CTA_TUPLE_ORIG.rawValue)
        if entry.zone != 0 { mnl_attr_put_u16(header, UInt16(CTA_ZONE.rawValue), entry.zone.bigEndian) }
        if let id = entry.id { mnl_attr_put_u32(header, UInt16(CTA_ID.rawValue), id.bigEndian) }
        return Int(header.pointee.nlmsg_len)
    }

    /// Room for a dump request with its filter.
    static let dumpSize = 256

    /// One IPCTNL_MSG_CT_GET dump of `family`. With `l4Protocol`, asks the kernel to send only
    /// that protocol's entries (CTA_FILTER, Linux 5.8+): the filter's flags say which fields of
    /// the CTA_TUPLE_ORIG that comes with it are compared, here only the protocol number.
    static func dump(family: IPFamily, l4Protocol: UInt8?, at buffer: UnsafeMutableRawPointer,
                     sequence: UInt32) -> Int {
        let header = start(at: buffer, IPCTNL_MSG_CT_GET, flags: NLM_F_DUMP, family: family, sequence: sequence)
        if let l4Protocol {
            let tuple = mnl_attr_nest_start(header, UInt16(CTA_TUPLE_ORIG.rawValue))
            let proto = mnl_attr_nest_start(header, UInt16(CTA_TUPLE_PROTO.rawValue))
            mnl_attr_put_u8(header, UInt16(CTA_PROTO_NUM.rawValue), l4Protocol)
            mnl_attr_nest_end(header, proto)
            mnl_attr_nest_end(header, tuple)
            let filter = mnl_attr_nest_start(header, UInt16(CTA_FILTER.rawValue))
            // Host order: the kernel's policy for the flags is NLA_U32.
            mnl_attr_put_u32(header, UInt16(CTA_FILTER_ORIG_FLAGS.rawValue), UInt32(CTA_FILTER_F_CTA_PROTO_NUM.rawValue))
            mnl_attr_nest_end(header, filter)
        }
        return Int(header.pointee.nlmsg_len)
    }
}
