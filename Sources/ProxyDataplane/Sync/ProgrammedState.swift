import Netlink

/// What the proxy last committed to one table, fragment by owner, plus an index of the
/// elements shared maps and sets hold (several owners may contribute the same key; the
/// smallest owner's data wins, and the element stays while any owner wants it).
///
/// A partial sync asks for the difference to a few changed fragments (`plan(changes:)`): only
/// their chains, sets and elements are compared, so the work grows with the change, not the
/// cluster. `commit(_:)` records a plan once the kernel accepted it; a rejected batch leaves
/// the state (and the kernel) as they were.
public struct ProgrammedState: Sendable {
    public let table: NFTTableID
    public private(set) var fragments: [RulesetOwner: RulesetFragment] = [:]
    /// set → key → owner → element.
    private var elementOwners: [String: [NFTKey: ElementOwners]] = [:]
    /// Whether the kernel is known to hold exactly `fragments` (false before the first full
    /// sync and after a failure).
    public private(set) var isInSync = false

    public init(table: NFTTableID) { self.table = table }

    public var chainCount: Int { fragments.values.reduce(0) { $0 + $1.chains.count } }

    /// The kernel may differ from `fragments` (a batch failed): the next sync must be full.
    /// `fragments` stay, as the best knowledge of what the table holds.
    public mutating func invalidate() { isInSync = false }

    // MARK: planning

    /// The difference between what is programmed and `changes` (owner → its new fragment;
    /// an empty fragment removes the owner).
    public func plan(changes: [RulesetOwner: RulesetFragment]) -> SyncPlan {
        var plan = SyncPlan(table: table, mode: .partial)
        var touched: [String: [NFTKey: ElementOwners]] = [:]
        var before: [String: [NFTKey: ElementSpec]] = [:]

        func owners(_ set: String, _ key: NFTKey) -> ElementOwners {
            if let t = touched[set]?[key] { return t }
            let current = elementOwners[set]?[key] ?? ElementOwners()
            if let e = current.effective { before[set, default: [:]][key] = e }
            touched[set, default: [:]][key] = current
            return current
        }

        for (owner, new) in changes.sorted(by: { $0.key < $1.key }) {
            let old = fragments[owner] ?? RulesetFragment()
            if old == new { continue }
            plan.fragments[owner] = new

            let oldChains = Dictionary(old.chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let newChains = Dictionary(new.chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for chain in new.chains {
                if let previous = oldChains[chain.name] {
                    if previous != chain { plan.rewrittenChains.append(chain) }
                } else {
                    plan.newChains.append(chain)
                }
            }
            for chain in old.chains where newChains[chain.name] == nil { plan.removedChains.append(chain.name) }

            let oldSets = Dictionary(old.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let newSets = Dictionary(new.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for set in new.sets {
                if let previous = oldSets[set.name] {
                    if previous != set { plan.recreatedSets.append(set) }
                } else {
                    plan.newSets.append(set)
                }
            }
            for set in old.sets where newSets[set.name] == nil { plan.removedSets.append(set.name) }

            for e in old.elements {
                var o = owners(e.set, e.key)
                o[owner] = nil
                touched[e.set]![e.key] = o
            }
            for e in new.elements {
                var o = owners(e.set, e.key)
                o[owner] = e
                touched[e.set]![e.key] = o
            }
        }

        for (set, keys) in touched.sorted(by: { $0.key < $1.key }) {
            for (key, o) in keys {
                let was = before[set]?[key]
                let will = o.effective
                switch (was, will) {
                case (nil, let w?): plan.elementAdds[set, default: []].append(w.element)
                case (let b?, nil): plan.elementDeletes[set, default: []].append(b.element)
                case (let b?, let w?) where b.data != w.data:
                    plan.elementDeletes[set, default: []].append(b.element)
                    plan.elementAdds[set, default: []].append(w.element)
                default: break
                }
            }
        }
        plan.elementOwners = touched
        return plan
    }

    /// A full sync in one transaction, which also repairs whatever drifted in the kernel.
    /// With `previous` (what this process programmed before), a *resync*: the table's rules
    /// are flushed and rewritten, the shared maps refilled, chains and sets created if
    /// missing, and those `previous` had but `ruleset` lacks deleted; the affinity sets keep
    /// their entries, so clients stay with their endpoints. Without it, a *rebuild*: the table
    /// is deleted and created afresh (at start, when what the kernel holds is unknown).
    public static func fullPlan(_ ruleset: Ruleset, previous: ProgrammedState? = nil) -> SyncPlan {
        var plan = SyncPlan(table: ruleset.table, mode: previous == nil ? .rebuild : .resync)
        // Sized up front: at 10k Services the index holds ~60k elements, and growing it by
        // doubling keeps the old and the new storage alive at once at the proxy's peak.
        var elementCounts: [String: Int] = [:]
        for fragment in ruleset.fragments.values {
            for e in fragment.elements { elementCounts[e.set, default: 0] += 1 }
        }
        var index: [String: [NFTKey: ElementOwners]] = [:]
        index.reserveCapacity(elementCounts.count)
        for (set, count) in elementCounts { index[set] = Dictionary(minimumCapacity: count) }
        for (owner, fragment) in ruleset.fragments.sorted(by: { $0.key < $1.key }) where !fragment.isEmpty {
            plan.fragments[owner] = fragment
            plan.newChains += fragment.chains
            plan.newSets += fragment.sets
            for e in fragment.elements { index[e.set, default: [:]][e.key, default: ElementOwners()][owner] = e }
        }
        plan.elementAdds.reserveCapacity(index.count)
        for (set, keys) in index.sorted(by: { $0.key < $1.key }) {
            var adds: [NFTSetElement] = []
            adds.reserveCapacity(keys.count)
            for (_, o) in keys { if let e = o.effective { adds.append(e.element) } }
            if !adds.isEmpty { plan.elementAdds[set] = adds }
        }
        plan.elementOwners = index
        if let previous {
            var wantedChains = Set<String>(), wantedSets = Set<String>()
            for fragment in ruleset.fragments.values {
                for c in fragment.chains { wantedChains.insert(c.name) }
                for s in fragment.sets { wantedSets.insert(s.name) }
            }
            for (owner, fragment) in previous.fragments.sorted(by: { $0.key < $1.key }) {
                for c in fragment.chains where !wantedChains.contains(c.name) { plan.removedChains.append(c.name) }
                for s in fragment.sets where !wantedSets.contains(s.name) { plan.removedSets.append(s.name) }
                if ruleset.fragments[owner] == nil { plan.fragments[owner] = RulesetFragment() }
            }
            // Shared maps and sets are refilled from scratch (removing stray elements).
            plan.flushedSets = (ruleset.fragments[.base]?.sets ?? []).map(\.name)
        }
        return plan
    }

    /// Records a plan the kernel accepted.
    public mutating func commit(_ plan: SyncPlan) {
        if plan.mode != .partial {
            fragments = [:]
            // A full plan's index is the whole truth and has no empty entries: take it as it
            // is (shared storage) instead of rebuilding a second copy element by element.
            elementOwners = plan.elementOwners.filter { !$0.value.isEmpty }
        }
        for (owner, fragment) in plan.fragments {
            fragments[owner] = fragment.isEmpty ? nil : fragment
        }
        for (set, keys) in plan.elementOwners where plan.mode == .partial {
            for (key, o) in keys {
                if o.isEmpty {
                    elementOwners[set]?[key] = nil
                } else {
                    elementOwners[set, default: [:]][key] = o
                }
            }
            if elementOwners[set]?.isEmpty == true { elementOwners[set] = nil }
        }
        isInSync = true
    }

}

/// The messages of one sync, in the order the kernel needs them, and what to record once
/// they are committed.
public struct SyncPlan: Sendable {
    public enum Mode: Sendable, Hashable {
        /// Only what changed.
        case partial
        /// Everything rewritten in place (flush table, refill maps, delete what is stale).
        case resync
        /// The table deleted and created again.
        case rebuild
    }

    public let table: NFTTableID
    public let mode: Mode
    public var full: Bool { mode != .partial }
    /// Sets and maps emptied before their elements are added (resync).
    public var flushedSets: [String] = []
    public var newSets: [NFTSet] = []
    public var recreatedSets: [NFTSet] = []
    public var removedSets: [String] = []
    public var newChains: [ChainSpec] = []
    public var rewrittenChains: [ChainSpec] = []
    public var removedChains: [String] = []
    public var elementDeletes: [String: [NFTSetElement]] = [:]
    public var elementAdds: [String: [NFTSetElement]] = [:]
    /// The owners' new fragments (empty = removed).
    var fragments: [RulesetOwner: RulesetFragment] = [:]
    /// New owner lists of the touched element keys.
    var elementOwners: [String: [NFTKey: ElementOwners]] = [:]

    init(table: NFTTableID, mode: Mode) {
        self.table = table
        self.mode = mode
    }

    public var isEmpty: Bool {
        !full && newSets.isEmpty && recreatedSets.isEmpty && removedSets.isEmpty && newChains.isEmpty
            && rewrittenChains.isEmpty && removedChains.isEmpty && elementDeletes.isEmpty && elementAdds.isEmpty
    }

    /// Number of chains written (created or rewritten) and removed, for logs and metrics.
    public var chainsTouched: Int { newChains.count + rewrittenChains.count + removedChains.count }
    public var elementsTouched: Int {
        elementDeletes.values.reduce(0) { $0 + $1.count } + elementAdds.values.reduce(0) { $0 + $1.count }
    }

    /// Encodes the plan into `batch`:
    /// 1. rebuild: `add table; delete table; add table`; resync: `add table; flush table`
    ///    (every rule goes, so nothing references what follows)
    /// 2. new sets and new chains (every chain exists before any rule or element names it)
    /// 3. flush rewritten and removed chains (dropping their references)
    /// 4. recreate sets whose definition changed
    /// 5. rules of new and rewritten chains
    /// 6. element deletions, then additions
    /// 7. delete removed chains (their rules and map elements are gone), then removed sets.
    public func encode(into batch: NFTBatch) {
        let t = table
        let table = NFTTable(t.family, t.name, comment: "rules for Kubernetes services (skiff)")
        switch mode {
        case .partial: break
        case .rebuild:
            batch.add(table)
            batch.delete(table: t)
            batch.add(table)
        case .resync:
            batch.add(table)
            batch.flush(table: t)
        }
        for set in newSets { batch.add(set) }
        for name in flushedSets { batch.flush(set: name, in: t) }
        for chain in newChains { batch.add(NFTChain(table: t, name: chain.name, base: chain.base)) }
        for chain in rewrittenChains { batch.flush(chain: chain.name, in: t) }
        for name in removedChains { batch.flush(chain: name, in: t) }
        for set in recreatedSets {
            batch.delete(set: set.name, in: t)
            batch.add(set)
        }
        for chain in newChains + rewrittenChains {
            for rule in chain.rules {
                batch.add(NFTRule(table: t, chain: chain.name, rule.expressions, comment: rule.comment))
            }
        }
        for (set, elements) in elementDeletes.sorted(by: { $0.key < $1.key }) where !elements.isEmpty {
            batch.delete(elements: elements, from: set, in: t)
        }
        for (set, elements) in elementAdds.sorted(by: { $0.key < $1.key }) where !elements.isEmpty {
            batch.add(elements: elements, to: set, in: t)
        }
        for name in removedChains { batch.delete(chain: name, in: t) }
        for name in removedSets { batch.delete(set: name, in: t) }
    }
}
