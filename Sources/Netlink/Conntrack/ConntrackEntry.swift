/// One connection-tracking entry as a dump reports it: both directions, plus what it takes to
/// delete exactly this entry later.
public struct ConntrackEntry: Sendable, Hashable, CustomStringConvertible {
    public var original: ConntrackTuple
    public var reply: ConntrackTuple
    /// The conntrack zone (CTA_ZONE); 0, the default, for nearly everything. A delete must name
    /// it: the same tuple in another zone is another entry.
    public var zone: UInt16
    /// The kernel's id of the entry (CTA_ID). Deleting with it makes the kernel refuse (ENOENT)
    /// if the entry has meanwhile been replaced by a new one with the same tuple, so a dump
    /// followed by deletes never removes a flow created after the dump.
    public var id: UInt32?
    /// The connection mark (CTA_MARK), when the kernel reports one.
    public var mark: UInt32?

    public init(original: ConntrackTuple, reply: ConntrackTuple, zone: UInt16 = 0, id: UInt32? = nil,
                mark: UInt32? = nil) {
        self.original = original
        self.reply = reply
        self.zone = zone
        self.id = id
        self.mark = mark
    }

    public var family: IPFamily { original.family }

    public var description: String {
        "\(original) (reply from \(reply.source))" + (zone != 0 ? " zone \(zone)" : "") + (id.map { " id \($0)" } ?? "")
    }
}
