internal import CNetfilter

/// Sets, maps and their elements in a batch.
extension NFTBatch {
    /// `add set`/`add map`: creates it, or accepts an existing one of the same definition.
    public func add(_ set: NFTSet) { encode(set, set.isMap ? .addMap : .addSet, flags: NLM_F_CREATE) }
    /// `create set`/`create map`: fails with EEXIST if it exists.
    public func create(_ set: NFTSet) { encode(set, set.isMap ? .createMap : .createSet, flags: NLM_F_CREATE | NLM_F_EXCL) }

    /// `delete set`/`delete map`: refused (EBUSY) while a rule still looks it up.
    public func delete(set: String, in table: NFTTableID) {
        message(.deleteSet, .set(table, set), type: NFT_MSG_DELSET, family: table.family,
                bound: 64 + table.name.utf8.count + set.utf8.count) { nlh in
            let s = nftnl_set_alloc()!
            defer { nftnl_set_free(s) }
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(table.family.rawValue))
            _ = nftnl_set_set_str(s, UInt16(NFTNL_SET_TABLE.rawValue), table.name)
            _ = nftnl_set_set_str(s, UInt16(NFTNL_SET_NAME.rawValue), set)
            nftnl_set_nlmsg_build_payload(nlh, s)
        }
    }

    /// `flush set`: removes every element (a DELSETELEM without an element list).
    public func flush(set: String, in table: NFTTableID) {
        message(.flushSet, .set(table, set), type: NFT_MSG_DELSETELEM, family: table.family,
                bound: 64 + table.name.utf8.count + set.utf8.count) { nlh in
            let s = nftnl_set_alloc()!
            defer { nftnl_set_free(s) }
            _ = nftnl_set_set_str(s, UInt16(NFTNL_SET_TABLE.rawValue), table.name)
            _ = nftnl_set_set_str(s, UInt16(NFTNL_SET_NAME.rawValue), set)
            nftnl_set_elems_nlmsg_build_payload(nlh, s)
        }
    }

    private func encode(_ set: NFTSet, _ operation: Operation, flags: Int32) {
        let id = allocateSetID(SetName(table: set.table, name: set.name))
        encodeSet(operation, .set(set.table, set.name), flags: flags, table: set.table, name: set.name, id: id,
                  kernelFlags: set.kernelFlags, key: set.key, data: set.data, timeout: set.timeout,
                  gcInterval: set.gcInterval, size: set.size, comment: set.comment,
                  keyTypeof: set.keyTypeof, dataTypeof: set.dataTypeof)
    }

    func allocateSetID(_ name: SetName?) -> UInt32 {
        let id = nextSetID
        nextSetID += 1
        if let name { setIDs[name] = id }
        return id
    }

    func encodeSet(_ operation: Operation, _ subject: Subject, flags: Int32, table: NFTTableID, name: String,
                           id: UInt32, kernelFlags: UInt32, key: [NFTDataType], data: NFTMapData?,
                           timeout: Duration?, gcInterval: Duration?, size: UInt32?, comment: String?,
                           keyTypeof: [NFTTypeof]? = nil, dataTypeof: [NFTTypeof]? = nil) {
        // In nft's order: byte orders, typeof of key and data, then the comment.
        var userData = UserData()
        userData.put(UserData.setKeyByteOrder, u32: NFTDataType.byteOrder(key))
        if let data { userData.put(UserData.setDataByteOrder, u32: NFTDataType.byteOrder(data.types)) }
        if let description = keyTypeof.flatMap(NFTTypeof.userData) {
            userData.put(UserData.setKeyTypeof, nested: description)
            if case .value = data, let dataDescription = dataTypeof.flatMap(NFTTypeof.userData) {
                userData.put(UserData.setDataTypeof, nested: dataDescription)
                userData.put(UserData.setDataInterval, u32: 0)
            }
        }
        if let comment, UserData.maxLength - userData.bytes.count - 3 > 0 {
            // What is left of the kernel's 256 bytes (a comment record takes 3 beyond its text).
            userData.put(UserData.setComment, string: comment, limit: UserData.maxLength - userData.bytes.count - 3)
        }
        precondition(userData.bytes.count <= UserData.maxLength, "set user data over NFT_USERDATA_MAXLEN")
        message(operation, subject, type: NFT_MSG_NEWSET, family: table.family, flags: flags,
                bound: 256 + table.name.utf8.count + name.utf8.count + userData.bytes.count + 16 * key.count) { nlh in
            let s = nftnl_set_alloc()!
            defer { nftnl_set_free(s) }
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(table.family.rawValue))
            _ = nftnl_set_set_str(s, UInt16(NFTNL_SET_TABLE.rawValue), table.name)
            _ = nftnl_set_set_str(s, UInt16(NFTNL_SET_NAME.rawValue), name)
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_ID.rawValue), id)
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_FLAGS.rawValue), kernelFlags)
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_KEY_TYPE.rawValue), NFTDataType.concatenatedID(key))
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_KEY_LEN.rawValue), UInt32(NFTDataType.length(key)))
            switch data {
            case .verdict:
                nftnl_set_set_u32(s, UInt16(NFTNL_SET_DATA_TYPE.rawValue), NFT_DATA_VERDICT.rawValue)
                nftnl_set_set_u32(s, UInt16(NFTNL_SET_DATA_LEN.rawValue), 0)
            case .value(let types):
                nftnl_set_set_u32(s, UInt16(NFTNL_SET_DATA_TYPE.rawValue), NFTDataType.concatenatedID(types))
                nftnl_set_set_u32(s, UInt16(NFTNL_SET_DATA_LEN.rawValue), UInt32(NFTDataType.length(types)))
            case nil:
                break
            }
            if let timeout { nftnl_set_set_u64(s, UInt16(NFTNL_SET_TIMEOUT.rawValue), timeout.milliseconds) }
            if let gcInterval {
                nftnl_set_set_u32(s, UInt16(NFTNL_SET_GC_INTERVAL.rawValue), UInt32(clamping: gcInterval.milliseconds))
            }
            if let size { nftnl_set_set_u32(s, UInt16(NFTNL_SET_DESC_SIZE.rawValue), size) }
            if kernelFlags & NFT_SET_CONCAT.rawValue != 0 {
                // Ranges over concatenations (the pipapo backend) need each field's length;
                // libnftnl keeps them as bytes (uint8_t field_len[]), zero-terminated.
                var lengths = key.map { UInt8($0.size) }
                _ = lengths.withUnsafeMutableBytes {
                    nftnl_set_set_data(s, UInt16(NFTNL_SET_DESC_CONCAT.rawValue), $0.baseAddress, UInt32($0.count))
                }
            }
            _ = userData.bytes.withUnsafeBytes {
                nftnl_set_set_data(s, UInt16(NFTNL_SET_USERDATA.rawValue), $0.baseAddress, UInt32($0.count))
            }
            nftnl_set_nlmsg_build_payload(nlh, s)
        }
    }

    // MARK: elements

    /// `add element`: elements already present with the same data are accepted as they are.
    public func add(elements: [NFTSetElement], to set: String, in table: NFTTableID) {
        encode(elements, .addElements, set: set, table: table, type: NFT_MSG_NEWSETELEM, flags: NLM_F_CREATE)
    }

    /// `create element`: fails with EEXIST if one is present.
    public func create(elements: [NFTSetElement], to set: String, in table: NFTTableID) {
        encode(elements, .createElements, set: set, table: table, type: NFT_MSG_NEWSETELEM,
               flags: NLM_F_CREATE | NLM_F_EXCL)
    }

    /// `delete element`: by key (data is ignored); ENOENT if one is absent.
    public func delete(elements: [NFTSetElement], from set: String, in table: NFTTableID) {
        encode(elements, .deleteElements, set: set, table: table, type: NFT_MSG_DELSETELEM, flags: 0)
    }

    /// The attribute holding a message's element list has a 16-bit length, so elements are
    /// spread over as many messages as needed, each under 64 KiB; all stay in this transaction.
    static let elementListBudget = 60 * 1024

    func encode(_ elements: [NFTSetElement], _ operation: Operation, set: String, table: NFTTableID,
                        type: nf_tables_msg_types, flags: Int32, setID: UInt32? = nil, subject: Subject? = nil) {
        let id = setID ?? setIDs[SetName(table: table, name: set)]
        let withData = operation != .deleteElements
        var next = 0
        while next < elements.count {
            let first = next
            var budget = 0
            while next < elements.count {
                let size = elements[next].encodedSizeBound(withData: withData)
                if next > first && budget + size > Self.elementListBudget { break }
                budget += size
                next += 1
            }
            let chunk = elements[first..<next]
            let sample = chunk.first!.key.fields
            let described = subject ?? .elements(table, set: set, first: first, count: chunk.count,
                                                 layout: sample.map(\.kind), sizes: sample.map(\.count))
            message(operation, described, type: type, family: table.family, flags: flags,
                    bound: 128 + table.name.utf8.count + set.utf8.count + budget) { nlh in
                let s = nftnl_set_alloc()!
                defer { nftnl_set_free(s) }
                _ = nftnl_set_set_str(s, UInt16(NFTNL_SET_TABLE.rawValue), table.name)
                _ = nftnl_set_set_str(s, UInt16(NFTNL_SET_NAME.rawValue), set)
                if let id { nftnl_set_set_u32(s, UInt16(NFTNL_SET_ID.rawValue), id) }
                for element in chunk { nftnl_set_elem_add(s, element.makeNftnl(withData: withData)) }
                nftnl_set_elems_nlmsg_build_payload(nlh, s)
            }
        }
    }

}
