import Foundation
import KubeAPI

/// Taking over what a previous run of the agent left.
extension PodWorker {
    // MARK: - Agent restarts

    func loadSandbox() -> SavedSandbox? {
        FileManager.default.contents(atPath: env.podDirectory(uid) + "/sandbox.json").flatMap { try? JSONDecoder().decode(SavedSandbox.self, from: $0) }
    }

    func bundle(_ name: String) -> String { env.podDirectory(uid) + "/containers/" + name }

    func save(_ name: String) {
        guard let record = containers[name] else { return }
        let saved = SavedContainer(startedAt: record.startedAt, restartCount: record.restartCount, lastTermination: record.lastTermination)
        try? JSONEncoder().encode(saved).write(to: URL(fileURLWithPath: bundle(name) + "/record.json"))
    }

    /// Takes over a sandbox and containers a previous run of the agent left: running ones
    /// keep running, ended ones are seen as ended with the status their shell wrote.
    func adopt(_ saved: SavedSandbox) {
        podIPs = saved.podIPs
        sandboxReady = true
        for container in (pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? []) {
            let name = container.name ?? ""
            var record = ContainerRecord(id: Self.containerID(uid, name))
            if let data = FileManager.default.contents(atPath: bundle(name) + "/record.json"),
               let stored = try? JSONDecoder().decode(SavedContainer.self, from: data) {
                record.startedAt = stored.startedAt
                record.restartCount = stored.restartCount
                record.lastTermination = stored.lastTermination
                record.imageID = (try? container.image.flatMap(ImageReference.init).flatMap { try env.images.image($0) }?.id) ?? ""
                record.ready = container.readinessProbe == nil
                record.startupDone = container.startupProbe == nil
                if env.runc.status(record.id) == "running" {
                    record.running = true
                    record.adopted = true
                } else if let code = Runc.exitStatus(bundle(name) + "/exit-status") {
                    record.exited = ContainerStateTerminated(exitCode: code, reason: code == 0 ? "Completed" : "Error",
                                                             startedAt: stored.startedAt, finishedAt: KubeTime.format(),
                                                             containerID: "runc://" + record.id)
                    env.runc.delete(record.id)
                }
            }
            containers[name] = record
        }
        env.logger.info("pod \(key): adopted its sandbox and \(containers.values.filter(\.running).count) running container(s)")
    }

    /// Adopted containers have no process of ours to wait for: ask runc.
    func pollAdopted() async {
        for (name, record) in containers where record.adopted && record.running {
            guard env.runc.status(record.id) != "running" else { continue }
            // The shell writes the status just after runc returns.
            var code: Int32?
            for _ in 0..<20 {
                code = Runc.exitStatus(bundle(name) + "/exit-status")
                if code != nil { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
            var updated = record
            updated.adopted = false
            containers[name] = updated
            await exited(name, status: code ?? 255)
        }
    }
}
