import Foundation
import KubeAPI

/// The Pod's status as upstream reports it.
extension PodWorker {
    // MARK: - Status

    func containerStatus(_ container: Container) -> ContainerStatus {
        let name = container.name ?? ""
        let record = containers[name]
        var status = ContainerStatus(name: name)
        status.image = container.image
        status.imageID = record?.imageID
        status.restartCount = record?.restartCount ?? 0
        status.containerID = record.map { "runc://" + $0.id }
        if let record, record.running {
            status.state = ContainerState(running: ContainerStateRunning(startedAt: record.startedAt))
        } else if let waiting = record?.waiting, record?.exited == nil || record?.backoffUntil != nil {
            status.state = ContainerState(waiting: waiting)
        } else if let exited = record?.exited {
            status.state = ContainerState(terminated: exited)
        } else {
            let reason = nextInitContainer == nil || nextInitContainer?.name == name ? "ContainerCreating" : "PodInitializing"
            status.state = ContainerState(waiting: ContainerStateWaiting(reason: reason, message: setupError))
        }
        if let last = record?.lastTermination { status.lastState = ContainerState(terminated: last) }
        let running = record?.running ?? false
        status.ready = running && (record?.ready ?? false) && (record?.startupDone ?? false)
        status.started = running && (record?.startupDone ?? false)
        return status
    }

    func status() -> PodStatus {
        let policy = pod.spec?.restartPolicy ?? "Always"
        let initStatuses = (pod.spec?.initContainers ?? []).map(containerStatus)
        let statuses = (pod.spec?.containers ?? []).map(containerStatus)
        let initialized = nextInitContainer == nil
        let allRunning = !statuses.isEmpty && statuses.allSatisfy { $0.state?.running != nil && $0.ready == true }
        let terminated = statuses.compactMap { $0.state?.terminated }
        let phase: String
        if initFailed {
            phase = "Failed"
        } else if !initialized {
            phase = "Pending"
        } else if !statuses.isEmpty, terminated.count == statuses.count, policy != "Always",
           policy == "Never" || terminated.allSatisfy({ $0.exitCode == 0 }) {
            phase = terminated.allSatisfy { $0.exitCode == 0 } ? "Succeeded" : "Failed"
        } else if statuses.contains(where: { $0.state?.running != nil || $0.restartCount ?? 0 > 0 }) {
            phase = "Running"
        } else {
            phase = "Pending"
        }
        let previous = pod.status?.conditions ?? []
        func condition(_ type: String, _ ok: Bool, reason: String? = nil) -> PodCondition {
            let status = ok ? "True" : "False"
            let old = previous.first { $0.type == type }
            return PodCondition(type: type, status: status,
                                lastTransitionTime: old?.status == status ? (old?.lastTransitionTime ?? KubeTime.format()) : KubeTime.format(),
                                reason: ok ? nil : reason)
        }
        var status = pod.status ?? PodStatus()
        status.phase = phase
        status.hostIP = env.nodeIP
        status.hostIPs = env.nodeIP.map { [HostIP(ip: $0)] }
        status.podIP = podIPs.first
        status.podIPs = podIPs.isEmpty ? nil : podIPs.map { PodIP(ip: $0) }
        status.startTime = pod.status?.startTime ?? startTime
        status.containerStatuses = statuses
        status.initContainerStatuses = initStatuses.isEmpty ? nil : initStatuses
        let done = phase == "Succeeded" || phase == "Failed"
        status.conditions = [
            condition("PodReadyToStartContainers", sandboxReady),
            condition("Initialized", initialized, reason: "ContainersNotInitialized"),
            condition("Ready", allRunning, reason: done ? "PodCompleted" : "ContainersNotReady"),
            condition("ContainersReady", allRunning, reason: done ? "PodCompleted" : "ContainersNotReady"),
            condition("PodScheduled", true),
        ]
        return status
    }

    func writeStatus() async {
        let status = status()
        guard status != lastWritten else { return }
        do {
            _ = try await env.client.patch(Pod.self, name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace,
                                           patch: ["status": try JSONValue(encoding: status)], subresource: "status")
            lastWritten = status
        } catch let error as KubeAPIError where error.code == 404 {
            finished = true
        } catch {
            env.logger.debug("pod \(key): status write failed: \(error)")
        }
    }
}
