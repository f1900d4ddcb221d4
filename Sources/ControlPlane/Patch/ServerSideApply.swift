#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Server-side apply (`application/apply-patch+yaml`), with ownership tracked per field
/// in `metadata.managedFields` as structured-merge-diff does.
///
/// The result is the live object with the configuration merged in (objects member by
/// member, keyed lists element by element, sets value by value, everything else
/// replaced). Fields the manager applied before but no longer applies are removed
/// unless someone else owns them too. Changing a field that another manager owns is a
/// conflict, unless `force` hands the field over.
public enum ServerSideApply {
    /// - Parameters:
    ///   - config: the parsed apply configuration; `null` members count as absent.
    ///   - live: the stored object, nil when apply creates it.
    ///   - manager: the field manager (`kubectl` for `kubectl apply --server-side`).
    ///   - force: take over conflicting fields instead of failing.
    ///   - now: the RFC 3339 time recorded in the manager's entry.
    ///   - schema: defaults to the schema of the config's kind.
    public static func apply(config: JSONValue, to live: JSONValue?, manager: String, force: Bool, now: String,
                             schema: PatchSchema? = nil) throws -> JSONValue {
        guard case .object = config else {
            throw PatchError.badRequest("apply configuration must be an object")
        }
        if let managed = config["metadata"]?["managedFields"], !managed.isNull {
            throw PatchError.badRequest("metadata.managedFields must be nil")
        }
        let config = withoutNulls(config)
        let fields = ObjectFields(schema: schema ?? PatchSchema.forObject(config))
        let liveObject = (live?.isNull ?? true) ? JSONValue.emptyObject : live!

        var entries = ManagedFields.entries(of: liveObject)
        if live != nil && entries.isEmpty && liveObject["metadata"]?["managedFields"] == nil {
            // Objects written before fields were tracked: what exists belongs to a
            // placeholder manager, so applying over it reports conflicts as upstream.
            let all = fields.all(liveObject)
            if !all.isEmpty {
                entries.append(ManagedFields.Entry(
                    manager: "before-first-apply", operation: ManagedFields.update,
                    apiVersion: liveObject["apiVersion"]?.stringValue, time: nil, subresource: nil, fields: all))
            }
        }

        let applied = fields.applied(config)
        let isMine: (ManagedFields.Entry) -> Bool = { $0.manager == manager && $0.subresource == nil }
        let previous = entries.first { isMine($0) && $0.operation == ManagedFields.apply }?.fields ?? FieldSet()

        var result = fields.merge(live: liveObject, config: config)

        // Conflicts: fields whose value the apply changes and that someone else owns.
        let (changed, _) = fields.diff(old: liveObject, new: result)
        var conflicts: [(entry: ManagedFields.Entry, paths: [[FieldPathElement]])] = []
        for i in entries.indices where !isMine(entries[i]) {
            let overlap = entries[i].fields.intersection(changed)
            guard !overlap.isEmpty else { continue }
            conflicts.append((entries[i], overlap.paths))
            if force { entries[i].fields = entries[i].fields.subtracting(overlap) }
        }
        if !conflicts.isEmpty && !force {
            throw conflictError(conflicts)
        }

        // Fields this manager stopped applying go away unless someone else still holds
        // them (or the new configuration sets something below them).
        let others = entries.filter { !isMine($0) }.reduce(FieldSet()) { $0.union($1.fields) }
        for path in previous.subtracting(applied).paths
        where !applied.hasMember(atOrBelow: path) && !others.hasMember(atOrBelow: path) {
            fields.remove(path, from: &result)
        }

        let entry = ManagedFields.Entry(
            manager: manager, operation: ManagedFields.apply,
            apiVersion: config["apiVersion"]?.stringValue ?? liveObject["apiVersion"]?.stringValue,
            time: now, subresource: nil, fields: applied)
        if let i = entries.firstIndex(where: { isMine($0) && $0.operation == ManagedFields.apply }) {
            entries[i] = entry
        } else {
            entries.append(entry)
        }
        ManagedFields.write(entries, into: &result)
        return result
    }

    /// Upstream's conflict message: one line for a single conflict, otherwise one block
    /// per manager in name order.
    static func conflictError(_ conflicts: [(entry: ManagedFields.Entry, paths: [[FieldPathElement]])]) -> PatchError {
        let sorted = conflicts.sorted { ($0.entry.manager, $0.entry.operation) < ($1.entry.manager, $1.entry.operation) }
        var causes: [PatchError.Conflict] = []
        var lines: [String] = []
        for (entry, paths) in sorted {
            let who = describe(entry)
            lines.append("conflicts with \(who):")
            for path in paths {
                let field = FieldSet.render(path)
                causes.append(PatchError.Conflict(message: "conflict with \(who)", field: field, manager: entry.manager))
                lines.append("- \(field)")
            }
        }
        let message: String
        if causes.count == 1 {
            message = "Apply failed with 1 conflict: \(causes[0].message): \(causes[0].field)"
        } else {
            message = "Apply failed with \(causes.count) conflicts: " + lines.joined(separator: "\n")
        }
        return PatchError(.conflict, message, conflicts: causes)
    }

    /// `"kubectl"`, or `"kube-controller-manager" using apps/v1 at 2024-01-02T03:04:05Z`
    /// for managers that wrote with Update.
    static func describe(_ entry: ManagedFields.Entry) -> String {
        var text = "\"\(entry.manager)\""
        if let subresource = entry.subresource {
            text += " with subresource \"\(subresource)\""
        }
        if entry.operation == ManagedFields.update {
            text += " using \(entry.apiVersion ?? "")"
            if let time = entry.time { text += " at \(time)" }
        }
        return text
    }

    /// Apply configurations say what they want; a `null` means the field is not wanted,
    /// the same as leaving it out.
    static func withoutNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.compactMapValues { $0.isNull ? nil : withoutNulls($0) })
        case .array(let items):
            return .array(items.map(withoutNulls))
        default:
            return value
        }
    }
}

// MARK: - Merging and removing by field paths

extension ObjectFields {
    /// The live object with the configuration merged in, structured-merge-diff style.
    func merge(live: JSONValue, config: JSONValue) -> JSONValue {
        merge(live, config, Field(), .root)
    }

    private func merge(_ live: JSONValue, _ config: JSONValue, _ field: Field, _ path: SchemaPath) -> JSONValue {
        switch (live, config) {
        case let (.object(l), .object(c)) where field.ownership(for: config) != .atomic:
            var result = l
            for (name, value) in c {
                let childPath = path.child(name)
                result[name] = l[name].map { merge($0, value, schema.field(at: childPath), childPath) } ?? value
            }
            return .object(result)
        case let (.array(l), .array(c)):
            switch field.ownership(for: config) {
            case .set:
                return .array(interleave(l, c, identity: { .value(PatchJSON.normalized($0)) }, merge: { _, new in new }))
            case .map(let keys):
                guard keyed(c, keys: keys, field: field) != nil else { return config }
                return .array(interleave(l, c, identity: { elementKey($0, keys: keys, field: field) },
                                         merge: { old, new in
                                             old.map { merge($0, new, Field(), path.element) } ?? new
                                         }))
            default:
                return config
            }
        default:
            return config
        }
    }

    /// structured-merge-diff's list order: the configuration's elements in its order,
    /// live-only elements kept where they were relative to the shared ones.
    private func interleave(_ lhs: [JSONValue], _ rhs: [JSONValue], identity: (JSONValue) -> FieldPathElement?,
                            merge: (JSONValue?, JSONValue) -> JSONValue) -> [JSONValue] {
        let lhsIDs = lhs.map(identity)
        let rhsIDs = rhs.map(identity)
        let inRHS = Set(rhsIDs.compactMap { $0 })
        var lhsByID: [FieldPathElement: JSONValue] = [:]
        for (id, item) in zip(lhsIDs, lhs) {
            if let id, lhsByID[id] == nil { lhsByID[id] = item }
        }
        let shared = rhsIDs.compactMap { $0 }.filter { lhsByID[$0] != nil }
        var nextShared = 0
        var emitted = Set<FieldPathElement>()
        var out: [JSONValue] = []
        var l = 0
        var r = 0

        func takeRHS() {
            let id = rhsIDs[r]
            if let id, emitted.contains(id) {
                r += 1
                return
            }
            out.append(merge(id.flatMap { lhsByID[$0] }, rhs[r]))
            if let id {
                emitted.insert(id)
                if nextShared < shared.count && shared[nextShared] == id { nextShared += 1 }
            }
            r += 1
        }

        while l < lhs.count || r < rhs.count {
            if l < lhs.count && r < rhs.count, let id = lhsIDs[l], inRHS.contains(id), !emitted.contains(id) {
                if id == rhsIDs[r] {
                    takeRHS()
                    l += 1
                    continue
                }
                // A shared element that the configuration places later: it is emitted
                // when the configuration reaches it.
                if nextShared < shared.count && shared[nextShared] != id {
                    l += 1
                    continue
                }
            }
            if l < lhs.count {
                let id = lhsIDs[l]
                if id == nil || !inRHS.contains(id!) {
                    out.append(lhs[l])
                    l += 1
                    continue
                }
                if emitted.contains(id!) {
                    l += 1
                    continue
                }
            }
            if r < rhs.count {
                takeRHS()
            } else {
                l += 1
            }
        }
        return out
    }

    /// Deletes the value at a field path; containers the removal empties go too.
    func remove(_ path: [FieldPathElement], from object: inout JSONValue) {
        remove(path[...], from: &object, Field(), .root)
    }

    private func remove(_ path: ArraySlice<FieldPathElement>, from value: inout JSONValue, _ field: Field,
                        _ schemaPath: SchemaPath) {
        guard let step = path.first else { return }
        let rest = path.dropFirst()
        switch (step, value) {
        case (.field(let name), .object(var members)):
            guard var child = members[name] else { return }
            if rest.isEmpty {
                members[name] = nil
            } else {
                let childPath = schemaPath.child(name)
                let wasEmpty = isEmptyContainer(child)
                remove(rest, from: &child, schema.field(at: childPath), childPath)
                members[name] = !wasEmpty && isEmptyContainer(child) ? nil : child
            }
            value = .object(members)
        case (.key, .array(var items)):
            guard case .map(let keys) = field.ownership(for: value) else { return }
            var kept: [JSONValue] = []
            for var item in items {
                guard elementKey(item, keys: keys, field: field) == step else {
                    kept.append(item)
                    continue
                }
                if rest.isEmpty { continue }
                remove(rest, from: &item, Field(), schemaPath.element)
                kept.append(item)
            }
            items = kept
            value = .array(items)
        case (.value(let doomed), .array(let items)) where rest.isEmpty:
            value = .array(items.filter { !PatchJSON.equal(PatchJSON.normalized($0), doomed) })
        case (.index(let i), .array(var items)) where rest.isEmpty && i < items.count:
            items.remove(at: i)
            value = .array(items)
        default:
            return
        }
    }

    private func isEmptyContainer(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        default: return false
        }
    }
}
