/// nft's user data: type-length-value records (one byte each for type and length) that the
/// kernel stores untouched next to a table, chain, set, element or rule, and nft reads back
/// for comments and for how to print set keys. libnftnl's udata.h helpers are not in our
/// module map, and the format is this small, so it is written here.
struct UserData {
    private(set) var bytes: [UInt8] = []

    // libnftnl/udata.h numbers.
    static let commentType: UInt8 = 0        // NFTNL_UDATA_{TABLE,CHAIN,RULE,SET_ELEM}_COMMENT
    static let setKeyByteOrder: UInt8 = 0    // NFTNL_UDATA_SET_KEYBYTEORDER
    static let setDataByteOrder: UInt8 = 1   // NFTNL_UDATA_SET_DATABYTEORDER
    static let setKeyTypeof: UInt8 = 3       // NFTNL_UDATA_SET_KEY_TYPEOF
    static let setDataTypeof: UInt8 = 4      // NFTNL_UDATA_SET_DATA_TYPEOF
    static let setDataInterval: UInt8 = 6    // NFTNL_UDATA_SET_DATA_INTERVAL
    static let setComment: UInt8 = 7         // NFTNL_UDATA_SET_COMMENT

    /// NFT_USERDATA_MAXLEN: the kernel refuses longer user data.
    static let maxLength = 256

    /// nft caps comments at 128 bytes including the terminating zero.
    static let maxComment = 127

    mutating func put(_ type: UInt8, u32 value: UInt32) {
        bytes += [type, 4]
        withUnsafeBytes(of: value) { bytes += $0 }
    }

    /// A nest: records inside a record (nftnl_udata_nest_start/end). Lengths are one byte.
    mutating func put(_ type: UInt8, nested inner: UserData) {
        precondition(inner.bytes.count <= 255, "a user data record holds at most 255 bytes")
        bytes += [type, UInt8(inner.bytes.count)] + inner.bytes
    }

    /// A zero-terminated string, as nft writes comments.
    mutating func put(_ type: UInt8, string: String, limit: Int = maxComment) {
        let utf8 = Array(string.utf8.prefix(max(0, min(limit, Self.maxComment))))
        bytes += [type, UInt8(utf8.count + 1)] + utf8 + [0]
    }

    static func comment(_ text: String?) -> UserData? {
        guard let text else { return nil }
        var data = UserData()
        data.put(commentType, string: text)
        return data
    }
}
