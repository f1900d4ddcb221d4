import Foundation
import KubeAPI

/// Startup, liveness and readiness probes.
extension PodWorker {
    // MARK: - Probes

    /// Runs the probes that are due, with upstream's defaults (period 10 s, timeout 1 s,
    /// failure threshold 3, success threshold 1): startup first; then liveness (restart the
    /// container when it fails) and readiness (the container's, and the Pod's, Ready).
    func probeContainers() async {
        let runner = ProbeRunner(runc: env.runc)
        let now = Date()
        for container in pod.spec?.containers ?? [] {
            let name = container.name ?? ""
            guard var record = containers[name], record.running else { continue }
            if let deadline = record.killDeadline, deadline <= now {
                env.runc.kill(record.id, signal: "SIGKILL")
                record.killDeadline = nil
                containers[name] = record
                continue
            }
            guard record.killDeadline == nil else { continue }
            let started = record.startedAt.flatMap(KubeTime.parse) ?? now
            var kinds: [(String, Probe)] = []
            if !record.startupDone, let probe = container.startupProbe {
                kinds = [("Startup", probe)]
            } else {
                if let probe = container.livenessProbe { kinds.append(("Liveness", probe)) }
                if let probe = container.readinessProbe { kinds.append(("Readiness", probe)) }
            }
            for (kind, probe) in kinds {
                var state = record.probes[kind] ?? ProbeState()
                let period = TimeInterval(max(probe.periodSeconds ?? 10, 1))
                guard now >= started.addingTimeInterval(TimeInterval(probe.initialDelaySeconds ?? 0)),
                      now >= state.lastRun.addingTimeInterval(period) else { continue }
                state.lastRun = now
                let outcome = await runner.run(probe, container: container, containerID: record.id, podIP: podIPs.first)
                // The container may have changed while the probe ran.
                guard var current = containers[name], current.running, current.startedAt == record.startedAt else { break }
                if outcome.success {
                    state.successes += 1
                    state.failures = 0
                } else {
                    state.failures += 1
                    state.successes = 0
                    await event("Warning", "Unhealthy", "\(kind) probe failed: \(outcome.message)")
                }
                let succeeded = state.successes >= Int(max(probe.successThreshold ?? 1, 1))
                let failed = state.failures >= Int(max(probe.failureThreshold ?? 3, 1))
                switch kind {
                case "Startup":
                    if succeeded { current.startupDone = true }
                case "Readiness":
                    if succeeded { current.ready = true } else if failed { current.ready = false }
                default:
                    break
                }
                if failed && kind != "Readiness" {
                    await event("Normal", "Killing", "Container \(name) failed \(kind.lowercased()) probe, will be restarted")
                    env.runc.kill(current.id, signal: "SIGTERM")
                    let grace = TimeInterval(probe.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30)
                    current.killDeadline = now.addingTimeInterval(grace)
                }
                current.probes[kind] = state
                containers[name] = current
                record = current
            }
        }
    }
}
