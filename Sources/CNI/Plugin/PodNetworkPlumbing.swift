import Netlink

/// What ADD, CHECK and DEL need besides addresses: the host side of the pod network (bridge,
/// veth pair, the address and routes inside the pod's netns).
///
/// `BridgePlumbing` (Sources/CNI/Bridge) is what skiff-cni runs with; `IPAMOnlyPlumbing` makes
/// no interfaces and serves the IPAM tests.
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
    /// Routes the plumbing installs in the pod beyond the config's (`ipam.routes`), for the
    /// ADD result: the bridge's default route through the gateway. None by default.
    func resultRoutes(_ attachment: PodAttachment, addresses: [CNIAddress]) -> [CNIResult.Route]
}

extension PodNetworkPlumbing {
    public func resultRoutes(_ attachment: PodAttachment, addresses: [CNIAddress]) -> [CNIResult.Route] { [] }
}

/// One invocation's attachment: the network config and the container's identity.
public struct PodAttachment: Sendable {
    public var config: NetworkConfig
    public var containerID: String
    public var ifname: String
    /// Absent on DEL when the runtime no longer has the netns.
    public var netns: String?
}

/// IPAM only, no interfaces: ADD allocates and reports an address, nothing is configured in
/// the netns. For tests of the dispatch and IPAM (in-process, or skiff-cni with
/// `SKIFF_CNI_TEST_PLUMBING=ipam-only`).
public struct IPAMOnlyPlumbing: PodNetworkPlumbing {
    public init() {}
    public func setUp(_ attachment: PodAttachment, addresses: [CNIAddress]) throws(CNIError)
        -> (interfaces: [CNIResult.Interface], podInterface: Int?) { ([], nil) }
    public func tearDown(_ attachment: PodAttachment) throws(CNIError) {}
    public func check(_ attachment: PodAttachment, expected: CNIResult) throws(CNIError) {}
    public func status(_ config: NetworkConfig) throws(CNIError) {}
}
