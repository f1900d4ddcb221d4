internal import CNetfilter

/// One nf_tables transaction under construction: every add, delete and flush is encoded
/// at once into netlink messages (with libnftnl), between NFNL_MSG_BATCH_BEGIN and
/// BATCH_END. `commit(on:)` sends it as one datagram; the kernel applies all of it or, if
/// any message fails, none of it.
///
/// Flags follow nft: NLM_F_CREATE on additions (plus NLM_F_EXCL for `create`), NLM_F_APPEND
/// for rules added at the end, NLM_F_REPLACE for rule replacement. Every message remembers
/// what produced it, so a kernel error names the operation and the object.
public final class NFTBatch {
    /// How the kernel confirms the batch.
    public enum Acknowledgements: Sendable {
        /// NLM_F_ACK on every message: `commit` counts one ack per message, so nothing can be
        /// lost unnoticed. Costs one ack datagram per message and a receive buffer to match.
        case everyMessage
        /// nft's way: the kernel answers only failures (plus BATCH_END). Success is the
        /// absence of errors once the kernel has processed the datagram, which it does
        /// synchronously inside sendmsg. Cheapest for syncs of hundreds of thousands of objects.
        case errorsOnly
    }

    public let acknowledgements: Acknowledgements
    let buffer = BatchBuffer()
    private(set) var records: [MessageRecord] = []
    var nextSetID: UInt32 = 1
    /// Ids of the sets this batch creates: elements and lookups name them by id too, which
    /// anonymous sets (whose names the kernel makes up) need.
    var setIDs: [SetName: UInt32] = [:]
    private(set) var isSealed = false

    public init(acknowledgements: Acknowledgements = .everyMessage) {
        self.acknowledgements = acknowledgements
        appendBatchMarker(begin: true)
    }

    /// Messages between BEGIN and END.
    public var messageCount: Int { records.count - (isSealed ? 2 : 1) }
    public var byteCount: Int { buffer.totalBytes }
    public var isEmpty: Bool { messageCount == 0 }

    // MARK: messages

    /// Encodes one message at the end of the buffer. `bound` must be at least what the
    /// message takes: libnftnl writes without bounds checks.
    func message(_ operation: Operation, _ subject: Subject, type: nf_tables_msg_types, family: NFTFamily,
                         flags: Int32 = 0, bound: Int, build: (UnsafeMutablePointer<nlmsghdr>) -> Void) {
        precondition(!isSealed, "a committed batch takes no more messages")
        let place = buffer.reserve(bound)
        var messageFlags = UInt16(flags)
        if acknowledgements == .everyMessage { messageFlags |= UInt16(NLM_F_ACK) }
        let nlh = nftnl_nlmsg_build_hdr(place.pointer.assumingMemoryBound(to: CChar.self), UInt16(type.rawValue),
                                        UInt16(family.rawValue), messageFlags, 0)!
        build(nlh)
        buffer.commit(Int(nlh.pointee.nlmsg_len), reserved: bound)
        records.append(MessageRecord(page: place.page, offset: place.offset, operation: operation, subject: subject))
    }

    /// BATCH_BEGIN/END: a bare nfgenmsg whose res_id names the subsystem the batch is for.
    private func appendBatchMarker(begin: Bool) {
        let length = MemoryLayout<nlmsghdr>.size + MemoryLayout<nfgenmsg>.size
        let place = buffer.reserve(length)
        let nlh = place.pointer.assumingMemoryBound(to: nlmsghdr.self)
        nlh.pointee.nlmsg_len = UInt32(length)
        nlh.pointee.nlmsg_type = UInt16(begin ? NFNL_MSG_BATCH_BEGIN : NFNL_MSG_BATCH_END)
        // With errorsOnly, an ack of BATCH_END (kernel 6.x) confirms the kernel reached the end.
        nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST) | (!begin && acknowledgements == .errorsOnly ? UInt16(NLM_F_ACK) : 0)
        let nfg = (place.pointer + MemoryLayout<nlmsghdr>.size).assumingMemoryBound(to: nfgenmsg.self)
        nfg.pointee.nfgen_family = UInt8(AF_UNSPEC)
        nfg.pointee.version = UInt8(NFNETLINK_V0)
        nfg.pointee.res_id = UInt16(NFNL_SUBSYS_NFTABLES).bigEndian
        buffer.commit(length, reserved: length)
        records.append(MessageRecord(page: place.page, offset: place.offset, operation: begin ? .beginBatch : .endBatch,
                                     subject: .none))
    }

    /// Closes the batch with BATCH_END (once).
    func seal() {
        guard !isSealed else { return }
        appendBatchMarker(begin: false)
        isSealed = true
    }
}

// MARK: bookkeeping

extension NFTBatch {
    struct SetName: Hashable {
        var table: NFTTableID
        var name: String
    }

    /// What each message was for, so a kernel error can be told in our terms.
    struct MessageRecord {
        var page: Int
        var offset: Int
        var operation: Operation
        var subject: Subject
    }

    enum Operation: String {
        case beginBatch = "begin batch", endBatch = "end batch"
        case addTable = "add table", createTable = "create table", deleteTable = "delete table", flushTable = "flush table"
        case addChain = "add chain", createChain = "create chain", deleteChain = "delete chain", flushChain = "flush chain"
        case addSet = "add set", createSet = "create set", addMap = "add map", createMap = "create map"
        case deleteSet = "delete set", flushSet = "flush set"
        case addElements = "add element", createElements = "create element", deleteElements = "delete element"
        case addRule = "add rule", insertRule = "insert rule", replaceRule = "replace rule", deleteRule = "delete rule"
        case addAnonymousSet = "add anonymous set for rule"
    }

    enum Subject {
        case none
        case table(NFTTableID)
        case chain(NFTTableID, String)
        case set(NFTTableID, String)
        /// `first`/`count` index the elements of the call that produced the message; layout
        /// and sizes describe the key fields, to read a rejected key back out of the message.
        case elements(NFTTableID, set: String, first: Int, count: Int, layout: [NFTValue.Kind], sizes: [Int])
        case rule(NFTTableID, chain: String, comment: String?, handle: UInt64?)
    }
}
