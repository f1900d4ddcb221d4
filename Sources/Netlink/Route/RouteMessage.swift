internal import CNetfilter

/// One rtnetlink request being built: the netlink header, the family header of its message
/// type (`ifinfomsg`, `ifaddrmsg`, `rtmsg`, `ndmsg`), then attributes appended with libmnl's
/// `mnl_attr_*`, which keep the header's length current. Every request here is small (the
/// largest, a veth pair, is well under 1 KiB), so one fixed page is enough.
final class RouteMessage {
    static let capacity = 4096
    private let buffer: UnsafeMutableRawPointer
    let header: UnsafeMutablePointer<nlmsghdr>

    init<FamilyHeader>(type: Int, flags: Int32, _ familyHeader: FamilyHeader) {
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.capacity, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: Self.capacity)
        header = mnl_nlmsg_put_header(buffer)!
        header.pointee.nlmsg_type = UInt16(type)
        header.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | flags)
        let extra = mnl_nlmsg_put_extra_header(header, MemoryLayout<FamilyHeader>.size)!
        extra.storeBytes(of: familyHeader, as: FamilyHeader.self)
    }

    deinit { buffer.deallocate() }

    var length: Int { Int(header.pointee.nlmsg_len) }
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer, count: length) }

    func put(_ type: some BinaryInteger, bytes: [UInt8]) {
        bytes.withUnsafeBytes { mnl_attr_put(header, UInt16(type), $0.count, $0.baseAddress) }
    }

    func put(_ type: some BinaryInteger, u8 value: UInt8) { mnl_attr_put_u8(header, UInt16(type), value) }
    func put(_ type: some BinaryInteger, u16 value: UInt16) { mnl_attr_put_u16(header, UInt16(type), value) }
    func put(_ type: some BinaryInteger, u32 value: UInt32) { mnl_attr_put_u32(header, UInt16(type), value) }
    /// A NUL-terminated string (IFLA_IFNAME, IFLA_INFO_KIND).
    func put(_ type: some BinaryInteger, string: String) { mnl_attr_put_strz(header, UInt16(type), string) }
    func put(_ type: some BinaryInteger, address: IPAddress) { put(type, bytes: address.bytes) }

    /// Appends a nest (NLA_F_NESTED set, which strict validation of newer attributes wants)
    /// holding whatever `body` appends.
    func nest(_ type: some BinaryInteger, _ body: () -> Void) {
        let start = mnl_attr_nest_start(header, UInt16(type))
        body()
        mnl_attr_nest_end(header, start)
    }

    /// Appends a bare structure with no attribute header, as VETH_INFO_PEER starts with the
    /// peer's `ifinfomsg`.
    func putStructure<T>(_ value: T) {
        let tail = mnl_nlmsg_get_payload_tail(header)!
        tail.storeBytes(of: value, as: T.self)
        header.pointee.nlmsg_len += UInt32((MemoryLayout<T>.size + 3) & ~3)
    }
}
