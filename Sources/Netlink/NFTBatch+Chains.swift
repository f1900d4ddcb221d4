internal import CNetfilter

/// Chains in a batch.
extension NFTBatch {
    /// `add chain`: creates it, or leaves an existing one as it is.
    public func add(_ chain: NFTChain) { encode(chain, .addChain, flags: NLM_F_CREATE) }
    /// `create chain`: fails with EEXIST if it exists.
    public func create(_ chain: NFTChain) { encode(chain, .createChain, flags: NLM_F_CREATE | NLM_F_EXCL) }

    /// `delete chain`: the kernel refuses (EBUSY) while rules or map elements still jump to
    /// it, or while it has rules — flush it and remove its references first, in this batch.
    public func delete(chain: String, in table: NFTTableID) {
        message(.deleteChain, .chain(table, chain), type: NFT_MSG_DELCHAIN, family: table.family,
                bound: 64 + table.name.utf8.count + chain.utf8.count) { nlh in
            let c = nftnl_chain_alloc()!
            defer { nftnl_chain_free(c) }
            nftnl_chain_set_u32(c, UInt16(NFTNL_CHAIN_FAMILY.rawValue), UInt32(table.family.rawValue))
            _ = nftnl_chain_set_str(c, UInt16(NFTNL_CHAIN_TABLE.rawValue), table.name)
            _ = nftnl_chain_set_str(c, UInt16(NFTNL_CHAIN_NAME.rawValue), chain)
            nftnl_chain_nlmsg_build_payload(nlh, c)
        }
    }

    /// `flush chain`: removes all its rules (a DELRULE naming only the chain).
    public func flush(chain: String, in table: NFTTableID) {
        ruleDeletion(.flushChain, .chain(table, chain), table: table, chain: chain, handle: nil)
    }

    private func encode(_ chain: NFTChain, _ operation: Operation, flags: Int32) {
        let comment = UserData.comment(chain.comment)
        message(operation, .chain(chain.table, chain.name), type: NFT_MSG_NEWCHAIN, family: chain.table.family,
                flags: flags, bound: 160 + chain.table.name.utf8.count + chain.name.utf8.count + (comment?.bytes.count ?? 0)) { nlh in
            let c = nftnl_chain_alloc()!
            defer { nftnl_chain_free(c) }
            nftnl_chain_set_u32(c, UInt16(NFTNL_CHAIN_FAMILY.rawValue), UInt32(chain.table.family.rawValue))
            _ = nftnl_chain_set_str(c, UInt16(NFTNL_CHAIN_TABLE.rawValue), chain.table.name)
            _ = nftnl_chain_set_str(c, UInt16(NFTNL_CHAIN_NAME.rawValue), chain.name)
            if let base = chain.base {
                nftnl_chain_set_u32(c, UInt16(NFTNL_CHAIN_HOOKNUM.rawValue), base.hook.rawValue)
                nftnl_chain_set_s32(c, UInt16(NFTNL_CHAIN_PRIO.rawValue), base.priority)
                _ = nftnl_chain_set_str(c, UInt16(NFTNL_CHAIN_TYPE.rawValue), base.type.rawValue)
                nftnl_chain_set_u32(c, UInt16(NFTNL_CHAIN_POLICY.rawValue), base.policy.code)
            }
            if let comment {
                _ = comment.bytes.withUnsafeBytes {
                    nftnl_chain_set_data(c, UInt16(NFTNL_CHAIN_USERDATA.rawValue), $0.baseAddress, UInt32($0.count))
                }
            }
            nftnl_chain_nlmsg_build_payload(nlh, c)
        }
    }

}
