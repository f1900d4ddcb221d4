import Foundation

/// The OCI runtime, runc, driven as a shim drives it: `runc run` in the foreground for each
/// container, so runc stays the container's parent and exits with its status (the exit
/// code, or 128 + the signal); `kill` and `delete` by id. State lives under the agent's own
/// runc root.
struct Runc: Sendable {
    let binary: String
    let root: String

    /// Starts the container; `onExit` gets its exit status once it ends. A small shell
    /// stays runc's parent and writes the status to `exitFile` as it ends, so the status
    /// survives an agent restart (what containerd's shim does).
    func run(id: String, bundle: String, log: String, exitFile: String, onExit: @escaping @Sendable (Int32) -> Void) throws -> Int32 {
        unlink(exitFile)
        // O_APPEND: the log can be rotated by copying and truncating it under the writer.
        let fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw PodError.runtime("cannot open \(log): \(String(cString: strerror(errno)))") }
        let output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\"$0\" --root \"$1\" run --keep --bundle \"$2\" \"$3\"; code=$?; echo $code > \"$4.tmp\" && mv \"$4.tmp\" \"$4\"; exit $code",
                             binary, root, bundle, id, exitFile]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { p in
            try? output.close()
            onExit(p.terminationStatus)
        }
        try process.run()
        return process.processIdentifier
    }

    /// Whether the kernel's OOM killer killed a process of the container's cgroup (kept
    /// after exit by `run --keep` until `delete`): cgroup v2's memory.events, or v1's
    /// memory.oom_control.
    static func wasOOMKilled(cgroupsPath: String) -> Bool {
        for (file, field) in [("/sys/fs/cgroup" + cgroupsPath + "/memory.events", "oom_kill"),
                              ("/sys/fs/cgroup/memory" + cgroupsPath + "/memory.oom_control", "oom_kill")] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, parts[0] == field, let n = Int(parts[1]) { return n > 0 }
            }
        }
        return false
    }

    /// The status a container ended with, as its shell wrote it.
    static func exitStatus(_ exitFile: String) -> Int32? {
        (try? String(contentsOfFile: exitFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The ids runc knows under this root.
    func list() -> [String] {
        ((try? Command.run(binary, ["--root", root, "list", "-q"])) ?? "").split(separator: "\n").map(String.init)
    }

    func kill(_ id: String, signal: String) {
        _ = try? Command.run(binary, ["--root", root, "kill", id, signal])
    }

    func delete(_ id: String) {
        _ = try? Command.run(binary, ["--root", root, "delete", "--force", id])
    }

    /// Whether the container's process has started and runs, read from runc's state
    /// directory without exec'ing runc: state.json is there, the exec FIFO (present until
    /// the user process starts) is gone, and its init process is alive.
    func isRunning(_ id: String) -> Bool {
        let dir = root + "/" + id
        guard access(dir + "/exec.fifo", F_OK) != 0,
              let data = FileManager.default.contents(atPath: dir + "/state.json"),
              let state = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let pid = state["init_process_pid"] as? Int, pid > 0 else { return false }
        return Glibc.kill(pid_t(pid), 0) == 0
    }

    /// Whether runc has any state for the id (a `delete` is needed before reusing it).
    func exists(_ id: String) -> Bool {
        access(root + "/" + id, F_OK) == 0
    }

    /// "running", "created", "stopped", or nil when runc does not know the id.
    func status(_ id: String) -> String? {
        guard let text = try? Command.run(binary, ["--root", root, "state", id]),
              let state = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return nil }
        return state["status"] as? String
    }
}
