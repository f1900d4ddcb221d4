internal import CNetfilter

/// Elements as libnftnl objects, and how much room each takes in a NEWSETELEM message (the
/// batch packs elements into messages by these bounds).
extension NFTSetElement {
    /// An upper bound of the element's bytes inside an element list.
    func encodedSizeBound(withData: Bool) -> Int {
        var size = 4 + 12 + key.length + 8                     // element nest, key, flags
        if let keyEnd { size += 12 + keyEnd.length }
        if withData {
            if timeout != nil { size += 12 }
            switch data {
            case .verdict(let v): size += 28 + (v.chain?.utf8.count ?? 0)
            case .value(let k): size += 12 + k.length
            case nil: break
            }
            if let comment { size += 12 + min(comment.utf8.count, UserData.maxComment) }
        }
        return size + 8
    }

    /// The element as a libnftnl object (owned by the set it is added to).
    func makeNftnl(withData: Bool) -> OpaquePointer {
        let e = nftnl_set_elem_alloc()!
        func put(_ attribute: ElementAttribute, _ key: NFTKey) {
            let length = key.length
            withUnsafeTemporaryAllocation(byteCount: max(length, 1), alignment: 4) { buffer in
                key.encode(into: buffer.baseAddress!)
                _ = nftnl_set_elem_set(e, attribute.value, buffer.baseAddress, UInt32(length))
            }
        }
        put(.key, key)
        if let keyEnd { put(.keyEnd, keyEnd) }
        if isIntervalEnd {
            nftnl_set_elem_set_u32(e, UInt16(NFTNL_SET_ELEM_FLAGS), NFT_SET_ELEM_INTERVAL_END.rawValue)
        }
        guard withData else { return e }
        switch data {
        case .verdict(let verdict):
            nftnl_set_elem_set_u32(e, UInt16(NFTNL_SET_ELEM_VERDICT), UInt32(bitPattern: verdict.code))
            if let chain = verdict.chain { _ = nftnl_set_elem_set_str(e, UInt16(NFTNL_SET_ELEM_CHAIN), chain) }
        case .value(let value):
            put(.data, value)
        case nil:
            break
        }
        if let timeout { nftnl_set_elem_set_u64(e, UInt16(NFTNL_SET_ELEM_TIMEOUT), timeout.milliseconds) }
        if let comment {
            var userData = UserData()
            userData.put(UserData.commentType, string: comment)
            _ = userData.bytes.withUnsafeBytes {
                nftnl_set_elem_set(e, UInt16(NFTNL_SET_ELEM_USERDATA), $0.baseAddress, UInt32($0.count))
            }
        }
        return e
    }
}

/// The three element attributes that carry keys and values.
enum ElementAttribute {
    case key, keyEnd, data
    var value: UInt16 {
        switch self {
        case .key: UInt16(NFTNL_SET_ELEM_KEY)
        case .keyEnd: UInt16(NFTNL_SET_ELEM_KEY_END)
        case .data: UInt16(NFTNL_SET_ELEM_DATA)
        }
    }
}
