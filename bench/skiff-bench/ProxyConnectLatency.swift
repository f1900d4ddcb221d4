import Foundation
import KubeAPI
import ProxyDataplane

/// Connection setup latency through a ClusterIP with few and with many Services programmed:
/// the proxy dispatches through verdict maps, so a new connection should cost the same at 10
/// as at 10,000 Services.
///
///     pod    10.255.0.2, .3 ── 10.255.0.1 ┐
///                                         ├ node (forwarding; skiff's rules, default flat layout,
///                                         │       synced from this process)
///     client 192.168.50.2 ── 192.168.50.1 ┘
///
/// The probe Service (10.100.0.1:80 → both pod addresses :8080) is the same in both cases; the
/// others are the size workload's ClusterIP/NodePort Services with 2 endpoints each. The two
/// sizes alternate over several rounds (grown and shrunk by partial syncs), so a drift of the
/// machine's speed during the run lands on both.
struct ProxyConnectLatency {
    var namespaces: NetworkNamespaces
    var sizes: (small: Int, large: Int)
    var connections: Int
    var rounds: Int

    static let probeIP = "10.100.0.1"
    static let podIPs = ["10.255.0.2", "10.255.0.3"]

    struct Result {
        var small: Int
        var large: Int
        var smallNanos: [UInt64]
        var largeNanos: [UInt64]
        var failures: (small: Int, large: Int)
        var firstError: String?
        var connectionsPerRound: Int
        var rounds: Int
        var others = OtherCPUMeter()
    }

    func run() throws -> Result {
        let node = try namespaces.create("lat-node")
        let pod = try namespaces.create("lat-pod")
        let client = try namespaces.create("lat-client")
        defer { for ns in [client, pod, node] { namespaces.delete(ns) } }
        try wire(node: node, pod: pod, client: client)

        let server = try HelperProcess(arguments: ["proxy-serve", "--netns", NetworkNamespaces.path(pod), "--port", "8080"])
        defer { server.stop() }
        guard try server.readLine() == "listening" else { throw BenchError("proxy-serve did not start") }

        let syncer = try ProxySyncer(configs: [ProxyLayout.flat.rulesetConfig], networkNamespace: NetworkNamespaces.path(node))
        var model = ProxyModel(config: ProxyWorkload.modelConfig)
        model.serviceAdded(ProxyService(Self.probeService()))
        model.endpointSliceAdded(ProxyEndpointSlice(Self.probeSlice()))
        let fillers = ProxyWorkload(services: sizes.large, endpointsPerService: 2)
        var programmed = 0   // filler services in the model

        func resize(to services: Int) throws {
            let wanted = services - 1
            while programmed < wanted {
                model.serviceAdded(ProxyWorkload.service(programmed))
                model.endpointSliceAdded(fillers.slice(programmed))
                programmed += 1
            }
            while programmed > wanted {
                programmed -= 1
                model.serviceDeleted(ProxyWorkload.service(programmed))
                model.endpointSliceDeleted(fillers.slice(programmed))
            }
            try syncer.syncNow(applying: &model)
            guard model.services.count == services else {
                throw BenchError("latency: \(model.services.count) service ports programmed, wanted \(services)")
            }
        }

        let perRound = max(1, connections / rounds)
        var result = Result(small: sizes.small, large: sizes.large, smallNanos: [], largeNanos: [], failures: (0, 0),
                            connectionsPerRound: perRound, rounds: rounds)
        for round in 0..<rounds {
            // Alternate which size goes first, so neither always follows a big sync.
            let order = round % 2 == 0 ? [sizes.small, sizes.large] : [sizes.large, sizes.small]
            for size in order {
                try resize(to: size)
                log("latency round \(round + 1)/\(rounds): \(size) services, \(perRound) connections")
                let probe = try HelperProcess(arguments: ["proxy-connect", "--netns", NetworkNamespaces.path(client),
                                                          "--to", "\(Self.probeIP):80", "--count", "\(perRound)"])
                result.others.begin(helpers: [probe.pid, server.pid])
                let line = try probe.readLine()
                result.others.end(helpers: [probe.pid, server.pid])
                let output = try JSONDecoder().decode(ProxyConnectCommand.Output.self, from: Data(line.utf8))
                try probe.waitForExit()
                if size == sizes.small {
                    result.smallNanos += output.nanos
                    result.failures.small += output.failures
                } else {
                    result.largeNanos += output.nanos
                    result.failures.large += output.failures
                }
                if result.firstError == nil { result.firstError = output.firstError }
            }
        }
        try syncer.cleanup()
        result.smallNanos.sort()
        result.largeNanos.sort()
        return result
    }

    /// veth pairs created from inside the node namespace, so nothing touches the root namespace.
    private func wire(node: String, pod: String, client: String) throws {
        func inNS(_ ns: String, _ args: String...) throws {
            try ProxyProcess.run(ProxyProcess.inNamespace(ns, args))
        }
        try inNS(node, "/usr/sbin/sysctl", "-qw", "net.ipv4.ip_forward=1")
        try inNS(node, "/usr/sbin/ip", "link", "add", "vp", "type", "veth", "peer", "name", "eth0", "netns", pod)
        try inNS(node, "/usr/sbin/ip", "link", "add", "vc", "type", "veth", "peer", "name", "eth0", "netns", client)
        try inNS(node, "/usr/sbin/ip", "addr", "add", "10.255.0.1/24", "dev", "vp")
        try inNS(node, "/usr/sbin/ip", "addr", "add", "\(ProxyWorkload.nodeAddress)/24", "dev", "vc")
        try inNS(node, "/usr/sbin/ip", "link", "set", "vp", "up")
        try inNS(node, "/usr/sbin/ip", "link", "set", "vc", "up")
        for ip in Self.podIPs { try inNS(pod, "/usr/sbin/ip", "addr", "add", "\(ip)/24", "dev", "eth0") }
        try inNS(pod, "/usr/sbin/ip", "link", "set", "eth0", "up")
        try inNS(pod, "/usr/sbin/ip", "route", "add", "default", "via", "10.255.0.1")
        try inNS(client, "/usr/sbin/ip", "addr", "add", "192.168.50.2/24", "dev", "eth0")
        try inNS(client, "/usr/sbin/ip", "link", "set", "eth0", "up")
        try inNS(client, "/usr/sbin/ip", "route", "add", "default", "via", ProxyWorkload.nodeAddress)
    }

    static func probeService() -> Service {
        Service(metadata: ObjectMeta(name: "probe", namespace: "bench"),
                spec: ServiceSpec(ports: [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))],
                                  clusterIP: probeIP, clusterIPs: [probeIP], type: "ClusterIP"))
    }

    static func probeSlice() -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: "probe-1", namespace: "bench", labels: ["kubernetes.io/service-name": "probe"]),
            addressType: "IPv4",
            endpoints: podIPs.map { KubeAPI.Endpoint(addresses: [$0], conditions: EndpointConditions(ready: true), nodeName: "node-b") },
            ports: [EndpointPort(name: "http", port: 8080, protocol: "TCP")])
    }
}
