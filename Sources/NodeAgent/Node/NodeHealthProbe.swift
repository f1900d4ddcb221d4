import Foundation

/// Takes `NodeReadings` from the machine: available memory, free space on the filesystem
/// holding the agent's state, PIDs left, and whether the container runtime is there.
public struct NodeHealthProbe: Sendable {
    /// Where the agent keeps its state (the kubelet's nodefs).
    public var stateDirectory: String
    /// The OCI runtime Pods run on.
    public var runtime = "runc"
    /// Where the Pod network's config list must be before Pods can be networked (the
    /// embedded overlay writes it once the node has its podCIDR); nil: not checked.
    public var cniConfDir: String?

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    public func read() -> NodeReadings {
        var readings = NodeReadings()
        readings.memoryAvailableBytes = MachineInfo.memAvailable(MachineInfo.read("/proc/meminfo"))
        var fs = statvfs()
        if statvfs(stateDirectory, &fs) == 0, fs.f_blocks > 0 {
            readings.diskAvailableFraction = Double(fs.f_bavail) / Double(fs.f_blocks)
        }
        if let max = Int64(MachineInfo.read("/proc/sys/kernel/pid_max").trimmed),
           let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") {
            readings.pidsAvailable = max - Int64(entries.filter { $0.allSatisfy(\.isNumber) }.count)
        }
        if Self.findExecutable(runtime) == nil {
            readings.notReadyReason = "container runtime is down: \(runtime) is not installed"
        } else if let cniConfDir, (try? CNIInvoker(confDir: cniConfDir, binDirs: []).configList()) == nil {
            // The kubelet's words while the runtime reports the CNI plugin uninitialised.
            readings.notReadyReason = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                + "message:Network plugin returns error: cni plugin not initialized"
        }
        return readings
    }

    /// `name` on PATH (or as a path), executable.
    public static func findExecutable(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in path.split(separator: ":") where access("\(dir)/\(name)", X_OK) == 0 {
            return "\(dir)/\(name)"
        }
        return nil
    }
}
