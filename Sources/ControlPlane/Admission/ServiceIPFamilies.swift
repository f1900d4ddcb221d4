import KubeAPI
import Netlink

/// A Service's `ipFamilyPolicy` and `ipFamilies` as kube-apiserver settles them before
/// allocating: the families come from `ipFamilies`, else from the requested `clusterIPs`, else
/// the cluster's primary family; `PreferDualStack` and `RequireDualStack` add the other family
/// on a dual-stack cluster; the errors are upstream's field errors.
struct ServiceIPFamilies {
    var policy: String
    var families: [IPFamily]

    static let policies = ["SingleStack", "PreferDualStack", "RequireDualStack"]

    /// The field errors that make the Service invalid.
    struct Invalid: Error { var causes: [FieldError] }

    /// `requestedIPs` are the Service's `clusterIPs` (or its `clusterIP`), "None" excluded. A
    /// headless Service without a selector (its endpoints are whatever someone writes) defaults
    /// to RequireDualStack and every family the cluster has, and is not held to them.
    init(spec: JSONValue?, requestedIPs: [String], allocators: ServiceAllocators, selectorlessHeadless: Bool = false) throws {
        var errors: [FieldError] = []
        let policyValue = spec?["ipFamilyPolicy"]
        policy = policyValue?.stringValue ?? (selectorlessHeadless ? "RequireDualStack" : "SingleStack")
        if !Self.policies.contains(policy) {
            throw Invalid(causes: [.notSupported("spec.ipFamilyPolicy", policyValue ?? .null, Self.policies)])
        }
        var given: [IPFamily] = []
        for (i, value) in (spec?["ipFamilies"]?.arrayValue ?? []).enumerated() {
            guard let family = IPFamily(apiValue: value.stringValue) else {
                errors.append(.notSupported("spec.ipFamilies[\(i)]", value, ["IPv4", "IPv6"]))
                continue
            }
            if given.contains(family) { errors.append(.duplicate("spec.ipFamilies[\(i)]", value)) }
            given.append(family)
        }
        let ipList = JSONValue.array(requestedIPs.map { .string($0) })
        if requestedIPs.count > 2 { errors.append(.invalid("spec.clusterIPs", ipList, "may only hold up to 2 values")) }
        var fromIPs: [IPFamily] = []
        for (i, text) in requestedIPs.enumerated() {
            guard let ip = IPAddress(text), ip.description == text || text.contains(":") else {
                errors.append(.invalid("spec.clusterIPs[\(i)]", .string(text), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
                continue
            }
            fromIPs.append(ip.family)
        }
        if fromIPs.count == 2 && fromIPs[0] == fromIPs[1] {
            errors.append(.invalid("spec.clusterIPs", ipList, "may specify no more than one IP for each IP family"))
        }
        for (i, family) in fromIPs.enumerated() where i < given.count && given[i] != family {
            errors.append(.invalid("spec.clusterIPs[\(i)]", .string(requestedIPs[i]),
                                   "expected an \(given[i].rawValue) value as indicated by `ipFamilies[\(i)]`"))
        }
        guard errors.isEmpty else { throw Invalid(causes: errors) }

        families = given.count >= fromIPs.count ? given : fromIPs
        if policy == "SingleStack" && families.count > 1 {
            let what = fromIPs.count > 1 ? "cluster IPs" : "IP families"
            throw Invalid(causes: [.invalid("spec.ipFamilyPolicy", .string(policy),
                                            "must be 'RequireDualStack' or 'PreferDualStack' when multiple \(what) are specified")])
        }
        if selectorlessHeadless {
            if families.isEmpty { families = allocators.ranges.map(\.family) }
            return
        }
        if families.isEmpty { families = [allocators.primaryFamily] }
        if policy == "RequireDualStack" && !allocators.isDualStack {
            throw Invalid(causes: [.invalid("spec.ipFamilyPolicy", .string(policy), "this cluster is not configured for dual-stack services")])
        }
        for (i, family) in families.enumerated() where allocators.range(family) == nil {
            if i < fromIPs.count {
                throw Invalid(causes: [.invalid("spec.clusterIPs[\(i)]", .string(requestedIPs[i]), "\(family.rawValue) is not configured on this cluster")])
            }
            throw Invalid(causes: [.invalid("spec.ipFamilies[\(i)]", .string(family.rawValue), "not configured on this cluster")])
        }
        if policy != "SingleStack" && allocators.isDualStack && families.count == 1 {
            families.append(families[0] == .ipv4 ? .ipv6 : .ipv4)
        }
    }

    var apiFamilies: JSONValue { .array(families.map { .string($0.rawValue) }) }
}
