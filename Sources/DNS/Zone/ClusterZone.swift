import Netlink

/// What the zone says to one question.
public struct ZoneAnswer: Sendable, Equatable {
    public var responseCode: DNSResponseCode = .noError
    public var answers: [DNSRecord] = []
    public var authority: [DNSRecord] = []
    public var additional: [DNSRecord] = []
}

/// The records of the Kubernetes DNS-Based Service Discovery specification (schema 1.1.0)
/// for one cluster domain, computed from `ClusterRecords` per question:
///
///     <svc>.<ns>.svc.<zone>                A/AAAA  ClusterIPs; headless: ready endpoints
///     <host>.<svc>.<ns>.svc.<zone>         A/AAAA  a headless endpoint (hostname or a-b-c-d)
///     _<port>._<proto>.<svc>.<ns>.svc.<zone> SRV   per named port (× endpoint when headless)
///     <svc>.<ns>.svc.<zone>                CNAME   ExternalName (chased when in the zone)
///     <a-b-c-d>.<ns>.pod.<zone>            A/AAAA  the address spelled in the name
///     <reverse>.in-addr.arpa / ip6.arpa    PTR     ClusterIPs and headless endpoints
///     dns-version.<zone>                   TXT     "1.1.0"
///
/// A name that exists without records of the asked type is NODATA (NOERROR, empty answer), one
/// that does not exist NXDOMAIN; both carry the zone's SOA so resolvers cache them for the TTL.
public struct ClusterZone: Sendable {
    public static let schemaVersion = "1.1.0"

    public let domain: DNSName
    public let ttl: UInt32
    public let records: ClusterRecords
    let domainLabels: Int

    public init(domain: DNSName, ttl: UInt32 = 5, records: ClusterRecords) {
        self.domain = domain.lowercased()
        self.ttl = ttl
        self.records = records
        domainLabels = domain.labelCount
    }

    static let inAddrArpa = DNSName("in-addr.arpa")!
    static let ip6Arpa = DNSName("ip6.arpa")!

    /// Whether `name` is in the cluster domain (the zone is authoritative for it).
    public func contains(_ name: DNSName) -> Bool { name.isSubdomain(of: domain) }

    /// The answer for `question`; nil when the name is not ours to answer (outside the zone,
    /// or a reverse name for an address the cluster does not know: those go upstream).
    public func answer(_ question: DNSQuestion) -> ZoneAnswer? {
        if contains(question.name) { return answerInZone(question, depth: 0) }
        if question.name.isSubdomain(of: Self.inAddrArpa) || question.name.isSubdomain(of: Self.ip6Arpa) {
            return reverse(question)
        }
        return nil
    }

    // MARK: the zone

    private func answerInZone(_ q: DNSQuestion, depth: Int) -> ZoneAnswer {
        let all = q.name.labels
        let labels = all.prefix(all.count - domainLabels).map { String(decoding: $0.lazy.map(DNSName.lower), as: UTF8.self) }
        switch labels.last {
        case nil: return apex(q)
        case "dns-version" where labels.count == 1:
            return q.type == .txt || q.type == .any
                ? ZoneAnswer(answers: [DNSRecord(name: q.name, type: .txt, ttl: ttl, data: .txt([Array(Self.schemaVersion.utf8)]))])
                : noData()
        case "svc": return service(q, labels: Array(labels.dropLast()), depth: depth)
        case "pod": return pod(q, labels: Array(labels.dropLast()))
        default: return nxDomain()
        }
    }

    private func apex(_ q: DNSQuestion) -> ZoneAnswer {
        switch q.type {
        case .soa, .any: return ZoneAnswer(answers: [soa()])
        case .ns: return ZoneAnswer(answers: [DNSRecord(name: domain, type: .ns, ttl: ttl, data: .ns(nameServer))])
        default: return noData()
        }
    }

    /// Names under `svc.<zone>`; `labels` are the lowercased labels before `svc`.
    private func service(_ q: DNSQuestion, labels: [String], depth: Int) -> ZoneAnswer {
        switch labels.count {
        case 0: return noData()  // svc.<zone>: exists, namespaces below it
        case 1: return records.namespaceExists(labels[0]) ? noData() : nxDomain()
        default: break
        }
        let key = ClusterRecords.ServiceKey(name: labels[labels.count - 2], namespace: labels[labels.count - 1])
        guard let view = records.service(key) else { return nxDomain() }
        let serviceName = q.name.dropFirst(labels.count - 2)
        switch labels.count {
        case 2: return serviceRecords(q, view, depth: depth)
        // _<proto>.<svc>: an empty non-terminal above the SRV names.
        case 3 where labels[0].hasPrefix("_"): return protocolNode(view, proto: labels[0])
        case 3: return endpointHost(q, view, host: labels[0], serviceName: serviceName)
        case 4: return srv(q, view, port: labels[0], proto: labels[1], serviceName: serviceName)
        default: return nxDomain()
        }
    }

    /// `<svc>.<ns>.svc.<zone>` itself.
    private func serviceRecords(_ q: DNSQuestion, _ view: ServiceView, depth: Int) -> ZoneAnswer {
        if view.facts.isExternalName {
            guard let target = view.facts.externalName.flatMap(DNSName.init) else { return nxDomain() }
            var answer = ZoneAnswer(answers: [DNSRecord(name: q.name, type: .cname, ttl: ttl, data: .cname(target))])
            // In-zone targets are chased here (a resolver would ask us anyway); others are
            // left to the client's resolver, as the specification's example shows.
            if q.type != .cname, contains(target), depth < 8 {
                let chased = answerInZone(DNSQuestion(name: target, type: q.type), depth: depth + 1)
                answer.responseCode = chased.responseCode
                answer.answers += chased.answers
                answer.authority = chased.authority
                answer.additional = chased.additional
            }
            return answer
        }
        let addresses: [IPAddress]
        if view.facts.isHeadless {
            let ready = view.readyEndpoints
            // Spec 2.4.1: no ready endpoints → NXDOMAIN.
            if ready.isEmpty { return nxDomain() }
            addresses = ready.map(\.ip)
        } else {
            addresses = view.clusterIPs
        }
        return addressAnswer(q, addresses)
    }

    /// `<host>.<svc>.<ns>.svc.<zone>`: a headless endpoint by hostname (or its dashed address).
    private func endpointHost(_ q: DNSQuestion, _ view: ServiceView, host: String,
                              serviceName: DNSName) -> ZoneAnswer {
        guard view.facts.isHeadless else { return nxDomain() }
        let matches = view.readyEndpoints.filter { $0.hostname == host }
        if matches.isEmpty { return nxDomain() }
        return addressAnswer(q, matches.map(\.ip))
    }

    /// `_<proto>.<svc>…` exists when a named port of that protocol does.
    private func protocolNode(_ view: ServiceView, proto: String) -> ZoneAnswer {
        view.namedPorts.contains { "_" + $0.proto == proto } ? noData() : nxDomain()
    }

    private func srv(_ q: DNSQuestion, _ view: ServiceView, port: String, proto: String,
                     serviceName: DNSName) -> ZoneAnswer {
        guard let match = view.namedPorts.first(where: { "_" + $0.name == port && "_" + $0.proto == proto }) else {
            return nxDomain()
        }
        guard q.type == .srv || q.type == .any else { return noData() }
        var answer = ZoneAnswer()
        if view.facts.isHeadless {
            let ready = view.readyEndpoints
            if ready.isEmpty { return nxDomain() }
            let weight = UInt16(max(1, 100 / ready.count))
            // Clients connect to the endpoints themselves: the port is the endpoints' (the
            // target port), as the slices name it, not the Service's.
            let port = view.endpointPorts.first { $0.name == match.name && $0.proto == match.proto }?.port ?? match.port
            var seen = Set<String>()
            for endpoint in ready {
                guard let target = serviceName.prepending(endpoint.hostname) else { continue }
                if seen.insert(endpoint.hostname).inserted {
                    answer.answers.append(DNSRecord(name: q.name, type: .srv, ttl: ttl,
                                                    data: .srv(priority: 0, weight: weight, port: port, target: target)))
                }
                answer.additional.append(addressRecord(target, endpoint.ip))
            }
        } else {
            answer.answers.append(DNSRecord(name: q.name, type: .srv, ttl: ttl,
                                            data: .srv(priority: 0, weight: 100, port: match.port, target: serviceName)))
            answer.additional = view.clusterIPs.map { addressRecord(serviceName, $0) }
        }
        return answer
    }

    /// `<a-b-c-d>.<ns>.pod.<zone>` (spec 2.6; IPv6 spelled with dashes for colons).
    private func pod(_ q: DNSQuestion, labels: [String]) -> ZoneAnswer {
        switch labels.count {
        case 0, 1: return noData()
        case 2:
            let spelled = labels[0]
            let ip = spelled.contains(where: { $0.isLetter && $0 != "-" }) || spelled.filter({ $0 == "-" }).count != 3
                ? IPAddress(spelled.replacingDashes(with: ":"))
                : IPAddress(spelled.replacingDashes(with: "."))
            guard let ip else { return nxDomain() }
            return addressAnswer(q, [ip])
        default: return nxDomain()
        }
    }

    // MARK: reverse

    private func reverse(_ q: DNSQuestion) -> ZoneAnswer? {
        guard let ip = Self.address(fromReverse: q.name) else { return nil }
        let (clusterIP, headless) = records.reverse(ip)
        var targets: [DNSName] = []
        if let clusterIP, let name = serviceName(clusterIP) { targets.append(name) }
        for view in headless {
            guard let service = serviceName(view.key) else { continue }
            for endpoint in view.readyEndpoints where endpoint.ip == ip {
                if let name = service.prepending(endpoint.hostname), !targets.contains(name) { targets.append(name) }
            }
        }
        if targets.isEmpty { return nil }
        guard q.type == .ptr || q.type == .any else { return ZoneAnswer() }
        return ZoneAnswer(answers: targets.map { DNSRecord(name: q.name, type: .ptr, ttl: ttl, data: .ptr($0)) })
    }

    /// The address a reverse name spells: `d.c.b.a.in-addr.arpa` or 32 nibbles `.ip6.arpa`.
    static func address(fromReverse name: DNSName) -> IPAddress? {
        let labels = name.labels.map { String(decoding: $0, as: UTF8.self).lowercased() }
        if name.isSubdomain(of: inAddrArpa), labels.count == 6 {
            let octets = labels.prefix(4).reversed().compactMap { UInt8($0) }
            guard octets.count == 4 else { return nil }
            return IPAddress(octets.map(String.init).joined(separator: "."))
        }
        if name.isSubdomain(of: ip6Arpa), labels.count == 34 {
            let nibbles = labels.prefix(32).reversed()
            guard nibbles.allSatisfy({ $0.count == 1 && $0.first!.isHexDigit }) else { return nil }
            let hex = nibbles.joined()
            var groups: [String] = []
            var rest = Substring(hex)
            while !rest.isEmpty {
                groups.append(String(rest.prefix(4)))
                rest = rest.dropFirst(4)
            }
            return IPAddress(groups.joined(separator: ":"))
        }
        return nil
    }

    // MARK: pieces

    private func serviceName(_ key: ClusterRecords.ServiceKey) -> DNSName? {
        domain.prepending("svc")?.prepending(key.namespace)?.prepending(key.name)
    }

    private func addressRecord(_ name: DNSName, _ ip: IPAddress) -> DNSRecord {
        ip.family == .ipv4 ? .a(name, ip.bytes, ttl: ttl) : .aaaa(name, ip.bytes, ttl: ttl)
    }

    /// A/AAAA (ANY: both) from `addresses`; NODATA for other types or families.
    private func addressAnswer(_ q: DNSQuestion, _ addresses: [IPAddress]) -> ZoneAnswer {
        let wanted = addresses.filter {
            q.type == .any || (q.type == .a && $0.family == .ipv4) || (q.type == .aaaa && $0.family == .ipv6)
        }
        if wanted.isEmpty { return noData() }
        return ZoneAnswer(answers: wanted.map { addressRecord(q.name, $0) })
    }

    var nameServer: DNSName { domain.prepending("dns")!.prepending("ns")! }

    func soa() -> DNSRecord {
        DNSRecord(name: domain, type: .soa, ttl: ttl, data: .soa(.init(
            mname: nameServer, rname: domain.prepending("hostmaster")!, serial: records.serial,
            refresh: 7200, retry: 1800, expire: 86400, minimum: ttl)))
    }

    func noData() -> ZoneAnswer { ZoneAnswer(authority: [soa()]) }
    func nxDomain() -> ZoneAnswer { ZoneAnswer(responseCode: .nxDomain, authority: [soa()]) }
}

extension String {
    func replacingDashes(with separator: Character) -> String { String(map { $0 == "-" ? separator : $0 }) }

    func replacingOccurrencesOf(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
