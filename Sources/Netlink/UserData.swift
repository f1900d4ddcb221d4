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
    static let setComment: UInt8 = 7         // NFTNL_UDATA_SET_COMMENT

    /// nft caps comments at 128 bytes including the terminating zero.
    static let maxComment = 127

    mutating func put(_ type: UInt8, u32 value: UInt32) {
        bytes += [type, 4]
        withUnsafeBytes(of: value) { bytes += $0 }
    }

    /// A zero-terminated string, as nft writes comments.
    mutating func put(_ type: UInt8, string: String) {
        let utf8 = Array(string.utf8.prefix(Self.maxComment))
        bytes += [type, UInt8(utf8.count + 1)] + utf8 + [0]
    }

    static func comment(_ text: String?) -> UserData? {
        guard let text else { return nil }
        var data = UserData()
        data.put(commentType, string: text)
        return data
    }
}
