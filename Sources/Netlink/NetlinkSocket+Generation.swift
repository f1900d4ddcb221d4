internal import CNetfilter
import Glibc

extension NetlinkSocket {
    /// The nf_tables ruleset generation of this socket's network namespace. The kernel bumps
    /// it on every committed transaction, whoever sends it, so an unchanged generation proves
    /// nobody touched any table since it was read: a periodic resync can then be skipped.
    public func rulesetGeneration() throws -> UInt32 {
        let sequence = reserveSequenceNumbers(1)
        var request = [UInt8](repeating: 0, count: 64)
        let length = request.withUnsafeMutableBytes { raw -> Int in
            let header = nftnl_nlmsg_build_hdr(raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                                               UInt16(NFT_MSG_GETGEN.rawValue), UInt16(AF_UNSPEC), UInt16(NLM_F_REQUEST), sequence)!
            return Int(header.pointee.nlmsg_len)
        }
        try request.withUnsafeMutableBytes { raw in
            try send([iovec(iov_base: raw.baseAddress, iov_len: length)])
        }
        var reply = [UInt8](repeating: 0, count: 8192)
        while true {
            var poller = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 5000)
            if ready == 0 { throw NetlinkError(errno: ETIMEDOUT, operation: "read ruleset generation") }
            if ready < 0 {
                if Glibc.errno == EINTR { continue }
                throw NetlinkError(errno: Glibc.errno, operation: "read ruleset generation")
            }
            let n = reply.withUnsafeMutableBytes { recv(fileDescriptor, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw NetlinkError(errno: Glibc.errno, operation: "read ruleset generation")
            }
            let found: Result<UInt32, NetlinkError>? = reply.withUnsafeBytes { raw in
                var offset = 0
                while offset + MemoryLayout<nlmsghdr>.size <= n {
                    let header = raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: nlmsghdr.self)
                    let messageLength = Int(header.pointee.nlmsg_len)
                    guard messageLength >= MemoryLayout<nlmsghdr>.size, offset + messageLength <= n else { break }
                    defer { offset += (messageLength + 3) & ~3 }
                    guard header.pointee.nlmsg_seq == sequence else { continue }
                    if header.pointee.nlmsg_type == UInt16(NLMSG_ERROR) {
                        let code = raw.load(fromByteOffset: offset + MemoryLayout<nlmsghdr>.size, as: Int32.self)
                        if code != 0 { return .failure(NetlinkError(errno: -code, operation: "read ruleset generation")) }
                        continue
                    }
                    guard let gen = nftnl_gen_alloc() else { return .failure(NetlinkError(errno: ENOMEM, operation: "read ruleset generation")) }
                    defer { nftnl_gen_free(gen) }
                    guard nftnl_gen_nlmsg_parse(header, gen) >= 0, nftnl_gen_is_set(gen, UInt16(NFTNL_GEN_ID)) else {
                        return .failure(NetlinkError(errno: EPROTO, operation: "read ruleset generation"))
                    }
                    return .success(nftnl_gen_get_u32(gen, UInt16(NFTNL_GEN_ID)))
                }
                return nil
            }
            if let found { return try found.get() }
        }
    }
}
