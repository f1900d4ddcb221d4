import Foundation
import KubeAPI
import Logging

/// Runs one Pod on this node (the kubelet's pod worker): its sandbox (network namespace,
/// CNI ADD), its containers on runc from images in the node's store, restarts by
/// restartPolicy with CrashLoopBackOff, status written through the status subresource, and
/// on deletion a graceful stop (SIGTERM, the grace period, SIGKILL), CNI DEL, the namespace
/// and every file removed, then the deletion confirmed to the API server.
actor PodWorker {
    let env: PodEnvironment
    var pod: Pod
    let uid: String
    var containers: [String: ContainerRecord] = [:]
    var podIPs: [String] = []
    var sandboxReady = false
    var setupError: String?
    /// Sandbox attempts that failed, and when the next may be made (kubelet retries on
    /// each sync, with back-off).
    var sandboxFailures = 0
    var sandboxRetryAt: Date?
    var lastWritten: PodStatus?
    var startTime: String?
    var finished = false
    var lastLogCheck = Date.distantPast

    struct ContainerRecord {
        var id: String
        var running = false
        var startedAt: String?
        var restartCount: Int32 = 0
        var lastTermination: ContainerStateTerminated?
        var waiting: ContainerStateWaiting?
        var exited: ContainerStateTerminated?
        var backoffUntil: Date?
        var imageID: String = ""
        /// When a container that could not be created is tried again.
        var nextAttempt = Date.distantPast
        /// Probe results of the current run of the container.
        var ready = false
        var startupDone = false
        var probes: [String: ProbeState] = [:]
        /// Set when a failed probe asked it to stop; SIGKILL follows at this time.
        var killDeadline: Date?
        /// Found running after an agent restart: no process of ours waits for it, so its
        /// end is noticed through runc and its shell's exit file.
        var adopted = false
    }

    /// What survives an agent restart about a container (in its bundle directory).
    struct SavedContainer: Codable {
        var startedAt: String?
        var restartCount: Int32
        var lastTermination: ContainerStateTerminated?
    }

    /// What survives about the sandbox.
    struct SavedSandbox: Codable {
        var namespace: String
        var name: String
        var podIPs: [String]
    }

    struct ProbeState {
        var lastRun = Date.distantPast
        var successes = 0
        var failures = 0
    }

    /// Image pull failures by image, and when the next pull may be tried.
    var pullBackoff: [String: (failures: Int, until: Date)] = [:]
    /// Volume host paths by name, once prepared.
    var volumePaths: [String: String]?
    var lastMountError: String?

    init(pod: Pod, env: PodEnvironment) {
        self.pod = pod
        self.env = env
        uid = pod.metadata?.uid ?? UUID().uuidString
    }

    func update(_ pod: Pod) {
        self.pod = pod
    }

    /// Sets the Pod up, keeps it running and reporting, and tears it down once deleted.
    func run() async {
        startTime = KubeTime.format()
        // Deleted before it ever ran here: nothing to set up, only what may be left to remove.
        if pod.metadata?.deletionTimestamp != nil, loadSandbox() == nil, !PodNetworkNamespace(path: env.netnsPath(uid)).exists {
            await tearDown(confirm: true)
            return
        }
        await setUp()
        while !finished {
            if pod.metadata?.deletionTimestamp != nil || Task.isCancelled {
                await tearDown(confirm: !Task.isCancelled)
                return
            }
            if !sandboxReady, let at = sandboxRetryAt, Date() >= at {
                await setUp()
            }
            await pollAdopted()
            await superviseContainers()
            await probeContainers()
            rotateLogs()
            await writeStatus()
            try? await Task.sleep(for: .milliseconds(300))
        }
    }

    // MARK: - Set-up

    func setUp() async {
        let netns = PodNetworkNamespace(path: env.netnsPath(uid))
        if netns.exists, let saved = loadSandbox() {
            adopt(saved)
            return
        }
        let attachment = CNIInvoker.Attachment(containerID: uid, netns: netns.path, args: [
            ("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", pod.metadata?.namespace ?? ""),
            ("K8S_POD_NAME", pod.metadata?.name ?? ""), ("K8S_POD_INFRA_CONTAINER_ID", uid), ("K8S_POD_UID", uid)])
        let cni = env.cni
        do {
            try await blocking { try netns.create() }
            let network = try await blocking { try cni.add(attachment) }
            podIPs = network.addresses
            let dir = env.podDirectory(uid)
            try FileManager.default.createDirectory(atPath: dir + "/etc", withIntermediateDirectories: true)
            try env.resolvConf(for: pod, gateway: network.gateway).write(toFile: dir + "/etc/resolv.conf", atomically: true, encoding: .utf8)
            try env.hostsFile(for: pod, ip: podIPs.first).write(toFile: dir + "/etc/hosts", atomically: true, encoding: .utf8)
            try ((pod.spec?.hostname ?? pod.metadata?.name ?? "") + "\n").write(toFile: dir + "/etc/hostname", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: env.logDirectory(pod), withIntermediateDirectories: true)
            let saved = SavedSandbox(namespace: pod.metadata?.namespace ?? "", name: pod.metadata?.name ?? "", podIPs: podIPs)
            try JSONEncoder().encode(saved).write(to: URL(fileURLWithPath: dir + "/sandbox.json"))
            sandboxReady = true
        } catch {
            setupError = "\(error)"
            sandboxFailures += 1
            let delay = min(pow(2, Double(sandboxFailures - 1)), 30)
            sandboxRetryAt = Date().addingTimeInterval(delay)
            env.logger.warning("pod \(key): sandbox failed (retrying in \(Int(delay))s): \(error)")
            await event("Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: \(error)")
            // What a failed attempt made is undone before the next (the runtime's DEL).
            try? await blocking { try cni.delete(attachment) }
            netns.remove()
            return
        }
        setupError = nil
        sandboxRetryAt = nil
        for container in (pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? []) {
            containers[container.name ?? ""] = ContainerRecord(id: Self.containerID(uid, container.name ?? ""))
        }
        await startPending()
    }

    /// Prepares the volumes if they are not yet, then starts every container that has not
    /// started and whose retry time has come (a missing image or ConfigMap may appear).
    func startPending() async {
        guard sandboxReady, pod.metadata?.deletionTimestamp == nil else { return }
        if volumePaths == nil {
            do {
                volumePaths = try await PodVolumes(client: env.client, pod: pod, directory: env.podDirectory(uid) + "/volumes").prepare()
            } catch {
                if lastMountError != "\(error)" {
                    lastMountError = "\(error)"
                    await event("Warning", "FailedMount", "\(error)")
                }
                return
            }
        }
        let now = Date()
        for (name, record) in containers where record.waiting?.reason == "ErrImagePull" && record.nextAttempt > now {
            var waiting = record
            let image = ((pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? [])).first { $0.name == name }?.image ?? ""
            waiting.waiting = ContainerStateWaiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"\(image)\"")
            containers[name] = waiting
        }
        // Init containers one at a time, in order, each to success; then the app containers.
        let candidates: [Container]
        if let next = nextInitContainer {
            candidates = [next]
        } else {
            candidates = initFailed ? [] : pod.spec?.containers ?? []
        }
        for container in candidates {
            guard let record = containers[container.name ?? ""], !record.running, record.exited == nil,
                  record.startedAt == nil, record.nextAttempt <= now else { continue }
            await start(container)
        }
    }

    /// The first init container that has not yet succeeded; nil once all have.
    var nextInitContainer: Container? {
        (pod.spec?.initContainers ?? []).first { containers[$0.name ?? ""]?.exited?.exitCode != 0 || containers[$0.name ?? ""]?.exited == nil }
    }

    /// An init container failed and the restart policy says not to try again.
    var initFailed: Bool {
        (pod.spec?.restartPolicy ?? "Always") == "Never"
            && (pod.spec?.initContainers ?? []).contains { (containers[$0.name ?? ""]?.exited?.exitCode ?? 0) != 0 }
    }

    static func containerID(_ uid: String, _ name: String) -> String { "\(uid)_\(name)" }

    static func cgroupsPath(_ uid: String, _ name: String) -> String { "/skiff-\(uid)-\(name)" }

    var key: String { (pod.metadata?.namespace ?? "") + "/" + (pod.metadata?.name ?? "") }

    func start(_ container: Container) async {
        let name = container.name ?? ""
        guard var record = containers[name] else { return }
        do {
            guard let imageName = container.image, let reference = ImageReference(imageName) else {
                throw PodError.image("InvalidImageName")
            }
            guard let image = try await ensureImage(imageName, reference, container: container, record: &record) else {
                containers[name] = record
                return
            }
            let containerEnv: [(String, String)]
            let mounts: [(destination: String, source: String, readOnly: Bool)]
            do {
                containerEnv = try await ContainerEnvironment(client: env.client, pod: podWithAddresses).resolve(container)
                mounts = try PodVolumes(client: env.client, pod: pod, directory: env.podDirectory(uid) + "/volumes")
                    .mounts(for: container, volumes: volumePaths ?? [:])
            } catch {
                record.waiting = ContainerStateWaiting(reason: "CreateContainerConfigError", message: "\(error)")
                record.nextAttempt = Date().addingTimeInterval(5)
                containers[name] = record
                await event("Warning", "Failed", "Error: \(error)")
                return
            }
            let bundle = env.podDirectory(uid) + "/containers/" + name
            try await prepareBundle(bundle, container: container, image: image, env: containerEnv, mounts: mounts)
            let (runc, id) = (env.runc, record.id)
            if runc.exists(id) { try await blocking { runc.delete(id) } }
            let log = env.logDirectory(pod) + "/\(name)/\(record.restartCount).log"
            try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            record.running = true
            record.startedAt = KubeTime.format()
            record.waiting = nil
            record.exited = nil
            record.imageID = image.id
            record.ready = container.readinessProbe == nil
            record.startupDone = container.startupProbe == nil
            record.probes = [:]
            record.killDeadline = nil
            containers[name] = record
            _ = try env.runc.run(id: record.id, bundle: bundle, log: log, exitFile: bundle + "/exit-status") { [weak self] status in
                Task { await self?.exited(name, status: status) }
            }
            save(name)
            // Running once runc says so; a container that fails to start exits first.
            let started = await waitUntilStarted(record.id, name: name)
            if started {
                await event("Normal", "Started", "Started container \(name)")
                // A failed postStart hook kills the container, which then restarts by policy.
                if let hook = container.lifecycle?.postStart,
                   await !runHook(hook, "PostStart", container: container, id: record.id, timeout: 30) {
                    env.runc.kill(record.id, signal: "SIGKILL")
                }
            } else if var failed = containers[name], let exited = failed.exited, exited.exitCode != 0,
                      let message = Self.runcFailure(log) {
                // runc itself failed (its own error in the log), not the container's process.
                failed.exited = ContainerStateTerminated(exitCode: 128, reason: "StartError", message: message,
                                                         startedAt: exited.startedAt, finishedAt: exited.finishedAt,
                                                         containerID: exited.containerID)
                containers[name] = failed
                await event("Warning", "Failed", "Error: \(message)")
            }
        } catch {
            record.waiting = ContainerStateWaiting(reason: "CreateContainerError", message: "\(error)")
            record.nextAttempt = Date().addingTimeInterval(5)
            containers[name] = record
            await event("Warning", "Failed", "Error: \(error)")
        }
    }

    /// The container's root filesystem: an overlay of the image's with a writable layer of
    /// its own (kept across restarts, as a container's is), and its config.json.
    /// The image for `container`, pulled as its imagePullPolicy says (upstream's default:
    /// Always for `latest` or no tag, else IfNotPresent). On failure the container waits with
    /// ErrImagePull, then ImagePullBackOff (10 s doubling to 5 min per image).
    func ensureImage(_ name: String, _ reference: ImageReference, container: Container,
                             record: inout ContainerRecord) async throws -> ImageStore.Image? {
        let local = try env.images.image(reference)
        let policy = container.imagePullPolicy ?? (reference.digest == nil && reference.tag == "latest" ? "Always" : "IfNotPresent")
        if policy == "Never" {
            if local == nil {
                record.waiting = ContainerStateWaiting(reason: "ErrImageNeverPull",
                                                       message: "Container image \"\(name)\" is not present with pull policy of Never")
                record.nextAttempt = Date().addingTimeInterval(5)
                await event("Warning", "ErrImageNeverPull", record.waiting!.message!)
            }
            return local
        }
        if policy == "IfNotPresent", let local { return local }
        let now = Date()
        if let until = pullBackoff[name]?.until, until > now {
            record.waiting = ContainerStateWaiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"\(name)\"")
            record.nextAttempt = until
            return nil
        }
        await event("Normal", "Pulling", "Pulling image \"\(name)\"")
        do {
            let pulled = try await env.puller.pull(reference)
            pullBackoff[name] = nil
            await event("Normal", "Pulled", String(format: "Successfully pulled image \"%@\" in %.3fs", name, Date().timeIntervalSince(now)))
            return pulled
        } catch {
            let failures = (pullBackoff[name]?.failures ?? 0) + 1
            let delay = min(10 * pow(2, Double(failures - 1)), 300)
            pullBackoff[name] = (failures, now.addingTimeInterval(delay))
            let message = "failed to pull image \"\(name)\": \(error)"
            record.waiting = ContainerStateWaiting(reason: "ErrImagePull", message: message)
            record.nextAttempt = now.addingTimeInterval(delay)
            await event("Warning", "Failed", "Failed to pull image \"\(name)\": \(error)")
            return nil
        }
    }

    /// The Pod as the downward API sees it: with the addresses this worker gave it.
    var podWithAddresses: Pod {
        var copy = pod
        if copy.status == nil { copy.status = PodStatus() }
        copy.status?.podIP = podIPs.first
        copy.status?.podIPs = podIPs.map { PodIP(ip: $0) }
        copy.status?.hostIP = env.nodeIP
        copy.status?.hostIPs = env.nodeIP.map { [HostIP(ip: $0)] }
        return copy
    }

    func prepareBundle(_ bundle: String, container: Container, image: ImageStore.Image,
                               env containerEnv: [(String, String)], mounts: [(destination: String, source: String, readOnly: Bool)]) async throws {
        let fm = FileManager.default
        for dir in ["rootfs", "upper", "work"] { try fm.createDirectory(atPath: bundle + "/" + dir, withIntermediateDirectories: true) }
        if !Self.isMountPoint(bundle + "/rootfs") {
            let images = env.images
            let lower = try await blocking { try images.rootfs(of: image) }
            let options = "lowerdir=\(lower),upperdir=\(bundle)/upper,workdir=\(bundle)/work"
            guard mount("overlay", bundle + "/rootfs", "overlay", 0, options) == 0 else {
                throw PodError.runtime("mounting the container's rootfs: \(String(cString: strerror(errno)))")
            }
        }
        let etc = env.podDirectory(uid) + "/etc"
        let spec = ContainerSpec(container: container, image: image.config, podName: pod.spec?.hostname ?? pod.metadata?.name ?? "",
                                 netnsPath: env.netnsPath(uid), cgroupsPath: Self.cgroupsPath(uid, container.name ?? ""),
                                 etcFiles: ["/etc/resolv.conf": etc + "/resolv.conf", "/etc/hosts": etc + "/hosts",
                                            "/etc/hostname": etc + "/hostname"],
                                 containerEnv: containerEnv, volumeMounts: mounts)
        let data = try JSONSerialization.data(withJSONObject: spec.json(), options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: bundle + "/config.json"))
    }

    /// runc's own error from the container's log, if it failed to start the process.
    static func runcFailure(_ log: String) -> String? {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8),
              let line = text.split(separator: "\n").last(where: { $0.contains("level=error") && $0.contains("runc run failed") }),
              let start = line.range(of: "msg=\"") else { return nil }
        return String(line[start.upperBound...].dropLast(line.hasSuffix("\"") ? 1 : 0))
    }

    /// Waits (up to 10 s) until runc reports the container running; false if it exited.
    func waitUntilStarted(_ id: String, name: String) async -> Bool {
        for _ in 0..<500 {
            if containers[name]?.running != true { return false }
            if env.runc.isRunning(id) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return containers[name]?.running == true
    }

    static func isMountPoint(_ path: String) -> Bool {
        var st = stat(), parent = stat()
        return stat(path, &st) == 0 && stat(path + "/..", &parent) == 0 && st.st_dev != parent.st_dev
    }

    // MARK: - Running

    func exited(_ name: String, status: Int32) async {
        guard var record = containers[name], record.running else { return }
        record.running = false
        let code = status
        let oom = code != 0 && Runc.wasOOMKilled(cgroupsPath: Self.cgroupsPath(uid, name))
        let terminated = ContainerStateTerminated(exitCode: code, reason: code == 0 ? "Completed" : (oom ? "OOMKilled" : "Error"),
                                                  startedAt: record.startedAt, finishedAt: KubeTime.format(),
                                                  containerID: "runc://" + record.id)
        record.exited = terminated
        env.runc.delete(record.id)
        containers[name] = record
        save(name)
    }

    /// Restarts exited containers as the restart policy says, after CrashLoopBackOff's delay
    /// (10 s doubling to 5 min; reset after 10 minutes of running).
    func superviseContainers() async {
        guard sandboxReady, pod.metadata?.deletionTimestamp == nil else { return }
        await startPending()
        let policy = pod.spec?.restartPolicy ?? "Always"
        let initNames = Set((pod.spec?.initContainers ?? []).compactMap(\.name))
        for container in (pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? []) {
            let name = container.name ?? ""
            guard var record = containers[name], let exited = record.exited else { continue }
            // A failed init container is retried unless the policy is Never; app containers
            // follow the policy.
            let restart = initNames.contains(name) ? (policy != "Never" && exited.exitCode != 0)
                : policy == "Always" || (policy == "OnFailure" && exited.exitCode != 0)
            guard restart else { continue }
            let now = Date()
            if record.backoffUntil == nil {
                let ranFor = exited.startedAt.flatMap(KubeTime.parse).map { now.timeIntervalSince($0) } ?? 0
                if ranFor > 600 { record.restartCount = 0 }
                let delay = min(10 * pow(2, Double(record.restartCount)), 300)
                record.backoffUntil = record.restartCount == 0 && ranFor > 0 ? now : now.addingTimeInterval(delay)
                if record.restartCount > 0 {
                    record.waiting = ContainerStateWaiting(
                        reason: "CrashLoopBackOff",
                        message: "back-off \(Int(delay))s restarting failed container=\(name) pod=\(pod.metadata?.name ?? "")_\(pod.metadata?.namespace ?? "")(\(uid))")
                }
                containers[name] = record
            }
            guard let until = record.backoffUntil, until <= now else { continue }
            record.lastTermination = exited
            record.restartCount += 1
            record.backoffUntil = nil
            containers[name] = record
            save(name)
            await start(container)
        }
    }

    func event(_ type: String, _ reason: String, _ message: String) async {
        await env.recordEvent(for: pod, type, reason, message)
    }
}
