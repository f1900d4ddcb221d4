import KubeAPI
import Netlink

/// The annotations a node publishes on its Node object for the overlay (flannel's
/// `flannel.alpha.coreos.com/backend-data`, `public-ip`, `backend-type`, under a skiff prefix).
public enum OverlayAnnotations {
    public static let vtepMAC = "skiff.io/vtep-mac"
    public static let publicIP = "skiff.io/public-ip"
    public static let backendType = "skiff.io/backend-type"
    public static let backendVXLAN = "vxlan"
}

/// Another node as the overlay sees it: where its pods live and how to reach its VTEP.
public struct OverlayPeer: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// The underlay address: the outer destination of encapsulated packets.
    public var underlayIP: IPAddress
    /// The MAC address of the peer's VXLAN device.
    public var vtepMAC: MACAddress
    /// The peer's pod subnet (spec.podCIDR).
    public var podCIDR: IPPrefix

    public init(name: String, underlayIP: IPAddress, vtepMAC: MACAddress, podCIDR: IPPrefix) {
        self.name = name
        self.underlayIP = underlayIP
        self.vtepMAC = vtepMAC
        self.podCIDR = podCIDR
    }

    /// The peer's VTEP address inside the overlay: the network address of its pod subnet (the
    /// `.0`, which flannel gives the vtep), used as the onlink gateway and neighbour.
    public var gateway: IPAddress { podCIDR.address }

    public var description: String { "\(name) (\(podCIDR) via \(underlayIP), vtep \(vtepMAC))" }

    /// Why a Node cannot (yet) be a peer.
    public enum Skip: Error, Sendable, Hashable, CustomStringConvertible {
        case noName, noPodCIDR, badPodCIDR(String), noIP, noMAC, badMAC(String)
        public var description: String {
            switch self {
            case .noName: "no name"
            case .noPodCIDR: "no spec.podCIDR"
            case .badPodCIDR(let text): "spec.podCIDR \(text) is not an IPv4 CIDR"
            case .noIP: "no \(OverlayAnnotations.publicIP) annotation and no InternalIP"
            case .noMAC: "no \(OverlayAnnotations.vtepMAC) annotation"
            case .badMAC(let text): "\(OverlayAnnotations.vtepMAC) \(text) is not a MAC address"
            }
        }
    }

    /// The peer a Node describes: podCIDR from spec.podCIDR, the underlay IP from the
    /// public-ip annotation (else the first IPv4 InternalIP), the MAC from the annotation.
    public static func from(_ node: Node) -> Result<OverlayPeer, Skip> {
        guard let name = node.metadata?.name, !name.isEmpty else { return .failure(.noName) }
        guard let cidrText = node.spec?.podCIDR ?? node.spec?.podCIDRs?.first else { return .failure(.noPodCIDR) }
        guard let podCIDR = IPPrefix(cidrText), podCIDR.family == .ipv4 else { return .failure(.badPodCIDR(cidrText)) }
        let annotations = node.metadata?.annotations ?? [:]
        let internalIP = node.status?.addresses?.lazy
            .filter { $0.type == "InternalIP" }
            .compactMap { $0.address.flatMap(IPAddress.init) }
            .first { $0.family == .ipv4 }
        guard let ip = annotations[OverlayAnnotations.publicIP].flatMap(IPAddress.init) ?? internalIP, ip.family == .ipv4
        else { return .failure(.noIP) }
        guard let macText = annotations[OverlayAnnotations.vtepMAC] else { return .failure(.noMAC) }
        guard let mac = MACAddress(macText) else { return .failure(.badMAC(macText)) }
        return .success(OverlayPeer(name: name, underlayIP: ip, vtepMAC: mac, podCIDR: podCIDR))
    }
}
