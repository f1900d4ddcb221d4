import Foundation
import KubeAPI

/// Lifecycle hooks and the Pod's graceful removal.
extension PodWorker {
    // MARK: - Hooks

    /// Runs a postStart or preStop handler (exec, httpGet, tcpSocket or sleep); a failure is
    /// reported as upstream words it and returned.
    @discardableResult
    func runHook(_ hook: LifecycleHandler, _ kind: String, container: Container, id: String, timeout: TimeInterval) async -> Bool {
        if let sleep = hook.sleep {
            try? await Task.sleep(for: .seconds(min(Double(sleep.seconds ?? 0), timeout)))
            return true
        }
        let probe = Probe(exec: hook.exec, httpGet: hook.httpGet, tcpSocket: hook.tcpSocket, timeoutSeconds: Int32(max(1, min(timeout, 3600))))
        let outcome = await ProbeRunner(runc: env.runc).run(probe, container: container, containerID: id, podIP: podIPs.first)
        if !outcome.success {
            await event("Warning", "Failed\(kind)Hook", "\(kind) hook failed: \(outcome.message)")
        }
        return outcome.success
    }

    // MARK: - Tear-down

    /// Stops the containers gracefully, releases the network and files, and (for a Pod
    /// deleted through the API) confirms the deletion.
    func tearDown(confirm: Bool) async {
        let grace = Double(pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30)
        let deadline = Date().addingTimeInterval(grace)
        let running = containers.filter { $0.value.running }
        // preStop hooks first, all at once, within the grace period; then SIGTERM.
        if grace > 0 {
            await withTaskGroup(of: Void.self) { group in
                for container in pod.spec?.containers ?? [] {
                    guard let hook = container.lifecycle?.preStop, let record = running[container.name ?? ""] else { continue }
                    group.addTask { [self] in await self.runHook(hook, "PreStop", container: container, id: record.id, timeout: grace) }
                }
            }
        }
        for (name, record) in running {
            await event("Normal", "Killing", "Stopping container \(name)")
            env.runc.kill(record.id, signal: "SIGTERM")
        }
        while containers.values.contains(where: \.running), Date() < deadline {
            await pollAdopted()
            try? await Task.sleep(for: .milliseconds(100))
        }
        for (_, record) in containers where record.running { env.runc.kill(record.id, signal: "SIGKILL") }
        let killedBy = Date().addingTimeInterval(10)
        while containers.values.contains(where: \.running), Date() < killedBy {
            await pollAdopted()
            try? await Task.sleep(for: .milliseconds(100))
        }
        // Containers of this Pod runc still knows, the Pod's spec aside (a Pod deleted while
        // the agent was down is known only by its directory).
        for id in env.runc.list() where id.hasPrefix(uid + "_") {
            env.runc.kill(id, signal: "SIGKILL")
            env.runc.delete(id)
        }
        for (_, record) in containers { env.runc.delete(record.id) }
        let containersDir = env.podDirectory(uid) + "/containers"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: containersDir)) ?? [] {
            let rootfs = containersDir + "/\(name)/rootfs"
            if Self.isMountPoint(rootfs) { _ = umount2(rootfs, Int32(MNT_DETACH)) }
        }
        let netns = PodNetworkNamespace(path: env.netnsPath(uid))
        do {
            try env.cni.delete(CNIInvoker.Attachment(containerID: uid, netns: netns.path))
        } catch {
            env.logger.warning("pod \(key): CNI DEL failed: \(error)")
        }
        netns.remove()
        try? FileManager.default.removeItem(atPath: env.podDirectory(uid))
        try? FileManager.default.removeItem(atPath: env.logDirectory(pod))
        finished = true
        guard confirm else { return }
        do {
            try await env.client.delete(Pod.self, name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace,
                                        options: DeletionOptions(gracePeriodSeconds: 0, preconditionUID: uid))
        } catch {
            env.logger.debug("pod \(key): confirming deletion: \(error)")
        }
        env.logger.info("pod \(key) stopped and removed")
    }
}
