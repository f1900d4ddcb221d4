import Foundation
import KubeAPI
import Logging

/// The Node object this agent registers and keeps (kubelet's `registerWithAPIServer` and
/// node status setters): name, the well-known labels, capacity from the machine, addresses
/// and system info. Creating it is idempotent: an existing Node (a restarted agent) keeps
/// its spec and the labels others set; only the agent's own labels are brought up to date.
public struct NodeRegistration: Sendable {
    public var name: String
    public var internalIP: String?
    /// `--node-labels`, added to the well-known ones.
    public var extraLabels: [String: String] = [:]
    /// `--register-with-taints`: applied when the Node is created, not to an existing one.
    public var taints: [Taint] = []
    public var maxPods = 110
    public var machine: MachineInfo
    public var version = "v1.32.0-skiff"
    /// The agent's HTTPS port, published for the API server.
    public var port = 10250

    public init(name: String, internalIP: String?, machine: MachineInfo) {
        self.name = name
        self.internalIP = internalIP
        self.machine = machine
    }

    /// The labels the agent owns.
    public var labels: [String: String] {
        ["kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": machine.architecture,
         "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": machine.architecture].merging(extraLabels) { $1 }
    }

    public var capacity: [String: Quantity] {
        ["cpu": Quantity(String(machine.cpus)), "memory": Quantity("\(machine.memoryBytes / 1024)Ki"),
         "pods": Quantity(String(maxPods))]
    }

    public var addresses: [NodeAddress] {
        (internalIP.map { [NodeAddress(type: "InternalIP", address: $0)] } ?? []) + [NodeAddress(type: "Hostname", address: name)]
    }

    public var nodeInfo: NodeSystemInfo {
        NodeSystemInfo(machineID: machine.machineID, systemUUID: machine.systemUUID, bootID: machine.bootID,
                       kernelVersion: machine.kernelVersion, osImage: machine.osImage,
                       containerRuntimeVersion: "runc://\(Self.runcVersion() ?? "unknown")",
                       kubeletVersion: version, kubeProxyVersion: version, operatingSystem: "linux",
                       architecture: machine.architecture)
    }

    /// The Node as first created.
    public func node() -> Node {
        var node = Node(metadata: ObjectMeta(name: name, labels: labels))
        if !taints.isEmpty { node.spec = NodeSpec(taints: taints) }
        return node
    }

    /// Creates the Node, or adopts the existing one, updating the agent's labels on it.
    public func register(_ client: KubeClient, logger: Logger) async throws -> Node {
        do {
            let created = try await client.create(node())
            logger.info("registered node \(name)")
            return created
        } catch let error as KubeAPIError where error.code == 409 {
            let existing = try await client.get(Node.self, name: name)
            let current = existing.metadata?.labels ?? [:]
            guard labels.contains(where: { current[$0.key] != $0.value }) else { return existing }
            let updated = try await client.patch(Node.self, name: name, patch: [
                "metadata": ["labels": .object(labels.mapValues { .string($0) }),
                             "resourceVersion": .string(existing.metadata?.resourceVersion ?? "")]])
            logger.info("node \(name) was already registered; labels updated")
            return updated
        }
    }

    /// `runc --version`'s version number, read once.
    static func runcVersion() -> String? {
        guard let path = NodeHealthProbe.findExecutable("runc") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "runc version 1.1.5+ds1"
        return output.split(separator: "\n").first?.split(separator: " ").last.map(String.init)
    }
}
