import Foundation
import KubeAPI

/// One pass of the Deployment controller over one Deployment (upstream's `syncDeployment`
/// from the claim onwards): find or create the ReplicaSet of the current template, take one
/// step of the rollout or scale, write status. Each step writes with the cached objects'
/// resourceVersions, so a decision made on a stale cache fails with a conflict and is retried
/// from fresh state instead of overshooting a bound.
struct DeploymentSync {
    let client: KubeClient
    let events: EventRecorder
    var deployment: Deployment
    /// The ReplicaSets this Deployment owns.
    var sets: [ReplicaSet]
    /// Pods of those ReplicaSets by the ReplicaSet's uid (Recreate waits for them to go).
    var podsByReplicaSet: [String: [Pod]] = [:]
    let now: Date

    private var namespace: String? { deployment.metadata?.namespace }
    private var desired: Int32 { deployment.spec?.replicas ?? 1 }

    // MARK: - Strategies

    /// Paused, or the replica count changed: resize only, no rollout.
    mutating func scaleOnly() async throws {
        let (new, found) = try await currentAndOldSets(createIfMissing: false)
        try await scale(new: new, old: found)
        // The scale replaced some of them in `sets`; take the written versions.
        var old = found.map(latest)
        if deployment.spec?.paused == true { try await cleanUpHistory(&old) }
        try await writeStatus(all: old + [new].compactMap { $0 }.map(latest), new: new.map(latest), progress: false)
    }

    /// A replica count that differs from what the active ReplicaSets were last scaled for.
    mutating func isScalingEvent() async throws -> Bool {
        let (new, old) = try await currentAndOldSets(createIfMissing: false)
        return (old + [new].compactMap { $0 }).contains { rs in
            rs.specReplicas > 0 && DeploymentAnnotations.desiredReplicas(of: rs).map { $0 != desired } ?? false
        }
    }

    /// One step of a rolling update: grow the new ReplicaSet into the surge room, or shrink
    /// old ones within the availability floor; clean up history once complete.
    mutating func rollOut() async throws {
        guard case let (new?, old) = try await currentAndOldSets(createIfMissing: true) else { return }
        var newRS = new
        var oldRSs = old
        if newRS.specReplicas != desired {
            let size = newRS.specReplicas > desired ? desired
                : ReplicaSetSizing.newReplicaSetSize(deployment, all: oldRSs + [newRS], new: newRS)
            if size != newRS.specReplicas {
                newRS = try await scale(newRS, to: size)
                return try await writeStatus(all: oldRSs + [newRS], new: newRS, progress: true)
            }
        }
        let shrink = ReplicaSetSizing.oldReplicaSetSizes(deployment, old: oldRSs, new: newRS)
        if !shrink.isEmpty {
            for (rs, size) in shrink {
                let scaled = try await scale(rs, to: size)
                oldRSs = oldRSs.map { $0.name == scaled.name ? scaled : $0 }
            }
            return try await writeStatus(all: oldRSs + [newRS], new: newRS, progress: true)
        }
        if DeploymentProgress.isComplete(deployment, deployment.status ?? DeploymentStatus()) {
            try await cleanUpHistory(&oldRSs)
        }
        try await writeStatus(all: oldRSs + [newRS], new: newRS, progress: true)
    }

    /// One step of Recreate: old ReplicaSets to zero, wait until their Pods are gone, then
    /// the new ReplicaSet at full size.
    mutating func recreate() async throws {
        var (new, old) = try await currentAndOldSets(createIfMissing: false)
        var scaledDown = false
        for rs in old where rs.specReplicas > 0 {
            let scaled = try await scale(rs, to: 0)
            old = old.map { $0.name == scaled.name ? scaled : $0 }
            scaledDown = true
        }
        if scaledDown || oldPodsRunning(new: new, old: old) {
            return try await writeStatus(all: old + [new].compactMap { $0 }, new: new, progress: true)
        }
        if new == nil { (new, old) = try await currentAndOldSets(createIfMissing: true) }
        if var newRS = new {
            if newRS.specReplicas != desired { newRS = try await scale(newRS, to: desired) }
            new = newRS
        }
        if DeploymentProgress.isComplete(deployment, deployment.status ?? DeploymentStatus()) {
            try await cleanUpHistory(&old)
        }
        try await writeStatus(all: old + [new].compactMap { $0 }, new: new, progress: true)
    }

    /// A Deployment being deleted only reports; its ReplicaSets go with the garbage collector.
    mutating func statusOnly() async throws {
        let (new, old) = try await currentAndOldSets(createIfMissing: false)
        try await writeStatus(all: old + [new].compactMap { $0 }, new: new, progress: false)
    }

    /// Pause and resume show in the Progressing condition (Unknown), as upstream.
    mutating func notePausedOrResumed() async throws {
        guard deployment.spec?.progressDeadlineSeconds != nil else { return }
        var status = deployment.status ?? DeploymentStatus()
        let current = DeploymentProgress.condition(in: status, DeploymentProgress.progressing)
        guard current?.reason != DeploymentProgress.Reason.progressDeadlineExceeded else { return }
        let stamp = ObjectMetaRules.timestamp(now)
        let paused = deployment.spec?.paused == true
        let notedPaused = current?.reason == DeploymentProgress.Reason.paused
        if paused && !notedPaused {
            DeploymentProgress.set(&status, DeploymentProgress.condition(DeploymentProgress.progressing, "Unknown",
                                                                         DeploymentProgress.Reason.paused, "Deployment is paused", stamp))
        } else if !paused && notedPaused {
            DeploymentProgress.set(&status, DeploymentProgress.condition(DeploymentProgress.progressing, "Unknown",
                                                                         DeploymentProgress.Reason.resumed, "Deployment is resumed", stamp))
        } else {
            return
        }
        try await putStatus(status)
    }

    // MARK: - ReplicaSets

    /// Splits the owned ReplicaSets into the one whose template is the Deployment's (the
    /// oldest such, as upstream) and the rest, bringing revisions up to date; with
    /// `createIfMissing`, makes the new one (`<deployment>-<pod-template-hash>`).
    private mutating func currentAndOldSets(createIfMissing: Bool) async throws -> (ReplicaSet?, [ReplicaSet]) {
        let ordered = sets.sorted(by: ReplicaSetOrder.byCreation)
        let current = ordered.first { PodTemplateHash.equalIgnoringHash($0.spec?.template, deployment.spec?.template) }
        let old = ordered.filter { $0.name != current?.name }
        let newRevision = (old.map(DeploymentAnnotations.revision(of:)).max() ?? 0) + 1

        if var rs = current {
            let annotated = DeploymentAnnotations.updateNewReplicaSet(&rs, for: deployment, newRevision: newRevision, exists: true)
            if annotated || rs.spec?.minReadySeconds != deployment.spec?.minReadySeconds {
                rs.spec?.minReadySeconds = deployment.spec?.minReadySeconds
                rs = try await client.update(rs)
                replace(rs)
            }
            try await recordRevision(of: rs, reason: DeploymentProgress.Reason.foundNewReplicaSet,
                                     message: "Found new replica set \"\(rs.name)\"")
            return (rs, old)
        }
        guard createIfMissing else { return (nil, old) }
        let rs = try await createReplicaSet(old: old, revision: newRevision)
        sets.append(rs)
        try await recordRevision(of: rs, reason: DeploymentProgress.Reason.newReplicaSetCreated,
                                 message: "Created new replica set \"\(rs.name)\"")
        return (rs, old)
    }

    private mutating func createReplicaSet(old: [ReplicaSet], revision: Int64) async throws -> ReplicaSet {
        let hash = PodTemplateHash.compute(deployment.spec?.template, collisionCount: deployment.status?.collisionCount)
        var template = deployment.spec?.template ?? PodTemplateSpec()
        if template.metadata == nil { template.metadata = ObjectMeta() }
        let labels = (template.metadata?.labels ?? [:]).merging([PodTemplateHash.label: hash]) { $1 }
        template.metadata?.labels = labels
        var selector = deployment.spec?.selector ?? LabelSelector()
        selector.matchLabels = (selector.matchLabels ?? [:]).merging([PodTemplateHash.label: hash]) { $1 }
        let name = (deployment.metadata?.name ?? "") + "-" + hash
        var rs = ReplicaSet(
            metadata: ObjectMeta(name: name, namespace: namespace, labels: template.metadata?.labels),
            spec: ReplicaSetSpec(replicas: 0, minReadySeconds: deployment.spec?.minReadySeconds, selector: selector, template: template))
        rs.metadata?.ownerReferences = [DeploymentController.controllerRef(deployment)]
        let size = ReplicaSetSizing.newReplicaSetSize(deployment, all: old + [rs], new: rs)
        rs.spec?.replicas = size
        _ = DeploymentAnnotations.updateNewReplicaSet(&rs, for: deployment, newRevision: revision, exists: false)
        do {
            let created = try await client.create(rs, namespace: namespace)
            if created.specReplicas > 0 {
                await event("Normal", "ScalingReplicaSet", "Scaled up replica set \(created.name) to \(created.specReplicas)")
            }
            return created
        } catch let error as KubeAPIError where error.code == 409 {
            // The name is taken. Ours, from an earlier pass whose write the cache has not
            // shown yet: use it. Another template's (a hash collision): bump collisionCount
            // so the next pass hashes to a new name.
            let existing = try await client.get(ReplicaSet.self, name: name, namespace: namespace)
            if existing.metadata?.ownerReferences?.contains(where: { $0.controller == true && $0.uid == deployment.metadata?.uid }) == true,
               PodTemplateHash.equalIgnoringHash(existing.spec?.template, deployment.spec?.template) {
                return existing
            }
            var status = deployment.status ?? DeploymentStatus()
            status.collisionCount = (status.collisionCount ?? 0) + 1
            try await putStatus(status)
            throw error
        } catch {
            if deployment.spec?.progressDeadlineSeconds != nil {
                var status = deployment.status ?? DeploymentStatus()
                DeploymentProgress.set(&status, DeploymentProgress.condition(
                    DeploymentProgress.progressing, "False", DeploymentProgress.Reason.failedReplicaSetCreate,
                    "Failed to create new replica set \"\(name)\": \(error)", ObjectMetaRules.timestamp(now)))
                try? await putStatus(status)
            }
            await event("Warning", "FailedCreate", "Failed to create new replica set \"\(name)\": \(error)")
            throw error
        }
    }

    /// Copies the new ReplicaSet's revision to the Deployment, and starts the Progressing
    /// condition if there is none.
    private mutating func recordRevision(of rs: ReplicaSet, reason: String, message: String) async throws {
        let revision = rs.metadata?.annotations?[DeploymentAnnotations.revision]
        if let revision, deployment.metadata?.annotations?[DeploymentAnnotations.revision] != revision {
            deployment = try await client.patch(
                Deployment.self, name: deployment.metadata?.name ?? "", namespace: namespace,
                patch: ["metadata": ["annotations": [DeploymentAnnotations.revision: .string(revision)],
                                     "resourceVersion": .string(deployment.metadata?.resourceVersion ?? "")]])
        }
        if deployment.spec?.progressDeadlineSeconds != nil,
           DeploymentProgress.condition(in: deployment.status ?? DeploymentStatus(), DeploymentProgress.progressing) == nil {
            var status = deployment.status ?? DeploymentStatus()
            DeploymentProgress.set(&status, DeploymentProgress.condition(DeploymentProgress.progressing, "True", reason, message,
                                                                         ObjectMetaRules.timestamp(now)))
            try await putStatus(status)
        }
    }

    /// Sets a ReplicaSet's size and the replica annotations that record why; an event says so.
    @discardableResult
    private mutating func scale(_ rs: ReplicaSet, to size: Int32) async throws -> ReplicaSet {
        var copy = rs
        let resized = rs.specReplicas != size
        let annotated = DeploymentAnnotations.setReplicas(&copy, for: deployment)
        guard resized || annotated else { return rs }
        copy.spec?.replicas = size
        let updated = try await client.update(copy)
        replace(updated)
        if resized {
            let direction = size > rs.specReplicas ? "up" : "down"
            await event("Normal", "ScalingReplicaSet", "Scaled \(direction) replica set \(rs.name) to \(size) from \(rs.specReplicas)")
        }
        return updated
    }

    private mutating func scale(new: ReplicaSet?, old: [ReplicaSet]) async throws {
        for (rs, size) in ReplicaSetSizing.scaledSizes(deployment, new: new, old: old) {
            try await scale(rs, to: size)
        }
    }

    /// Deletes old ReplicaSets beyond `revisionHistoryLimit`, oldest revision first.
    private mutating func cleanUpHistory(_ old: inout [ReplicaSet]) async throws {
        for rs in ReplicaSetSizing.surplusHistory(deployment, old: old) {
            do {
                try await client.delete(ReplicaSet.self, name: rs.name, namespace: namespace)
            } catch let error as KubeAPIError where error.code == 404 {}
            old.removeAll { $0.name == rs.name }
            sets.removeAll { $0.name == rs.name }
        }
    }

    private func oldPodsRunning(new: ReplicaSet?, old: [ReplicaSet]) -> Bool {
        if old.contains(where: { ($0.status?.replicas ?? 0) > 0 }) { return true }
        let newUID = new?.metadata?.uid
        return podsByReplicaSet.contains { uid, pods in
            uid != newUID && pods.contains { $0.status?.phase != "Succeeded" && $0.status?.phase != "Failed" }
        }
    }

    private func latest(_ rs: ReplicaSet) -> ReplicaSet {
        sets.first { $0.name == rs.name } ?? rs
    }

    private mutating func replace(_ rs: ReplicaSet) {
        if let i = sets.firstIndex(where: { $0.name == rs.name }) { sets[i] = rs } else { sets.append(rs) }
    }

    // MARK: - Status

    private mutating func writeStatus(all: [ReplicaSet], new: ReplicaSet?, progress: Bool) async throws {
        var status = DeploymentProgress.status(of: deployment, all: all, new: new, now: ObjectMetaRules.timestamp(now))
        if progress { DeploymentProgress.updateProgressing(&status, deployment, new: new, now: now) }
        guard status != deployment.status else { return }
        try await putStatus(status)
    }

    private mutating func putStatus(_ status: DeploymentStatus) async throws {
        var copy = deployment
        copy.status = status
        deployment = try await client.updateStatus(copy)
    }

    private func event(_ type: String, _ reason: String, _ message: String) async {
        await events.record(ObjectReference(to: deployment), type: type, reason: reason, message: message)
    }
}
