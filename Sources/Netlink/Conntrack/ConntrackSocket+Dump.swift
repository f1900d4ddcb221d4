internal import CNetfilter
import Glibc

extension ConntrackSocket {
    /// Every entry of `family` (only those of `l4Protocol` when given, e.g. IPPROTO_UDP),
    /// read to the end of the dump. The table is walked by the kernel in parts, one datagram
    /// each; a large table (thousands of entries) takes many. Entries that appear or go while
    /// the dump runs may or may not be in it, as with `conntrack -L`.
    public func dump(family: IPFamily, l4Protocol: UInt8? = nil) throws -> [ConntrackEntry] {
        var restarts = 0
        while true {
            let filterInKernel = l4Protocol != nil && kernelFiltersDumps != false
            let outcome: DumpOutcome
            do {
                outcome = try dumpOnce(family: family, l4Protocol: l4Protocol, filterInKernel: filterInKernel)
            } catch let error as NetlinkError
                where filterInKernel && kernelFiltersDumps == nil && [EINVAL, EOPNOTSUPP].contains(error.errno) {
                // A kernel that knows CTA_FILTER but not this use of it: filter here instead.
                kernelFiltersDumps = false
                continue
            }
            if filterInKernel { kernelFiltersDumps = true }
            // The kernel marks parts of a dump that raced a table change (NLM_F_DUMP_INTR); a
            // fresh dump is then more complete. Ctnetlink rarely does; two retries are plenty.
            if outcome.interrupted && restarts < 2 {
                restarts += 1
                continue
            }
            return outcome.entries
        }
    }

    private struct DumpOutcome {
        var entries: [ConntrackEntry] = []
        var interrupted = false
    }

    private func dumpOnce(family: IPFamily, l4Protocol: UInt8?, filterInKernel: Bool) throws -> DumpOutcome {
        let operation = "dump conntrack"
        let object = "\(family)" + (l4Protocol.map { " proto \($0)" } ?? "")
        let sequence = netlink.reserveSequenceNumbers(1)
        let request = UnsafeMutableRawPointer.allocate(byteCount: ConntrackRequest.dumpSize, alignment: 16)
        defer { request.deallocate() }
        request.initializeMemory(as: UInt8.self, repeating: 0, count: ConntrackRequest.dumpSize)
        let length = ConntrackRequest.dump(family: family, l4Protocol: filterInKernel ? l4Protocol : nil,
                                           at: request, sequence: sequence)
        try send(request, length: length)

        var outcome = DumpOutcome()
        let entryType = ConntrackRequest.messageType(IPCTNL_MSG_CT_NEW)
        while true {
            let datagram = try receiveDatagram(operation: operation)
            var remaining = Int32(datagram.count)
            var message = UnsafePointer(datagram.baseAddress!.assumingMemoryBound(to: nlmsghdr.self))
            while mnl_nlmsg_ok(message, remaining) {
                defer { message = UnsafePointer(mnl_nlmsg_next(message, &remaining)!) }
                let header = message.pointee
                // Anything else queued on the socket (a reply to an earlier, abandoned request) is not ours.
                guard header.nlmsg_seq == sequence, header.nlmsg_pid == netlink.portID else { continue }
                if header.nlmsg_flags & UInt16(NLM_F_DUMP_INTR) != 0 { outcome.interrupted = true }
                switch Int32(header.nlmsg_type) {
                case NLMSG_DONE:
                    // The payload is the dump's status: negative if the kernel stopped early.
                    if header.nlmsg_len >= UInt32(MemoryLayout<nlmsghdr>.size + 4) {
                        let status = UnsafeRawPointer(message).loadUnaligned(fromByteOffset: MemoryLayout<nlmsghdr>.size,
                                                                             as: Int32.self)
                        if status < 0 { throw NetlinkError(errno: -status, operation: operation, object: object) }
                    }
                    return outcome
                case NLMSG_ERROR:
                    let raw = UnsafeRawBufferPointer(start: message, count: Int(header.nlmsg_len))
                    if let ack = NetlinkAck.parse(raw).first, ack.errno != 0 {
                        throw NetlinkError(errno: ack.errno, operation: operation, object: object, kernelMessage: ack.message)
                    }
                case NLMSG_NOOP, NLMSG_OVERRUN:
                    continue
                default:
                    guard header.nlmsg_type == entryType, let entry = ConntrackEntry(message: message),
                          entry.family == family, l4Protocol.map({ entry.original.l4Protocol == $0 }) ?? true
                    else { continue }
                    outcome.entries.append(entry)
                }
            }
        }
    }
}
