/// An address assigned to a link with its prefix length (`ip addr add 10.244.1.1/24 dev cni0`).
/// Unlike `IPPrefix` the host bits are kept: 10.244.1.1/24 is the address 10.244.1.1 on the
/// subnet 10.244.1.0/24.
public struct InterfaceAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: Int

    /// Nil when the length does not fit the family.
    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.family.bitWidth else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `10.244.1.1/24`, `fd00::1/64`.
    public init?(_ text: String) {
        guard let slash = text.lastIndex(of: "/"), let length = Int(text[text.index(after: slash)...]),
              let address = IPAddress(String(text[..<slash]))
        else { return nil }
        self.init(address: address, prefixLength: length)
    }

    public var family: IPFamily { address.family }

    /// The subnet the address is on.
    public var prefix: IPPrefix { IPPrefix(address: address, prefixLength: prefixLength)! }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// An address as RTM_GETADDR reports it.
public struct LinkAddressEntry: Sendable, Hashable, CustomStringConvertible {
    public var address: InterfaceAddress
    public var linkIndex: Int32
    /// RT_SCOPE_*: 0 universe (global), 253 link, 254 host.
    public var scope: UInt8
    /// IFA_F_* flags (permanent, tentative, nodad…), from IFA_FLAGS when present.
    public var flags: UInt32

    public var description: String { "\(address) index \(linkIndex) scope \(scope)" }
}
