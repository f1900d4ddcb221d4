/// A neighbour (ARP / NDP) entry: which link-layer address an IP on a link has (`ip neigh`).
/// The overlay pins, per remote node, its subnet gateway address → the remote VTEP's MAC on
/// the local VXLAN device, so no ARP ever crosses the overlay.
public struct Neighbour: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    /// Nil for an entry still being resolved (INCOMPLETE, FAILED).
    public var macAddress: MACAddress?
    public var linkIndex: Int32
    /// NUD_* state bits; `isPermanent` is the one Skiff writes.
    public var state: UInt16
    /// NTF_* flags.
    public var flags: UInt8

    public init(address: IPAddress, macAddress: MACAddress?, linkIndex: Int32, state: UInt16 = Neighbour.permanent,
                flags: UInt8 = 0) {
        self.address = address
        self.macAddress = macAddress
        self.linkIndex = linkIndex
        self.state = state
        self.flags = flags
    }

    /// NUD_PERMANENT: never expires, never re-resolved.
    public static let permanent: UInt16 = 0x80

    public var isPermanent: Bool { state & Self.permanent != 0 }

    public var description: String {
        "\(address) dev index \(linkIndex) lladdr \(macAddress?.description ?? "-")" + (isPermanent ? " PERMANENT" : "")
    }
}
