internal import CNetfilter

/// One acknowledgement read back from the kernel: an `NLMSG_ERROR` message whose error is
/// 0 for success. With NETLINK_EXT_ACK the kernel may add a text and the offset, inside the
/// message we sent, of the attribute it rejected; with NETLINK_CAP_ACK it echoes only the
/// header of that message, which is all we need (its sequence number).
struct NetlinkAck {
    var sequence: UInt32
    /// 0 for success, else a positive errno.
    var errno: Int32
    var message: String?
    var attributeOffset: Int?

    /// The acknowledgements in one datagram (a datagram may hold several messages);
    /// anything else (multicast noise, replies to others) is skipped.
    static func parse(_ buffer: UnsafeRawBufferPointer) -> [NetlinkAck] {
        var acks: [NetlinkAck] = []
        var at = 0
        let header = MemoryLayout<nlmsghdr>.size   // 16
        while at + header <= buffer.count {
            let length = Int(buffer.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            let type = buffer.loadUnaligned(fromByteOffset: at + 4, as: UInt16.self)
            let flags = buffer.loadUnaligned(fromByteOffset: at + 6, as: UInt16.self)
            guard length >= header, at + length <= buffer.count else { break }
            if type == UInt16(NLMSG_ERROR), length >= header + 4 + header {
                let payload = at + header
                let error = buffer.loadUnaligned(fromByteOffset: payload, as: Int32.self)
                let original = payload + 4
                let originalLength = Int(buffer.loadUnaligned(fromByteOffset: original, as: UInt32.self))
                let sequence = buffer.loadUnaligned(fromByteOffset: original + 8, as: UInt32.self)
                var ack = NetlinkAck(sequence: sequence, errno: -error)
                if flags & UInt16(NLM_F_ACK_TLVS) != 0 {
                    // TLVs follow the echoed message: only its header when capped.
                    let echoed = flags & UInt16(NLM_F_CAPPED) != 0 ? header : (originalLength + 3) & ~3
                    ack.readExtendedAck(buffer, from: original + echoed, to: at + length)
                }
                acks.append(ack)
            }
            at += (length + 3) & ~3
        }
        return acks
    }

    private mutating func readExtendedAck(_ buffer: UnsafeRawBufferPointer, from start: Int, to end: Int) {
        var at = start
        while at + 4 <= end {
            let length = Int(buffer.loadUnaligned(fromByteOffset: at, as: UInt16.self))
            let type = Int32(buffer.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self) & 0x3fff)
            guard length >= 4, at + length <= end else { break }
            let value = UnsafeRawBufferPointer(rebasing: buffer[(at + 4)..<(at + length)])
            if type == Int32(NLMSGERR_ATTR_MSG.rawValue) {
                message = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
            } else if type == Int32(NLMSGERR_ATTR_OFFS.rawValue), value.count >= 4 {
                attributeOffset = Int(value.loadUnaligned(as: UInt32.self))
            }
            at += (length + 3) & ~3
        }
    }
}
