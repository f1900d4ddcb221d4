import Foundation
import KubeAPI

/// What the node is, read from the machine as the kubelet reads it: CPUs the agent may use,
/// memory, the identifiers and versions `kubectl describe node` shows under System Info.
public struct MachineInfo: Sendable, Equatable {
    public var cpus: Int
    public var memoryBytes: Int64
    public var machineID: String
    public var systemUUID: String
    public var bootID: String
    public var kernelVersion: String
    public var osImage: String
    /// Go's names (amd64, arm64), as node labels and nodeInfo use them.
    public var architecture: String

    public init(cpus: Int, memoryBytes: Int64, machineID: String = "", systemUUID: String = "", bootID: String = "",
                kernelVersion: String = "", osImage: String = "", architecture: String = "amd64") {
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.architecture = architecture
    }

    /// The running machine.
    public static func current() -> MachineInfo {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return MachineInfo(
            cpus: usableCPUs(),
            memoryBytes: memTotal(read("/proc/meminfo")) ?? 0,
            machineID: read("/etc/machine-id").trimmed,
            systemUUID: read("/sys/class/dmi/id/product_uuid").trimmed.lowercased(),
            bootID: read("/proc/sys/kernel/random/boot_id").trimmed,
            kernelVersion: release,
            osImage: prettyName(read("/etc/os-release")) ?? "Linux",
            architecture: goArchitecture(machine))
    }

    /// CPUs this process may run on (its affinity mask, as a cgroup-limited kubelet sees).
    static func usableCPUs() -> Int {
        if let count = allowedCPUs(read("/proc/self/status")), count > 0 { return count }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The bits set in `Cpus_allowed:` (a comma-separated hex mask) of /proc/self/status text.
    static func allowedCPUs(_ status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
            let mask = line.dropFirst("Cpus_allowed:".count).filter { $0 != "," && !$0.isWhitespace }
            return mask.reduce(0) { $0 + (Int(String($1), radix: 16)?.nonzeroBitCount ?? 0) }
        }
        return nil
    }

    /// `MemTotal` in bytes from /proc/meminfo text.
    static func memTotal(_ meminfo: String) -> Int64? { meminfoField(meminfo, "MemTotal") }

    /// `MemAvailable` in bytes.
    static func memAvailable(_ meminfo: String) -> Int64? { meminfoField(meminfo, "MemAvailable") }

    static func meminfoField(_ meminfo: String, _ field: String) -> Int64? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix(field + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kib = Int64(parts[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }

    /// `PRETTY_NAME` from os-release text.
    static func prettyName(_ osRelease: String) -> String? {
        for line in osRelease.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        return nil
    }

    static func goArchitecture(_ machine: String) -> String {
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        case "armv7l", "armv6l": return "arm"
        case "ppc64le": return "ppc64le"
        case "s390x": return "s390x"
        case "riscv64": return "riscv64"
        default: return machine
        }
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
