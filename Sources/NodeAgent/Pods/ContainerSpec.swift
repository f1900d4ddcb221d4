import Foundation
import KubeAPI

/// The OCI runtime configuration (`config.json`) for one container of a Pod, as the kubelet
/// and containerd together would make it: the process from the Pod's command/args over the
/// image's entrypoint/cmd, environment, working directory and user; the Pod's network
/// namespace joined by path; the usual /proc, /dev, /sys mounts; the Pod's resolv.conf,
/// hosts and hostname bound in; memory and CPU limits as cgroup resources.
struct ContainerSpec {
    var container: Container
    var image: ImageConfig
    var podName: String
    var netnsPath: String
    var cgroupsPath: String
    var etcFiles: [String: String]   // container path → host file
    /// The container's own variables, resolved (`ContainerEnvironment`).
    var containerEnv: [(String, String)] = []
    /// Volume mounts: container path, host path, read-only.
    var volumeMounts: [(destination: String, source: String, readOnly: Bool)] = []

    /// Kubernetes' rule: command replaces the entrypoint (and drops the image's cmd); args
    /// replace cmd.
    var arguments: [String] {
        let entrypoint = container.command ?? image.config?.Entrypoint ?? []
        let cmd = container.args ?? (container.command == nil ? image.config?.Cmd ?? [] : [])
        return entrypoint + cmd
    }

    /// The image's environment, then the container's (later names win, as in a shell).
    var environment: [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
        for item in image.config?.Env ?? [] {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            set(parts[0], parts.count > 1 ? parts[1] : "")
        }
        if values["PATH"] == nil { set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") }
        set("HOSTNAME", podName)
        for (name, value) in containerEnv { set(name, value) }
        return order.map { $0 + "=" + values[$0]! }
    }

    /// `$(VAR)` references to earlier variables, as the kubelet expands them; `$$` escapes.
    static func expand(_ text: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                out += "$"
                rest = after.dropFirst()
            } else if after.hasPrefix("("), let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                out += values[name] ?? "$(\(name))"
                rest = after[after.index(after: close)...]
            } else {
                out += "$"
                rest = after
            }
        }
        return out + rest
    }

    var user: (uid: Int64, gid: Int64) {
        let uid = container.securityContext?.runAsUser ?? Int64(image.config?.User.flatMap { Int64($0.split(separator: ":").first ?? "") } ?? 0)
        let gid = container.securityContext?.runAsGroup ?? 0
        return (uid, gid)
    }

    func json() -> [String: Any] {
        let capabilities = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
                            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
        var mounts: [[String: Any]] = [
            ["destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]],
            ["destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]],
            ["destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]],
            ["destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]],
            ["destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]],
            ["destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]],
        ]
        for (destination, source) in etcFiles.sorted(by: { $0.key < $1.key }) {
            mounts.append(["destination": destination, "type": "bind", "source": source, "options": ["rbind", "rprivate", "rw"]])
        }
        for mount in volumeMounts {
            mounts.append(["destination": mount.destination, "type": "bind", "source": mount.source,
                           "options": ["rbind", "rprivate", mount.readOnly ? "ro" : "rw"]])
        }
        var resources: [String: Any] = ["devices": [["allow": false, "access": "rwm"]]]
        if let memory = container.resources?.limits?["memory"]?.value, memory > 0 { resources["memory"] = ["limit": memory] }
        if let cpu = container.resources?.limits?["cpu"]?.milliValue, cpu > 0 {
            resources["cpu"] = ["quota": cpu * 100, "period": 100_000]
        }
        let (uid, gid) = user
        return [
            "ociVersion": "1.0.2",
            "process": [
                "terminal": false,
                "user": ["uid": uid, "gid": gid],
                "args": arguments,
                "env": environment,
                "cwd": container.workingDir ?? image.config?.WorkingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/",
                "capabilities": ["bounding": capabilities, "effective": capabilities, "permitted": capabilities],
                "noNewPrivileges": container.securityContext?.allowPrivilegeEscalation == false,
            ] as [String: Any],
            "root": ["path": "rootfs", "readonly": container.securityContext?.readOnlyRootFilesystem == true],
            "hostname": podName,
            "mounts": mounts,
            "linux": [
                "namespaces": [["type": "pid"], ["type": "ipc"], ["type": "uts"], ["type": "mount"],
                               ["type": "network", "path": netnsPath]],
                "cgroupsPath": cgroupsPath,
                "resources": resources,
                "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                                "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
                "readonlyPaths": ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            ] as [String: Any],
        ]
    }
}
