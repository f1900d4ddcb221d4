internal import CNetfilter

/// Tables in a batch.
extension NFTBatch {
    /// `add table`: creates it, or leaves an existing one (updating its flags).
    public func add(_ table: NFTTable) { encode(table, .addTable, flags: 0) }
    /// `create table`: fails with EEXIST if it exists.
    public func create(_ table: NFTTable) { encode(table, .createTable, flags: NLM_F_EXCL) }

    /// `delete table`: the table and everything in it.
    public func delete(table: NFTTableID) {
        message(.deleteTable, .table(table), type: NFT_MSG_DELTABLE, family: table.family,
                bound: 64 + table.name.utf8.count) { nlh in
            let t = nftnl_table_alloc()!
            defer { nftnl_table_free(t) }
            nftnl_table_set_u32(t, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(table.family.rawValue))
            _ = nftnl_table_set_str(t, UInt16(NFTNL_TABLE_NAME.rawValue), table.name)
            nftnl_table_nlmsg_build_payload(nlh, t)
        }
    }

    /// `flush table`: every rule of every chain in the table goes; chains and sets stay.
    public func flush(table: NFTTableID) {
        ruleDeletion(.flushTable, .table(table), table: table, chain: nil, handle: nil)
    }

    private func encode(_ table: NFTTable, _ operation: Operation, flags: Int32) {
        let comment = UserData.comment(table.comment)
        message(operation, .table(table.id), type: NFT_MSG_NEWTABLE, family: table.family, flags: flags,
                bound: 96 + table.name.utf8.count + (comment?.bytes.count ?? 0)) { nlh in
            let t = nftnl_table_alloc()!
            defer { nftnl_table_free(t) }
            nftnl_table_set_u32(t, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(table.family.rawValue))
            _ = nftnl_table_set_str(t, UInt16(NFTNL_TABLE_NAME.rawValue), table.name)
            nftnl_table_set_u32(t, UInt16(NFTNL_TABLE_FLAGS.rawValue), table.flags.rawValue)
            if let comment {
                _ = comment.bytes.withUnsafeBytes {
                    nftnl_table_set_data(t, UInt16(NFTNL_TABLE_USERDATA.rawValue), $0.baseAddress, UInt32($0.count))
                }
            }
            nftnl_table_nlmsg_build_payload(nlh, t)
        }
    }

}
