internal import CNetfilter

/// Rules in a batch, with the anonymous sets written inside them.
extension NFTBatch {
    /// `add rule`: appends to the chain, or after the rule whose handle is `rule.position`.
    public func add(_ rule: NFTRule) {
        encode(rule, .addRule, flags: NLM_F_CREATE | NLM_F_APPEND)
    }

    /// `insert rule`: prepends to the chain, or before the rule whose handle is `rule.position`.
    public func insert(_ rule: NFTRule) {
        encode(rule, .insertRule, flags: NLM_F_CREATE)
    }

    /// `replace rule`: swaps the rule whose handle is `rule.handle` for this one.
    public func replace(_ rule: NFTRule) {
        precondition(rule.handle != nil, "replacing a rule needs its handle")
        encode(rule, .replaceRule, flags: NLM_F_REPLACE)
    }

    /// `delete rule … handle N`.
    public func delete(ruleHandle handle: UInt64, chain: String, in table: NFTTableID) {
        ruleDeletion(.deleteRule, .rule(table, chain: chain, comment: nil, handle: handle),
                     table: table, chain: chain, handle: handle)
    }

    func ruleDeletion(_ operation: Operation, _ subject: Subject, table: NFTTableID, chain: String?,
                              handle: UInt64?) {
        message(operation, subject, type: NFT_MSG_DELRULE, family: table.family,
                bound: 96 + table.name.utf8.count + (chain?.utf8.count ?? 0)) { nlh in
            let r = nftnl_rule_alloc()!
            defer { nftnl_rule_free(r) }
            nftnl_rule_set_u32(r, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(table.family.rawValue))
            _ = nftnl_rule_set_str(r, UInt16(NFTNL_RULE_TABLE.rawValue), table.name)
            if let chain { _ = nftnl_rule_set_str(r, UInt16(NFTNL_RULE_CHAIN.rawValue), chain) }
            if let handle { nftnl_rule_set_u64(r, UInt16(NFTNL_RULE_HANDLE.rawValue), handle) }
            nftnl_rule_nlmsg_build_payload(nlh, r)
        }
    }

    private func encode(_ rule: NFTRule, _ operation: Operation, flags: Int32) {
        let subject = Subject.rule(rule.table, chain: rule.chain, comment: rule.comment, handle: rule.handle)
        // Sets written inside the rule go first, as nft sends them: NEWSET, its elements,
        // then the rule naming the set by its template name and batch-local id.
        var anonymous: [Int: (name: String, id: UInt32)] = [:]
        for (index, expression) in rule.expressions.enumerated() {
            guard case .lookup(_, .anonymous(let set), _, _) = expression else { continue }
            let id = allocateSetID(nil)
            let name = set.data == nil ? "__set%d" : "__map%d"
            var flags = NFTSet.Flags.anonymous.rawValue | NFTSet.Flags.constant.rawValue
            if set.data != nil { flags |= NFT_SET_MAP.rawValue }
            if set.interval {
                flags |= NFTSet.Flags.interval.rawValue
                if set.key.count > 1 { flags |= NFT_SET_CONCAT.rawValue }
            }
            encodeSet(.addAnonymousSet, subject, flags: NLM_F_CREATE, table: rule.table, name: name, id: id,
                      kernelFlags: flags, key: set.key, data: set.data, timeout: nil, gcInterval: nil,
                      size: UInt32(set.elements.count), comment: nil)
            encode(set.elements, .addAnonymousSet, set: name, table: rule.table, type: NFT_MSG_NEWSETELEM,
                   flags: NLM_F_CREATE, setID: id, subject: subject)
            anonymous[index] = (name, id)
        }
        let comment = UserData.comment(rule.comment)
        let bound = 160 + rule.table.name.utf8.count + rule.chain.utf8.count + (comment?.bytes.count ?? 0)
            + rule.expressions.reduce(0) { $0 + $1.encodedSizeBound }
        message(operation, subject, type: NFT_MSG_NEWRULE, family: rule.table.family, flags: flags, bound: bound) { nlh in
            let r = nftnl_rule_alloc()!
            defer { nftnl_rule_free(r) }
            nftnl_rule_set_u32(r, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(rule.table.family.rawValue))
            _ = nftnl_rule_set_str(r, UInt16(NFTNL_RULE_TABLE.rawValue), rule.table.name)
            _ = nftnl_rule_set_str(r, UInt16(NFTNL_RULE_CHAIN.rawValue), rule.chain)
            if let handle = rule.handle, operation == .replaceRule {
                nftnl_rule_set_u64(r, UInt16(NFTNL_RULE_HANDLE.rawValue), handle)
            }
            if let position = rule.position { nftnl_rule_set_u64(r, UInt16(NFTNL_RULE_POSITION.rawValue), position) }
            if let comment {
                _ = comment.bytes.withUnsafeBytes {
                    nftnl_rule_set_data(r, UInt16(NFTNL_RULE_USERDATA.rawValue), $0.baseAddress, UInt32($0.count))
                }
            }
            for (index, expression) in rule.expressions.enumerated() {
                let setID = expression.namedSet.flatMap { setIDs[SetName(table: rule.table, name: $0)] }
                nftnl_rule_add_expr(r, expression.makeNftnl(anonymousSet: anonymous[index], setID: setID))
            }
            nftnl_rule_nlmsg_build_payload(nlh, r)
        }
    }
}
