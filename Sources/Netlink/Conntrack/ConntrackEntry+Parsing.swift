internal import CNetfilter

extension ConntrackEntry {
    /// From one IPCTNL_MSG_CT_NEW message of a dump (an `nfgenmsg`, then CTA_* attributes).
    /// Nil when either tuple is missing or unreadable: such an entry could be neither judged nor
    /// deleted, and skipping it is safer than guessing.
    init?(message: UnsafePointer<nlmsghdr>) {
        var original: ConntrackTuple?, reply: ConntrackTuple?
        var zone: UInt16 = 0
        var id: UInt32?, mark: UInt32?
        for attribute in NetlinkAttributes(message: message, headerSize: MemoryLayout<nfgenmsg>.size) {
            switch UInt32(attribute.type) {
            case CTA_TUPLE_ORIG.rawValue: original = ConntrackTuple(attributes: attribute.nested)
            case CTA_TUPLE_REPLY.rawValue: reply = ConntrackTuple(attributes: attribute.nested)
            case CTA_ZONE.rawValue: zone = attribute.bigEndian16 ?? 0
            case CTA_ID.rawValue: id = attribute.bigEndian32
            case CTA_MARK.rawValue: mark = attribute.bigEndian32
            default: break
            }
        }
        guard let original, let reply, original.family == reply.family else { return nil }
        self.init(original: original, reply: reply, zone: zone, id: id, mark: mark)
    }
}
