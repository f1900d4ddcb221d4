import Foundation

/// The daemons of a `skiff up` cluster: `skiff server` in the server's namespace and
/// `skiff agent` in each node's, each in a session of its own (so that closing the terminal
/// that ran `skiff up` leaves them running), its output appended to its log file and its pid
/// kept in a file. They join only the network namespace, so runc still sees the host's
/// cgroups and mounts.
struct LocalClusterProcesses {
    let layout: LocalClusterLayout
    /// This skiff binary, which the daemons run too.
    let executable: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The pid of the component's process when it runs: the pid file's process, alive and
    /// ours (its command line names the data directory). A command line read as empty is
    /// a process in the middle of exec (nsenter becoming skiff), not another one.
    func running(_ component: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: layout.pidFile(component), encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0, isAlive(pid),
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        return cmdline.isEmpty || String(decoding: cmdline, as: UTF8.self).contains(layout.dataDirectory) ? pid : nil
    }

    func start(_ component: String, namespace: String, arguments: [String]) throws {
        if running(component) != nil { return }
        let fm = FileManager.default
        for dir in [(layout.logFile(component) as NSString).deletingLastPathComponent,
                    (layout.pidFile(component) as NSString).deletingLastPathComponent] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let fd = open(layout.logFile(component), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Failure(description: "cannot open \(layout.logFile(component)): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let pid = try Self.spawnInNewSession(
            "/usr/bin/nsenter", ["--net=" + LocalClusterLayout.namespacePath(namespace), executable] + arguments, output: fd)
        try "\(pid)\n".write(toFile: layout.pidFile(component), atomically: true, encoding: .utf8)
    }

    /// posix_spawn with POSIX_SPAWN_SETSID (a GNU flag the Glibc module leaves out): the
    /// child leads a session of its own from its first instruction, and its pid is the
    /// daemon's for good (nsenter execs what it runs).
    private static func spawnInNewSession(_ path: String, _ arguments: [String], output: Int32) throws -> pid_t {
        let setsid: Int16 = 0x80
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, setsid)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw Failure(description: "cannot start \(path): \(String(cString: strerror(result)))") }
        return pid
    }

    /// SIGTERM, then SIGKILL after `grace`; waits until it is gone.
    func stop(_ component: String, grace: Duration = .seconds(10)) async {
        defer { unlink(layout.pidFile(component)) }
        guard let pid = running(component) else { return }
        kill(pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while kill(pid, 0) == 0, isAlive(pid) {
            if clock.now > deadline { kill(pid, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Not a zombie (a daemon this very process started and has not reaped).
    private func isAlive(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = status.lastIndex(of: ")") else { return false }
        return status[status.index(close, offsetBy: 2)] != "Z"
    }

    func serverArguments() -> [String] {
        ["server", "--data-dir", layout.serverDirectory, "--listen", "\(layout.serverAddress):6443",
         "--advertise-address", "\(layout.serverAddress)"]
    }

    func agentArguments(_ i: Int) -> [String] {
        let dir = layout.nodeDirectory(i)
        return ["agent", "--server", layout.serverURL, "--token-file", layout.serverDirectory + "/node-token",
                "--certificate-authority", layout.serverDirectory + "/tls/ca.crt",
                "--node-name", layout.nodeName(i), "--node-ip", "\(layout.nodeAddress(i))", "--root-dir", dir,
                "--cni-conf-dir", dir + "/cni/net.d", "--cni-bin-dir", dir + "/cni/bin:/usr/lib/cni",
                "--cni-ipam-dir", dir + "/cni/ipam",
                // Checked often, written only on change: the node is Ready soon after its network is.
                "--node-status-update-frequency", "2s"]
    }
}
