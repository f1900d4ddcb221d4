import KubeAPI
import Netlink
import Synchronization

/// The Services and EndpointSlices DNS answers from, with the indexes queries need: slices by
/// Service, Services per namespace (an existing namespace is NODATA, a missing one NXDOMAIN)
/// and reverse entries. Updated from informer events (O(size of the changed object)), read by
/// every query under a short lock.
public final class ClusterRecords: Sendable {
    /// A Service's identity: lowercased name and namespace, as query labels spell them.
    public struct ServiceKey: Hashable, Sendable {
        public var name: String
        public var namespace: String
        public init(name: String, namespace: String) {
            self.name = name.lowercased()
            self.namespace = namespace.lowercased()
        }
    }

    struct State {
        var services: [ServiceKey: ServiceFacts] = [:]
        /// Slices by Service (usually one: a small array, not a dictionary per Service).
        var slices: [ServiceKey: [SliceFacts]] = [:]
        /// What queries read: one view per Service, rebuilt when it or its slices change.
        var views: [ServiceKey: ServiceView] = [:]
        var servicesPerNamespace: [String: Int] = [:]
        /// ClusterIP → Service, for PTR.
        var clusterIPs: [IPAddress: ServiceKey] = [:]
        /// Endpoint address → the headless Services it backs, for PTR.
        var headlessEndpoints: [IPAddress: [ServiceKey]] = [:]
        /// Bumped on every change; the SOA serial.
        var serial: UInt32 = 1
    }

    let state = Mutex(State())

    public init() {}

    public var serial: UInt32 { state.withLock { $0.serial } }

    // MARK: updates

    public func upsert(_ service: DNSService) {
        guard let key = Self.key(service) else { return }
        state.withLock { s in
            let facts = ServiceFacts(service)
            let old = s.services.updateValue(facts, forKey: key)
            if let old {
                for ip in old.clusterIPs where s.clusterIPs[ip] == key { s.clusterIPs[ip] = nil }
            } else {
                s.servicesPerNamespace[key.namespace, default: 0] += 1
            }
            for ip in facts.clusterIPs { s.clusterIPs[ip] = key }
            if old?.isHeadless != facts.isHeadless || old?.publishesNotReadyAddresses != facts.publishesNotReadyAddresses {
                Self.reindexEndpoints(of: key, in: &s)
            }
            Self.refreshView(key, in: &s)
            s.serial &+= 1
        }
    }

    public func remove(service: DNSService) {
        guard let key = Self.key(service) else { return }
        state.withLock { s in
            guard let old = s.services.removeValue(forKey: key) else { return }
            for ip in old.clusterIPs where s.clusterIPs[ip] == key { s.clusterIPs[ip] = nil }
            if let count = s.servicesPerNamespace[key.namespace] {
                s.servicesPerNamespace[key.namespace] = count > 1 ? count - 1 : nil
            }
            if old.isHeadless { Self.reindexEndpoints(of: key, in: &s) }
            Self.refreshView(key, in: &s)
            s.serial &+= 1
        }
    }

    public func upsert(_ slice: DNSEndpointSlice) {
        guard let (key, name) = Self.key(slice) else { return }
        let facts = SliceFacts(name: name, slice)
        state.withLock { s in
            let headless = s.services[key]?.isHeadless == true
            var list = s.slices.removeValue(forKey: key) ?? []
            if let i = list.firstIndex(where: { $0.name == name }) {
                if headless { Self.unindex(list[i], of: key, in: &s) }
                list[i] = facts
            } else {
                list.append(facts)
            }
            s.slices[key] = list
            if headless { Self.index(facts, of: key, in: &s) }
            Self.refreshView(key, in: &s)
            s.serial &+= 1
        }
    }

    public func remove(slice: DNSEndpointSlice) {
        guard let (key, name) = Self.key(slice) else { return }
        state.withLock { s in
            guard var list = s.slices.removeValue(forKey: key), let i = list.firstIndex(where: { $0.name == name }) else { return }
            let old = list.remove(at: i)
            if !list.isEmpty { s.slices[key] = list }
            if s.services[key]?.isHeadless == true { Self.unindex(old, of: key, in: &s) }
            Self.refreshView(key, in: &s)
            s.serial &+= 1
        }
    }

    static func key(_ service: DNSService) -> ServiceKey? {
        guard let name = service.meta.name, let namespace = service.meta.namespace else { return nil }
        return ServiceKey(name: name, namespace: namespace)
    }

    static func key(_ slice: DNSEndpointSlice) -> (ServiceKey, String)? {
        guard let service = slice.serviceName, let name = slice.meta.name, let namespace = slice.meta.namespace
        else { return nil }
        return (ServiceKey(name: service, namespace: namespace), name)
    }

    private static func refreshView(_ key: ServiceKey, in s: inout State) {
        guard let service = s.services[key] else {
            s.views[key] = nil
            return
        }
        s.views[key] = ServiceView(key: key, facts: service, slices: s.slices[key] ?? [])
    }

    private static func index(_ slice: SliceFacts, of key: ServiceKey, in s: inout State) {
        for endpoint in slice.endpoints {
            if let ip = endpoint.address, !(s.headlessEndpoints[ip]?.contains(key) ?? false) {
                s.headlessEndpoints[ip, default: []].append(key)
            }
        }
    }

    private static func unindex(_ slice: SliceFacts, of key: ServiceKey, in s: inout State) {
        for endpoint in slice.endpoints {
            if let ip = endpoint.address, var keys = s.headlessEndpoints[ip] {
                keys.removeAll { $0 == key }
                s.headlessEndpoints[ip] = keys.isEmpty ? nil : keys
            }
        }
    }

    /// A Service became headless or stopped being one (or went away): its endpoints' reverse
    /// entries follow.
    private static func reindexEndpoints(of key: ServiceKey, in s: inout State) {
        let slices = s.slices[key] ?? []
        for slice in slices { unindex(slice, of: key, in: &s) }
        if s.services[key]?.isHeadless == true {
            for slice in slices { index(slice, of: key, in: &s) }
        }
    }

    // MARK: reads

    public func service(_ key: ServiceKey) -> ServiceView? {
        state.withLock { $0.views[key] }
    }

    public func namespaceExists(_ namespace: String) -> Bool {
        state.withLock { $0.servicesPerNamespace[namespace] != nil }
    }

    /// What answers a reverse query for `ip`: the Service owning it as a ClusterIP, and the
    /// headless Services it is an endpoint of (with their slices).
    public func reverse(_ ip: IPAddress) -> (clusterIP: ServiceKey?, headless: [ServiceView]) {
        state.withLock { s in
            let headless = (s.headlessEndpoints[ip] ?? []).compactMap { s.views[$0] }
            return (s.clusterIPs[ip], headless)
        }
    }

    public var serviceCount: Int { state.withLock { $0.services.count } }
}
