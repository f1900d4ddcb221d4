import Foundation

/// What removing a node for good takes, once its agent has stopped (`skiff down`): the
/// agent leaves its containers running when it stops, by design, so they are killed here —
/// through runc, and through their cgroups for any runc no longer knows — then every mount
/// under the agent's directory (root filesystems, volumes, Pod network namespaces) is
/// undone.
public struct NodeTeardown {
    public let stateDirectory: String

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    public func run() {
        if let binary = NodeHealthProbe.findExecutable("runc") {
            let runc = Runc(binary: binary, root: stateDirectory + "/runc")
            for id in runc.list() {
                runc.kill(id, signal: "KILL")
                runc.delete(id)
            }
        }
        let uids = (try? FileManager.default.contentsOfDirectory(atPath: stateDirectory + "/pods")) ?? []
        let groups = uids.flatMap(Self.cgroups)
        for group in groups {
            // Killed until none is left (one may fork as it is killed), then removed; a
            // cgroup can be removed once its processes have gone.
            for _ in 0..<250 {
                let procs = (try? String(contentsOfFile: group + "/cgroup.procs", encoding: .utf8)) ?? ""
                for pid in procs.split(separator: "\n").compactMap({ pid_t($0) }) { kill(pid, SIGKILL) }
                if rmdir(group) == 0 || errno != EBUSY { break }
                usleep(20_000)
            }
        }
        for target in Self.mounts(under: stateDirectory).sorted(by: { $0.count > $1.count }) {
            umount2(target, Int32(MNT_DETACH))
        }
    }

    /// The cgroups runc made for a Pod's containers (`/skiff-<uid>-<container>`), in every
    /// v1 hierarchy or the v2 tree.
    static func cgroups(_ uid: String) -> [String] {
        let root = "/sys/fs/cgroup"
        let hierarchies = [root] + ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).map { root + "/" + $0 }
        return hierarchies.flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasPrefix("skiff-\(uid)-") }.map { dir + "/" + $0 }
        }
    }

    /// Mount points at or below `directory` (mountinfo's fifth field).
    public static func mounts(under directory: String) -> [String] {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let target = String(fields[4])
            return target == directory || target.hasPrefix(directory + "/") ? target : nil
        }
    }
}
