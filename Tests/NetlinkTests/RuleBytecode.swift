import SkiffTestSupport
import CNetfilter
import Foundation

/// Test-only read-back: every rule of the calling thread's namespace, as libnftnl prints it
/// (`[ payload load 4b @ network header + 16 => reg 1 ]`, the format of `nft --debug=netlink`),
/// to compare the bytecode the library sends with what nft sends for the same text.
/// Kernel-assigned rule handles are left out.
enum RuleBytecode {
    static func dump() throws -> [String] {
        guard let socket = mnl_socket_open(NETLINK_NETFILTER) else { throw TestFailure("mnl_socket_open") }
        defer { mnl_socket_close(socket) }
        guard mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else { throw TestFailure("mnl_socket_bind") }
        let portID = mnl_socket_get_portid(socket)
        let sequence = UInt32(truncatingIfNeeded: time(nil))

        var request = [CChar](repeating: 0, count: 256)
        let length = request.withUnsafeMutableBufferPointer { buffer -> Int in
            let nlh = nftnl_nlmsg_build_hdr(buffer.baseAddress, UInt16(NFT_MSG_GETRULE.rawValue), UInt16(NFPROTO_UNSPEC),
                                            UInt16(NLM_F_DUMP), sequence)!
            return Int(nlh.pointee.nlmsg_len)
        }
        guard mnl_socket_sendto(socket, request, length) == length else { throw TestFailure("send GETRULE") }

        let rules = Collected()
        let context = Unmanaged.passUnretained(rules).toOpaque()
        var reply = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = reply.withUnsafeMutableBytes { mnl_socket_recvfrom(socket, $0.baseAddress, $0.count) }
            guard n > 0 else { throw TestFailure("receive rules") }
            let status = reply.withUnsafeBytes { mnl_cb_run($0.baseAddress, Int(n), sequence, portID, { nlh, data in
                let rules = Unmanaged<Collected>.fromOpaque(data!).takeUnretainedValue()
                let rule = nftnl_rule_alloc()!
                defer { nftnl_rule_free(rule) }
                guard nftnl_rule_nlmsg_parse(nlh, rule) == 0 else { return MNL_CB_ERROR }
                var text = [CChar](repeating: 0, count: 1 << 16)
                nftnl_rule_snprintf(&text, text.count, rule, UInt32(NFTNL_OUTPUT_DEFAULT.rawValue), 0)
                rules.lines.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                return MNL_CB_OK
            }, context) }
            if status <= MNL_CB_STOP { break }
        }
        // "inet skiff-test services 4 3" → "inet skiff-test services": handles are the kernel's.
        return rules.lines.map { $0.replacingOccurrences(of: #"^(\S+ \S+ \S+)( \d+)+"#, with: "$1", options: .regularExpression) }
    }

    private final class Collected {
        var lines: [String] = []
    }
}
