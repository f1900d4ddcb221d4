import Netlink

/// What ADD, CHECK and DEL need besides addresses: the host side of the pod network (bridge,
/// veth pair, the address and routes inside the pod's netns).
///
/// NOT YET THERE: the bridge/veth implementation comes next, on top of the rtnetlink layer
/// (Sources/Netlink/Route). Today the plugin runs with `IPAMOnlyPlumbing`, which creates no
/// interfaces: ADD allocates and reports an address, nothing is configured in the netns.
public protocol PodNetworkPlumbing {
    /// Sets up the attachment with the allocated addresses; returns the interfaces it made
    /// (host bridge, host veth, the pod's interface with `sandbox` set) and the index of the
    /// pod's interface among them, which the result's `ips[].interface` points at.
    /// Throwing makes ADD release the addresses; the plumbing undoes its own half-made state.
    func setUp(_ attachment: PodAttachment, addresses: [CNIAddress]) throws(CNIError)
        -> (interfaces: [CNIResult.Interface], podInterface: Int?)
    /// Tears the attachment down; must succeed when it is already gone (DEL is idempotent).
    func tearDown(_ attachment: PodAttachment) throws(CNIError)
    /// CHECK: verifies the attachment still matches the ADD result.
    func check(_ attachment: PodAttachment, expected: CNIResult) throws(CNIError)
    /// STATUS: whether new attachments can be made (e.g. the bridge can be created).
    func status(_ config: NetworkConfig) throws(CNIError)
}

/// One invocation's attachment: the network config and the container's identity.
public struct PodAttachment: Sendable {
    public var config: NetworkConfig
    public var containerID: String
    public var ifname: String
    /// Absent on DEL when the runtime no longer has the netns.
    public var netns: String?
}

/// The stage-one plumbing: IPAM only, no interfaces (see `PodNetworkPlumbing`).
public struct IPAMOnlyPlumbing: PodNetworkPlumbing {
    public init() {}
    public func setUp(_ attachment: PodAttachment, addresses: [CNIAddress]) throws(CNIError)
        -> (interfaces: [CNIResult.Interface], podInterface: Int?) { ([], nil) }
    public func tearDown(_ attachment: PodAttachment) throws(CNIError) {}
    public func check(_ attachment: PodAttachment, expected: CNIResult) throws(CNIError) {}
    public func status(_ config: NetworkConfig) throws(CNIError) {}
}
