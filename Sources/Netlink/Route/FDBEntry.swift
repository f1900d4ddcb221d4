/// An entry of a bridge forwarding database as `bridge fdb` shows it. On a VXLAN device (NTF_SELF
/// entries, the device's own table) it says to which underlay address frames for `macAddress`
/// are sent: the overlay maps each remote VTEP MAC to that node's IP.
public struct FDBEntry: Sendable, Hashable, CustomStringConvertible {
    public var macAddress: MACAddress
    /// The remote underlay address (NDA_DST), for VXLAN entries.
    public var destination: IPAddress?
    public var linkIndex: Int32
    public var state: UInt16
    /// NTF_SELF (the device's own table), NTF_MASTER (the bridge's table)…
    public var flags: UInt8
    /// The bridge, for an entry of a bridge's table (NDA_MASTER).
    public var masterIndex: Int32?
    /// The VLAN of a bridge entry (NDA_VLAN).
    public var vlan: UInt16?

    public var isPermanent: Bool { state & Neighbour.permanent != 0 }

    public var description: String {
        "\(macAddress) dev index \(linkIndex)" + (destination.map { " dst \($0)" } ?? "") + (isPermanent ? " permanent" : "")
    }
}
