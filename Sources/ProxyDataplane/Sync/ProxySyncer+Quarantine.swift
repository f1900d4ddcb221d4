import Netlink

/// Finding the service ports whose rules the kernel refuses, so that one bad object (that the
/// API accepted and translation let through) costs only itself: it is left out, reported and
/// counted, and everything else is programmed.
extension ProxySyncer {
    /// After a refused partial sync. When nobody has committed since our last sync (the ruleset
    /// generation is unchanged), the table is exactly what we believe, so the refusal is about
    /// what we sent: bisect the changed ports, committing the good ones and quarantining each
    /// one refused on its own. With k bad ports among n this costs O(k log n) transactions.
    /// nil when the table may have drifted: the caller then does a full sync.
    func isolateRejected(among changed: Set<ServicePortName>, model: ProxyModel, generation: UInt32?,
                         error: Error) throws -> Report? {
        guard let generation, let current = try? worker.socket().rulesetGeneration(), current == generation else {
            return nil
        }
        var report = Report(mode: .partial, messages: 0, bytes: 0, chainsTouched: 0, elementsTouched: 0,
                            duration: .zero, commitDuration: .zero)
        try bisect(changed.sorted()[...], model: model, into: &report)
        return report
    }

    /// A fresh table refused the whole ruleset: program the skeleton alone, then the service
    /// ports in chunks, bisecting every chunk the kernel refuses.
    func rebuildInPieces(model: ProxyModel, error: Error) throws -> Report {
        // If the skeleton alone is refused, no service is to blame: that error is the answer.
        var report = try attempt(model: model, mode: .rebuild, baseOnly: true)
        let names = model.services.servicePorts.map(\.key).sorted()
        for start in stride(from: 0, to: names.count, by: 1024) {
            try bisect(names[start..<min(start + 1024, names.count)], model: model, into: &report)
        }
        return report
    }

    private func bisect(_ group: ArraySlice<ServicePortName>, model: ProxyModel, into report: inout Report) throws {
        guard !group.isEmpty else { return }
        do {
            report.add(try attempt(model: model, mode: .partial, owners: Set(group)))
        } catch {
            guard group.count > 1 else {
                try reject(group.first!, model: model, error: error, into: &report)
                return
            }
            let middle = group.startIndex + group.count / 2
            try bisect(group[..<middle], model: model, into: &report)
            try bisect(group[middle...], model: model, into: &report)
        }
    }

    /// Quarantines `name` with the rules that were refused and removes what it had
    /// programmed before (a removal the kernel must accept, or the table is not what we think).
    private func reject(_ name: ServicePortName, model: ProxyModel, error: Error, into report: inout Report) throws {
        quarantine[name] = builtFragments(for: name, model: model)
        report.rejected[name] = "\(error)"
        report.add(try attempt(model: model, mode: .partial, owners: [name]))
    }
}
