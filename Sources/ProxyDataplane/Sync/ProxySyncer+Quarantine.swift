import Glibc
import Netlink

/// Finding the service ports whose rules the kernel refuses, so that one bad object (that the
/// API accepted and translation let through) costs only itself: it is left out, reported and
/// counted, and everything else is programmed.
///
/// The search never touches the live table: candidates are bisected in a scratch *probe*
/// table (the same skeleton without hooks, so it sees no traffic), then deleted. Only ports
/// refused there on their own, with an error about their content, are quarantined, and the
/// live table then gets one ordinary transaction without them. (A probe without hooks skips
/// the commit-time checks that walk from base chains — loops, NAT in the wrong hook — but
/// those depend on the layout, not on a Service's data, so input cannot trigger them.)
extension ProxySyncer {
    /// Errors about a message's content; others (memory, buffers, permissions, a busy
    /// object) say nothing about the Service and never quarantine it.
    static func isContentError(_ error: Error) -> Bool {
        guard let error = error as? NetlinkError else { return false }
        return [EINVAL, ENOENT, EOPNOTSUPP, ERANGE, E2BIG, EEXIST, ELOOP, EMLINK, EOVERFLOW, ENAMETOOLONG, EMSGSIZE]
            .contains(error.errno)
    }

    /// After a refused partial sync: the changed ports the probe refuses are quarantined and
    /// the partial sync is retried without them (removing what they had programmed). nil when
    /// the probe refuses none of them, i.e. the live table drifted: the caller goes full.
    func isolateRejected(among changed: Set<ServicePortName>, model: ProxyModel) throws -> Report? {
        let refused = try findRefused(among: changed.sorted(), model: model)
        guard !refused.isEmpty else { return nil }
        quarantine(refused, model: model)
        var report = try attempt(model: model, mode: .partial, owners: changed)
        report.rejected = refused
        return report
    }

    /// After a refused full rebuild: the same over every port, then one rebuild without the
    /// refused ones (an atomic swap: the old table serves until it commits).
    func rebuildWithoutRejected(model: ProxyModel, error: Error) throws -> Report {
        let all = model.services.servicePorts.map(\.key).filter { quarantine[$0] == nil }.sorted()
        let refused = try findRefused(among: all, model: model)
        guard !refused.isEmpty else { throw error }
        quarantine(refused, model: model)
        var report = try attempt(model: model, mode: .rebuild)
        report.rejected = refused
        return report
    }

    private func quarantine(_ refused: [ServicePortName: String], model: ProxyModel) {
        for name in refused.keys { quarantine[name] = builtFragments(for: name, model: model) }
    }

    /// Bisects `candidates` in a probe table per family: O(k log n) small transactions for k
    /// refused among n. The probe is deleted afterwards, whatever happens.
    private func findRefused(among candidates: [ServicePortName], model: ProxyModel) throws -> [ServicePortName: String] {
        let socket = try worker.socket()
        let probes = builders.map { NFTTableID($0.config.table.family, $0.config.table.name + "-probe") }
        defer {
            let cleanup = NFTBatch()
            for probe in probes {
                cleanup.add(NFTTable(probe.family, probe.name))
                cleanup.delete(table: probe)
            }
            _ = try? cleanup.commit(on: socket)
        }
        var states = probes.map { ProgrammedState(table: $0) }
        let skeleton = NFTBatch()
        for (i, builder) in builders.enumerated() {
            let base = Self.retarget(builder.baseFragment(), to: probes[i])
            let plan = ProgrammedState.fullPlan(Ruleset(table: probes[i], fragments: [.base: base]))
            plan.encode(into: skeleton)
            states[i].commit(plan)
        }
        try skeleton.commit(on: socket)

        var refused: [ServicePortName: String] = [:]
        func tryCommit(_ group: ArraySlice<ServicePortName>) throws {
            var plans: [SyncPlan] = []
            for i in builders.indices {
                var changes: [RulesetOwner: RulesetFragment] = [:]
                for name in group { changes[.servicePort(name)] = Self.retarget(builtFragments(for: name, model: model)[i], to: probes[i]) }
                plans.append(states[i].plan(changes: changes))
            }
            let batch = NFTBatch(acknowledgements: .errorsOnly)
            for plan in plans where !plan.isEmpty { plan.encode(into: batch) }
            if !batch.isEmpty { try batch.commit(on: socket) }
            for (i, plan) in plans.enumerated() { states[i].commit(plan) }
        }
        func bisect(_ group: ArraySlice<ServicePortName>) throws {
            guard !group.isEmpty else { return }
            do {
                try tryCommit(group)
            } catch {
                guard Self.isContentError(error) else { throw error }
                if group.count == 1 {
                    refused[group.first!] = "\(error)"
                    return
                }
                let middle = group.startIndex + group.count / 2
                try bisect(group[..<middle])
                try bisect(group[middle...])
            }
        }
        for start in stride(from: 0, to: candidates.count, by: 1024) {
            try bisect(candidates[start..<min(start + 1024, candidates.count)])
        }
        return refused
    }

    /// A fragment moved to the probe table: its sets live there, and its base chains lose
    /// their hooks so the probe never sees a packet.
    static func retarget(_ fragment: RulesetFragment, to table: NFTTableID) -> RulesetFragment {
        var f = fragment
        for i in f.sets.indices { f.sets[i].table = table }
        for i in f.chains.indices { f.chains[i].base = nil }
        return f
    }
}
