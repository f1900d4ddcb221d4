import Netlink
import SkiffJSON

/// What one plugin invocation prints and exits with.
public struct CNIOutcome: Sendable {
    /// Bytes for stdout (empty for DEL, CHECK, STATUS, GC on success).
    public var stdout: [UInt8]
    public var exitCode: Int32
}

/// The command dispatch every verb goes through: validates the environment and the config,
/// runs IPAM, hands the network work to `plumbing`, and renders the result or the error as the
/// CNI spec's JSON. `skiff-cni`'s main is a thin shell around `run`.
public struct CNIPlugin {
    public var plumbing: any PodNetworkPlumbing
    public var lockTimeout: Double

    public init(plumbing: any PodNetworkPlumbing = BridgePlumbing(), lockTimeout: Double = 30) {
        self.plumbing = plumbing
        self.lockTimeout = lockTimeout
    }

    /// Runs one invocation. Never throws: failures become the spec's error JSON and exit 1.
    public func run(environment: [String: String], stdin: [UInt8]) -> CNIOutcome {
        var version = CNIVersion.current
        do throws(CNIError) {
            let env = try CNIEnvironment(environment)
            if env.command == .version {
                return success(versionInfo())
            }
            let config = try NetworkConfig(bytes: stdin)
            version = config.cniVersion
            switch env.command {
            case .add: return success(try add(env, config).json())
            case .del: try del(env, config)
            case .check: try check(env, config)
            case .status: try status(config)
            case .gc: try gc(config)
            case .version: break
            }
            return CNIOutcome(stdout: [], exitCode: 0)
        } catch {
            var bytes = JSONSerializer.serialize(error.json(cniVersion: version))
            bytes.append(0x0A)
            return CNIOutcome(stdout: bytes, exitCode: 1)
        }
    }

    private func success(_ json: JSONValue) -> CNIOutcome {
        var bytes = JSONSerializer.serialize(json)
        bytes.append(0x0A)
        return CNIOutcome(stdout: bytes, exitCode: 0)
    }

    /// VERSION: stdin (`{"cniVersion": …}`, or empty) does not matter; the answer lists what we speak.
    func versionInfo() -> JSONValue {
        [
            "cniVersion": .string(CNIVersion.current),
            "supportedVersions": .array(CNIVersion.supported.map { .string($0) }),
        ]
    }

    func store(_ config: NetworkConfig) -> IPAMStore {
        IPAMStore(network: config.name, config: config.ipam, lockTimeout: lockTimeout)
    }

    func attachment(_ env: CNIEnvironment, _ config: NetworkConfig) -> PodAttachment {
        PodAttachment(config: config, containerID: env.containerID ?? "", ifname: env.ifname ?? "", netns: env.netns)
    }

    /// Requested addresses: CNI_ARGS `IP=` (comma-separated, as host-local reads it), then the config's.
    func requestedIPs(_ env: CNIEnvironment, _ config: NetworkConfig) throws(CNIError) -> [IPAddress] {
        var out: [IPAddress] = []
        if let text = env.arg("IP") {
            for part in text.split(separator: ",") {
                let item = String(part.trimmingWhitespace())
                guard let ip = CNIAddress(item)?.ip ?? IPAddress(item) else {
                    throw CNIError(code: CNIError.invalidEnvironment, msg: "invalid IP \"\(item)\" in CNI_ARGS")
                }
                out.append(ip)
            }
        }
        for ip in config.requestedIPs where !out.contains(ip) { out.append(ip) }
        return out
    }

    func add(_ env: CNIEnvironment, _ config: NetworkConfig) throws(CNIError) -> CNIResult {
        let pool = store(config)
        let pod = attachment(env, config)
        // Chained: start from the previous plugin's result and add ours to it.
        var result = try config.prevResult.map { p throws(CNIError) in try CNIResult(json: p, cniVersion: config.cniVersion) }
            ?? CNIResult(cniVersion: config.cniVersion)
        let claim = try pool.claim(containerID: pod.containerID, ifname: pod.ifname, requested: requestedIPs(env, config))
        let ip = claim.ip
        let address = CNIAddress(ip: ip, prefixLength: config.ipam.subnet.prefixLength)
        let made: (interfaces: [CNIResult.Interface], podInterface: Int?)
        do throws(CNIError) {
            made = try plumbing.setUp(pod, addresses: [address])
        } catch {
            // Nothing half-made: the address goes back to the pool, unless a retried ADD found
            // it held already (the first ADD's pod may be alive; the reference bridge plugin,
            // which makes the veth before asking IPAM, leaves it too). DEL or GC frees it.
            if !claim.wasHeld { try? pool.release(ip, containerID: pod.containerID, ifname: pod.ifname) }
            throw error
        }
        if config.ipMasq {
            do throws(CNIError) {
                try masquerade(config) { try $0.add(pods: [ip], on: $1) }
            } catch {
                try? plumbing.tearDown(pod)
                try? pool.release(ip, containerID: pod.containerID, ifname: pod.ifname)
                throw error
            }
        }
        let offset = result.interfaces.count
        result.interfaces += made.interfaces
        result.ips.append(CNIResult.IPConfig(address: address, gateway: config.ipam.gateway,
                                             interface: made.podInterface.map { $0 + offset }))
        for route in config.ipam.routes + plumbing.resultRoutes(pod, addresses: [address]) where !result.routes.contains(route) {
            result.routes.append(route)
        }
        if result.dns == CNIResult.DNS() { result.dns = config.dns }
        return result
    }

    func del(_ env: CNIEnvironment, _ config: NetworkConfig) throws(CNIError) {
        let pod = attachment(env, config)
        try plumbing.tearDown(pod)
        let store = store(config)
        if config.ipMasq {
            let held = try store.allocations(containerID: pod.containerID, ifname: pod.ifname).map(\.ip)
            try masquerade(config) { try $0.remove(pods: held, on: $1) }
        }
        try store.release(containerID: pod.containerID, ifname: pod.ifname)
    }

    /// Runs `body` with the network's masquerade and an nf_tables socket; failures are the
    /// plugin-specific "plumbing failed" error.
    private func masquerade(_ config: NetworkConfig, _ body: (PodMasquerade, NetlinkSocket) throws -> Void) throws(CNIError) {
        do {
            try body(PodMasquerade(network: config.name, subnet: config.ipam.subnet), NetlinkSocket())
        } catch {
            throw CNIError(code: CNIError.plumbingFailed, msg: "ipMasq: programming the skiff-cni table failed", details: "\(error)")
        }
    }

    func check(_ env: CNIEnvironment, _ config: NetworkConfig) throws(CNIError) {
        guard CNIVersion.atLeast(config.cniVersion, "0.4.0") else {
            throw CNIError(code: CNIError.incompatibleVersion, msg: "CHECK is not supported by cniVersion \(config.cniVersion)")
        }
        guard let prev = config.prevResult else {
            throw CNIError(code: CNIError.invalidConfig, msg: "CHECK requires prevResult")
        }
        let expected = try CNIResult(json: prev, cniVersion: config.cniVersion)
        let pod = attachment(env, config)
        let held = Set(try store(config).allocations(containerID: pod.containerID, ifname: pod.ifname).map { $0.ip })
        if held.isEmpty {
            throw CNIError(code: CNIError.unknownContainer,
                           msg: "no address allocated for container \(pod.containerID) interface \(pod.ifname)")
        }
        for ip in expected.ips where config.ipam.subnet.contains(ip.address.ip) && !held.contains(ip.address.ip) {
            throw CNIError(code: CNIError.invalidConfig,
                           msg: "address \(ip.address) in prevResult is not allocated to container \(pod.containerID)")
        }
        try plumbing.check(pod, expected: expected)
    }

    func status(_ config: NetworkConfig) throws(CNIError) {
        do throws(CNIError) {
            try store(config).checkWritable()
            try plumbing.status(config)
        } catch {
            throw CNIError(code: CNIError.pluginNotAvailable, msg: "plugin not available", details: error.description)
        }
    }

    func gc(_ config: NetworkConfig) throws(CNIError) {
        guard CNIVersion.atLeast(config.cniVersion, "1.1.0") else {
            throw CNIError(code: CNIError.incompatibleVersion, msg: "GC is not supported by cniVersion \(config.cniVersion)")
        }
        guard let valid = config.validAttachments else {
            throw CNIError(code: CNIError.invalidConfig, msg: "GC requires cni.dev/valid-attachments")
        }
        // What GC frees goes whole: the interfaces and masquerade of an attachment whose ADD was
        // killed half-way, or whose DEL never came, before its address.
        let store = store(config)
        let validSet = Set(valid)
        for stale in try store.allocations() where !validSet.contains(CNIAttachment(containerID: stale.containerID, ifname: stale.ifname)) {
            try plumbing.tearDown(PodAttachment(config: config, containerID: stale.containerID, ifname: stale.ifname, netns: nil))
            if config.ipMasq { try masquerade(config) { try $0.remove(pods: [stale.ip], on: $1) } }
        }
        try store.garbageCollect(validAttachments: validSet)
    }
}
