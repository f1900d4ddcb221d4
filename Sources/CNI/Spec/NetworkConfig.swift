import Netlink
import SkiffJSON

/// A (GC) attachment: one container's interface on this network.
public struct CNIAttachment: Hashable, Sendable {
    public var containerID: String
    public var ifname: String
    public init(containerID: String, ifname: String) { self.containerID = containerID; self.ifname = ifname }
}

/// The IPAM section: the node's pod CIDR and where allocations live.
public struct IPAMConfig: Equatable, Sendable {
    /// The pool (`ipam.subnet`, or `ipam.podCIDR`): the node's podCIDR.
    public var subnet: IPPrefix
    /// The gateway (the bridge's address); defaults to the first address after the network address.
    public var gateway: IPAddress
    /// Allocation state lives in `<dataDir>/<network name>/`.
    public var dataDir: String
    public var routes: [CNIResult.Route]

    public static let defaultDataDir = "/var/lib/cni/networks"

    public init(subnet: IPPrefix, gateway: IPAddress, dataDir: String = IPAMConfig.defaultDataDir,
                routes: [CNIResult.Route] = []) {
        self.subnet = subnet
        self.gateway = gateway
        self.dataDir = dataDir
        self.routes = routes
    }
}

/// One network configuration as the runtime hands it to the plugin (a conflist's plugin entry
/// with `name` and `cniVersion` filled in, or a single .conf), with Skiff's bridge fields.
public struct NetworkConfig: Equatable, Sendable {
    public var cniVersion: String
    public var name: String
    public var type: String?
    /// The bridge the pod veths attach to.
    public var bridge: String
    public var mtu: Int?
    /// Whether the bridge gets the gateway address (and the pod a default route through it).
    public var isGateway: Bool
    public var hairpinMode: Bool
    public var ipMasq: Bool
    public var ipam: IPAMConfig
    public var dns: CNIResult.DNS
    /// Addresses the runtime asks for: `runtimeConfig.ips` (capability "ips") and `args.cni.ips`.
    public var requestedIPs: [IPAddress]
    /// The previous plugin's result when chained (ADD), or the ADD result (CHECK, DEL).
    public var prevResult: JSONValue?
    /// GC's `cni.dev/valid-attachments` (nil when absent).
    public var validAttachments: [CNIAttachment]?

    public static let defaultBridge = "cni0"

    /// Parses and validates stdin. Not JSON, or a field of the wrong type → 6; a missing or
    /// invalid value → 7; a cniVersion we do not speak → 1.
    public init(bytes: [UInt8]) throws(CNIError) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw CNIError(code: CNIError.decodeFailure, msg: "failed to decode network config", details: "\(error)")
        }
        try self.init(json: json)
    }

    public init(json: JSONValue) throws(CNIError) {
        guard json.objectValue != nil else {
            throw CNIError(code: CNIError.decodeFailure, msg: "network config is not a JSON object")
        }
        func decodeError(_ key: String, _ type: String) -> CNIError {
            CNIError(code: CNIError.decodeFailure, msg: "failed to decode network config", details: "\(key) must be \(type)")
        }
        func invalid(_ msg: String, _ details: String? = nil) -> CNIError {
            CNIError(code: CNIError.invalidConfig, msg: msg, details: details)
        }
        func string(_ v: JSONValue?, _ key: String) throws(CNIError) -> String? {
            guard let v, !v.isNull else { return nil }
            guard let s = v.stringValue else { throw decodeError(key, "a string") }
            return s
        }
        func bool(_ v: JSONValue?, _ key: String) throws(CNIError) -> Bool? {
            guard let v, !v.isNull else { return nil }
            guard let b = v.boolValue else { throw decodeError(key, "a boolean") }
            return b
        }

        guard let version = try string(json["cniVersion"], "cniVersion"), !version.isEmpty else {
            throw invalid("cniVersion missing from network config")
        }
        guard CNIVersion.isSupported(version) else { throw CNIVersion.incompatible(version) }
        cniVersion = version
        guard let name = try string(json["name"], "name"), !name.isEmpty else { throw invalid("name missing from network config") }
        guard Self.isValidNetworkName(name) else {
            throw invalid("invalid network name \"\(name)\"",
                          "must start with an alphanumeric character, then alphanumerics, '_', '.' or '-'")
        }
        self.name = name
        type = try string(json["type"], "type")
        bridge = try string(json["bridge"], "bridge") ?? Self.defaultBridge
        if let problem = CNIEnvironment.interfaceNameProblem(bridge), !bridge.isEmpty {
            throw invalid("invalid bridge name \"\(bridge)\"", problem)
        }
        if bridge.isEmpty { throw invalid("bridge name is empty") }
        if let m = json["mtu"], !m.isNull {
            guard let value = m.intValue else { throw decodeError("mtu", "an integer") }
            guard value >= 68 && value <= 65535 else { throw invalid("mtu \(value) out of range 68-65535") }
            mtu = Int(value)
        } else {
            mtu = nil
        }
        isGateway = try bool(json["isGateway"], "isGateway") ?? true
        hairpinMode = try bool(json["hairpinMode"], "hairpinMode") ?? false
        ipMasq = try bool(json["ipMasq"], "ipMasq") ?? false
        dns = try json["dns"].map { v throws(CNIError) in try CNIResult.DNS(json: v) } ?? CNIResult.DNS()

        // ipam
        guard let ipamJSON = json["ipam"], !ipamJSON.isNull else { throw invalid("ipam missing from network config") }
        guard ipamJSON.objectValue != nil else { throw decodeError("ipam", "an object") }
        let subnetField = try string(ipamJSON["subnet"], "ipam.subnet")
        let podCIDRField = try string(ipamJSON["podCIDR"], "ipam.podCIDR")
        guard let subnetText = subnetField ?? podCIDRField else { throw invalid("ipam.subnet missing from network config") }
        guard let subnet = IPPrefix(subnetText) else { throw invalid("invalid ipam.subnet \"\(subnetText)\"") }
        // A pool needs a network address, a gateway, a broadcast (IPv4) and at least one more.
        guard subnet.family.bitWidth - subnet.prefixLength >= 2 else {
            throw invalid("ipam.subnet \(subnet) is too small", "a pool needs at least a /30 (IPv4) or /126 (IPv6)")
        }
        let gateway: IPAddress
        if let g = try string(ipamJSON["gateway"], "ipam.gateway") {
            guard let ip = IPAddress(g), subnet.contains(ip) else { throw invalid("ipam.gateway \(g) is not inside \(subnet)") }
            guard ip != subnet.address, !(subnet.family == .ipv4 && ip == subnet.lastAddress) else {
                throw invalid("ipam.gateway \(g) is the network or broadcast address of \(subnet)")
            }
            gateway = ip
        } else {
            gateway = subnet.address.successor
        }
        let dataDir = try string(ipamJSON["dataDir"], "ipam.dataDir") ?? IPAMConfig.defaultDataDir
        guard dataDir.hasPrefix("/") else { throw invalid("ipam.dataDir must be an absolute path") }
        var routes: [CNIResult.Route] = []
        if let r = ipamJSON["routes"], !r.isNull {
            guard let list = r.arrayValue else { throw decodeError("ipam.routes", "a list") }
            for item in list {
                guard let dstText = try string(item["dst"], "ipam.routes[].dst"), let dst = IPPrefix(dstText) else {
                    throw invalid("ipam.routes entry without a valid dst")
                }
                var gw: IPAddress?
                if let g = try string(item["gw"], "ipam.routes[].gw") {
                    guard let ip = IPAddress(g) else { throw invalid("invalid route gw \(g)") }
                    gw = ip
                }
                routes.append(CNIResult.Route(dst: dst, gw: gw))
            }
        }
        ipam = IPAMConfig(subnet: subnet, gateway: gateway, dataDir: dataDir, routes: routes)

        // Requested addresses: runtimeConfig.ips (CONVENTIONS.md capability "ips") and args.cni.ips.
        var requested: [IPAddress] = []
        for source in [json[path: ["runtimeConfig", "ips"]], json[path: ["args", "cni", "ips"]]] {
            guard let source, !source.isNull else { continue }
            guard let list = source.arrayValue else { throw decodeError("runtimeConfig.ips", "a list of strings") }
            for item in list {
                guard let text = item.stringValue else { throw decodeError("runtimeConfig.ips", "a list of strings") }
                guard let ip = CNIAddress(text)?.ip ?? IPAddress(text) else { throw invalid("invalid requested IP \"\(text)\"") }
                if !requested.contains(ip) { requested.append(ip) }
            }
        }
        requestedIPs = requested

        if let p = json["prevResult"], !p.isNull {
            guard p.objectValue != nil else { throw decodeError("prevResult", "an object") }
            prevResult = p
        } else {
            prevResult = nil
        }

        // libcni sends both spellings (the spec's draft name was cni.dev/attachments).
        if let list = json["cni.dev/valid-attachments"] ?? json["cni.dev/attachments"], !list.isNull {
            guard let items = list.arrayValue else { throw decodeError("cni.dev/valid-attachments", "a list") }
            var attachments: [CNIAttachment] = []
            for item in items {
                guard let id = try string(item["containerID"], "containerID"), let ifname = try string(item["ifname"], "ifname")
                else { throw invalid("cni.dev/valid-attachments entry needs containerID and ifname") }
                attachments.append(CNIAttachment(containerID: id, ifname: ifname))
            }
            validAttachments = attachments
        } else {
            validAttachments = nil
        }
    }

    /// The spec: alphanumeric first, then alphanumerics, `_`, `.`, `-` (also keeps the name safe as a directory).
    static func isValidNetworkName(_ name: String) -> Bool {
        CNIEnvironment.containerIDProblem(name) == nil
    }
}
