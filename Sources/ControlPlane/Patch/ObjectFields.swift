#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Maps the values of an object onto field paths, using the schema to tell which lists
/// are keyed, which are sets and which are atomic: the part of structured-merge-diff
/// that managedFields and server-side apply need.
struct ObjectFields {
    typealias Field = PatchSchema.Field

    let schema: PatchSchema

    /// Fields the server sets or that identify the object; upstream strips them from every
    /// field set, so nobody owns them and they never conflict.
    static let untracked: Set<String> = [
        "apiVersion", "kind",
        "metadata.name", "metadata.namespace", "metadata.uid", "metadata.resourceVersion",
        "metadata.generation", "metadata.creationTimestamp", "metadata.selfLink",
        "metadata.managedFields", "metadata.clusterName",
    ]

    func isTracked(_ path: SchemaPath) -> Bool {
        !ObjectFields.untracked.contains(path.text)
    }

    // MARK: Field sets of values

    /// The fields an apply configuration sets: its leaves, plus each element of keyed
    /// lists and sets. Objects on the way are not members themselves.
    func applied(_ object: JSONValue) -> FieldSet {
        node(object, Field(), .root, markObjects: false)
    }

    /// Everything in `object` for a manager who created it all, e.g. on creation or for
    /// `before-first-apply`: as `applied`, with nested objects marked as members too.
    func all(_ object: JSONValue) -> FieldSet {
        node(object, Field(), .root, markObjects: true)
    }

    private func node(_ value: JSONValue, _ field: Field, _ path: SchemaPath, markObjects: Bool) -> FieldSet {
        switch value {
        case .object(let members) where field.ownership(for: value) != .atomic:
            var set = FieldSet()
            for (name, member) in members {
                let childPath = path.child(name)
                guard isTracked(childPath) else { continue }
                let child = node(member, schema.field(at: childPath), childPath, markObjects: markObjects)
                if !child.isEmpty { set.children[.field(name)] = child }
            }
            // An empty object is a value in its own right. The root and the top-level
            // parts (metadata, spec, status) always exist, so nobody owns them as such.
            let isTopLevel = !path.text.contains(".") && !path.text.contains("[")
            if members.isEmpty {
                set.isMember = !path.text.isEmpty && path.text != "metadata"
            } else {
                set.isMember = markObjects && !isTopLevel && !set.children.isEmpty
            }
            return set
        case .array(let items):
            switch field.ownership(for: value) {
            case .set:
                var set = FieldSet()
                for item in items { set.children[.value(PatchJSON.normalized(item))] = .leaf }
                set.isMember = items.isEmpty
                return set
            case .map(let keys):
                var set = FieldSet()
                for item in items {
                    // Without its key an element cannot be told apart: own the list whole.
                    guard let key = elementKey(item, keys: keys, field: field) else { return .leaf }
                    var element = elementNode(item, path.element, markObjects: markObjects)
                    element.isMember = true
                    set.children[key] = element
                }
                set.isMember = items.isEmpty
                return set
            default:
                return .leaf
            }
        default:
            return .leaf
        }
    }

    /// The fields of one list element (an object whose members follow the element schema).
    private func elementNode(_ item: JSONValue, _ path: SchemaPath, markObjects: Bool) -> FieldSet {
        guard case .object(let members) = item else { return .leaf }
        var set = FieldSet()
        for (name, member) in members {
            let childPath = path.child(name)
            let child = node(member, schema.field(at: childPath), childPath, markObjects: markObjects)
            if !child.isEmpty { set.children[.field(name)] = child }
        }
        return set
    }

    /// `k:{...}` for an element of a keyed list, filling in server defaults for key
    /// fields; nil when the element has no value for the first key.
    func elementKey(_ item: JSONValue, keys: [String], field: Field) -> FieldPathElement? {
        guard case .object(let members) = item, let first = keys.first,
              members[first] != nil || field.keyDefaults[first] != nil else { return nil }
        var key: [String: JSONValue] = [:]
        for name in keys {
            if let value = members[name] ?? field.keyDefaults[name] {
                key[name] = PatchJSON.normalized(value)
            }
        }
        return .key(.object(key))
    }

    // MARK: Differences

    /// What an update did to the fields: `changed` holds what was added or got a new
    /// value, `removed` the paths (with all below them) that disappeared.
    func diff(old: JSONValue, new: JSONValue) -> (changed: FieldSet, removed: FieldSet) {
        var changed = FieldSet()
        var removed = FieldSet()
        compare(old, new, Field(), .root, changed: &changed, removed: &removed)
        return (changed, removed)
    }

    private func compare(_ old: JSONValue, _ new: JSONValue, _ field: Field, _ path: SchemaPath,
                         changed: inout FieldSet, removed: inout FieldSet) {
        switch (old, new) {
        case let (.object(o), .object(n)) where field.ownership(for: new) != .atomic:
            compareMembers(o, n, path, changed: &changed, removed: &removed)

        case let (.array(o), .array(n)):
            switch field.ownership(for: new) {
            case .set:
                let oldValues = Set(o.map(PatchJSON.normalized))
                let newValues = Set(n.map(PatchJSON.normalized))
                for value in newValues.subtracting(oldValues) { changed.children[.value(value)] = .leaf }
                for value in oldValues.subtracting(newValues) { removed.children[.value(value)] = .leaf }
            case .map(let keys):
                guard let before = keyed(o, keys: keys, field: field), let after = keyed(n, keys: keys, field: field)
                else {
                    if !PatchJSON.equal(old, new) { changed = .leaf }
                    return
                }
                let oldByKey = Dictionary(before, uniquingKeysWith: { first, _ in first })
                var seen = Set<FieldPathElement>()
                for (key, item) in after where seen.insert(key).inserted {
                    if let previous = oldByKey[key] {
                        var c = FieldSet()
                        var r = FieldSet()
                        compareMembers(previous.objectValue ?? [:], item.objectValue ?? [:], path.element,
                                       changed: &c, removed: &r)
                        if !c.isEmpty { changed.children[key] = c }
                        if !r.isEmpty { removed.children[key] = r }
                    } else {
                        var element = elementNode(item, path.element, markObjects: true)
                        element.isMember = true
                        changed.children[key] = element
                    }
                }
                for key in oldByKey.keys where !seen.contains(key) { removed.children[key] = .leaf }
            default:
                if !PatchJSON.equal(old, new) { changed = .leaf }
            }

        default:
            if !PatchJSON.equal(old, new) {
                // A new value replaces everything that was below the old one.
                if case .object = old { removed = .leaf }
                if case .array = old { removed = .leaf }
                changed = node(new, field, path, markObjects: true)
                changed.isMember = true
            }
        }
    }

    private func compareMembers(_ o: [String: JSONValue], _ n: [String: JSONValue], _ path: SchemaPath,
                                changed: inout FieldSet, removed: inout FieldSet) {
        for (name, newValue) in n {
            let childPath = path.child(name)
            guard isTracked(childPath) else { continue }
            let childField = schema.field(at: childPath)
            var c = FieldSet()
            var r = FieldSet()
            if let oldValue = o[name] {
                compare(oldValue, newValue, childField, childPath, changed: &c, removed: &r)
            } else {
                c = node(newValue, childField, childPath, markObjects: true)
            }
            if !c.isEmpty { changed.children[.field(name)] = c }
            if !r.isEmpty { removed.children[.field(name)] = r }
        }
        for name in o.keys where n[name] == nil && isTracked(path.child(name)) {
            removed.children[.field(name)] = .leaf
        }
    }

    /// The elements of a keyed list with their keys; nil when one has no key.
    func keyed(_ items: [JSONValue], keys: [String], field: Field) -> [(FieldPathElement, JSONValue)]? {
        var result: [(FieldPathElement, JSONValue)] = []
        for item in items {
            guard let key = elementKey(item, keys: keys, field: field) else { return nil }
            result.append((key, item))
        }
        return result
    }
}
