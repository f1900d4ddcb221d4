import Netlink
import SkiffJSON

/// An interface address as CNI writes it: the host address with its prefix length
/// (`10.244.1.5/24`), unlike `IPPrefix`, which keeps only the network.
public struct CNIAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: IPAddress
    public var prefixLength: Int

    public init(ip: IPAddress, prefixLength: Int) {
        self.ip = ip
        self.prefixLength = prefixLength
    }

    public init?(_ text: String) {
        guard let slash = text.lastIndex(of: "/"), let ip = IPAddress(String(text[..<slash])),
              let length = Int(text[text.index(after: slash)...]), length >= 0, length <= ip.family.bitWidth
        else { return nil }
        self.init(ip: ip, prefixLength: length)
    }

    public var description: String { "\(ip)/\(prefixLength)" }
}

/// The result of ADD (CNI 1.x "Success" shape), also what `prevResult` carries.
public struct CNIResult: Equatable, Sendable {
    public struct Interface: Equatable, Sendable {
        public var name: String
        public var mac: String?
        public var mtu: Int?
        public var sandbox: String?
        public init(name: String, mac: String? = nil, mtu: Int? = nil, sandbox: String? = nil) {
            self.name = name; self.mac = mac; self.mtu = mtu; self.sandbox = sandbox
        }
    }
    public struct IPConfig: Equatable, Sendable {
        public var address: CNIAddress
        public var gateway: IPAddress?
        /// Index into `interfaces`.
        public var interface: Int?
        public init(address: CNIAddress, gateway: IPAddress? = nil, interface: Int? = nil) {
            self.address = address; self.gateway = gateway; self.interface = interface
        }
    }
    public struct Route: Equatable, Sendable {
        public var dst: IPPrefix
        public var gw: IPAddress?
        public init(dst: IPPrefix, gw: IPAddress? = nil) { self.dst = dst; self.gw = gw }
    }
    public struct DNS: Equatable, Sendable {
        public var nameservers: [String] = []
        public var domain: String?
        public var search: [String] = []
        public var options: [String] = []
        public init() {}
    }

    public var cniVersion: String
    public var interfaces: [Interface] = []
    public var ips: [IPConfig] = []
    public var routes: [Route] = []
    public var dns = DNS()

    public init(cniVersion: String) { self.cniVersion = cniVersion }

    /// The JSON the spec defines for `cniVersion`; versions before 1.0.0 add each address's
    /// `version` ("4"/"6"), as 0.3.x/0.4.0 results did.
    public func json() -> JSONValue {
        var out: [String: JSONValue] = ["cniVersion": .string(cniVersion)]
        if !interfaces.isEmpty {
            out["interfaces"] = .array(interfaces.map { i in
                var o: [String: JSONValue] = ["name": .string(i.name)]
                if let mac = i.mac { o["mac"] = .string(mac) }
                if let mtu = i.mtu { o["mtu"] = .int(Int64(mtu)) }
                if let sandbox = i.sandbox { o["sandbox"] = .string(sandbox) }
                return .object(o)
            })
        }
        let legacy = !CNIVersion.atLeast(cniVersion, "1.0.0")
        if !ips.isEmpty {
            out["ips"] = .array(ips.map { ip in
                var o: [String: JSONValue] = ["address": .string(ip.address.description)]
                if let gw = ip.gateway { o["gateway"] = .string(gw.description) }
                if let index = ip.interface { o["interface"] = .int(Int64(index)) }
                if legacy { o["version"] = .string(ip.address.ip.family == .ipv4 ? "4" : "6") }
                return .object(o)
            })
        }
        if !routes.isEmpty {
            out["routes"] = .array(routes.map { r in
                var o: [String: JSONValue] = ["dst": .string(r.dst.description)]
                if let gw = r.gw { o["gw"] = .string(gw.description) }
                return .object(o)
            })
        }
        out["dns"] = dns.json()
        return .object(out)
    }

    /// Reads a result (a `prevResult`); fields of the wrong shape are a decode error (code 6).
    public init(json: JSONValue, cniVersion: String) throws(CNIError) {
        func bad(_ what: String) -> CNIError {
            CNIError(code: CNIError.decodeFailure, msg: "failed to decode prevResult", details: what)
        }
        guard json.objectValue != nil else { throw bad("not an object") }
        self.cniVersion = cniVersion
        for item in json["interfaces"]?.arrayValue ?? [] {
            guard let name = item["name"]?.stringValue else { throw bad("interface without a name") }
            interfaces.append(Interface(name: name, mac: item["mac"]?.stringValue,
                                        mtu: item["mtu"]?.intValue.map(Int.init), sandbox: item["sandbox"]?.stringValue))
        }
        for item in json["ips"]?.arrayValue ?? [] {
            guard let text = item["address"]?.stringValue, let address = CNIAddress(text) else {
                throw bad("ips entry without a valid address")
            }
            var gateway: IPAddress?
            if let g = item["gateway"]?.stringValue {
                guard let ip = IPAddress(g) else { throw bad("invalid gateway \(g)") }
                gateway = ip
            }
            ips.append(IPConfig(address: address, gateway: gateway, interface: item["interface"]?.intValue.map(Int.init)))
        }
        for item in json["routes"]?.arrayValue ?? [] {
            guard let text = item["dst"]?.stringValue, let dst = IPPrefix(text) else { throw bad("route without a valid dst") }
            var gw: IPAddress?
            if let g = item["gw"]?.stringValue {
                guard let ip = IPAddress(g) else { throw bad("invalid route gw \(g)") }
                gw = ip
            }
            routes.append(Route(dst: dst, gw: gw))
        }
        if let d = json["dns"] { dns = try DNS(json: d) }
    }
}

extension CNIResult.DNS {
    /// `nameservers`, `domain`, `search`, `options`, as in a config's `dns` or a result's.
    public init(json: JSONValue) throws(CNIError) {
        self.init()
        func strings(_ key: String) throws(CNIError) -> [String] {
            guard let v = json[key] else { return [] }
            guard let a = v.arrayValue, a.allSatisfy({ $0.stringValue != nil }) else {
                throw CNIError(code: CNIError.decodeFailure, msg: "dns.\(key) must be a list of strings")
            }
            return a.compactMap { $0.stringValue }
        }
        nameservers = try strings("nameservers")
        search = try strings("search")
        options = try strings("options")
        domain = json["domain"]?.stringValue
    }

    public func json() -> JSONValue {
        var o: [String: JSONValue] = [:]
        if !nameservers.isEmpty { o["nameservers"] = .array(nameservers.map { .string($0) }) }
        if let domain { o["domain"] = .string(domain) }
        if !search.isEmpty { o["search"] = .array(search.map { .string($0) }) }
        if !options.isEmpty { o["options"] = .array(options.map { .string($0) }) }
        return .object(o)
    }
}

extension CNIError {
    /// The spec's error JSON.
    public func json(cniVersion: String) -> JSONValue {
        var o: [String: JSONValue] = ["cniVersion": .string(cniVersion), "code": .int(Int64(code)), "msg": .string(msg)]
        if let details { o["details"] = .string(details) }
        return .object(o)
    }
}
