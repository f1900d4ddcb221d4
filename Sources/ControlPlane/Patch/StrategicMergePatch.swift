#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Strategic merge patch (`application/strategic-merge-patch+json`) as
/// k8s.io/apimachinery/pkg/util/strategicpatch applies it on the server.
///
/// It is a JSON merge patch that knows, from the `PatchSchema`, which lists merge
/// element by element, and which understands these directives:
/// - `$patch: replace` in an object (use it as is) or as a list element (the list
///   becomes the other elements); `$patch: delete` in an object (empties it) or in a
///   list element with the merge key (removes the matching elements);
/// - `$retainKeys: [...]` clears the members of an object that it does not name;
/// - `$setElementOrder/<list>: [...]` orders the merged list;
/// - `$deleteFromPrimitiveList/<list>: [...]` removes values from a list of scalars;
/// - `null` deletes a member.
public enum StrategicMergePatch {
    public static func apply(_ patch: JSONValue, to original: JSONValue, schema: PatchSchema) throws -> JSONValue {
        guard case .object(let patchMembers) = patch else { throw PatchError.badRequest(Messages.badJSONDoc) }
        let base: [String: JSONValue]
        switch original {
        case .object(let members): base = members
        case .null: base = [:]
        default: throw PatchError.badRequest(Messages.badJSONDoc)
        }
        return .object(try Merger(schema: schema).mergeMap(base, patchMembers, at: .root))
    }

    enum Directive {
        static let marker = "$patch"
        static let delete = "delete"
        static let replace = "replace"
        static let merge = "merge"
        static let retainKeys = "$retainKeys"
        static let deleteFromPrimitiveList = "$deleteFromPrimitiveList"
        static let setElementOrder = "$setElementOrder"
    }

    /// apimachinery's mergepatch error texts.
    enum Messages {
        static let badJSONDoc = "invalid JSON document"
        static let listOfLists = "lists of lists are not supported"
        static let primitiveListFormat = "invalid patch format of primitive list"
        static let retainKeysFormat = "invalid patch format of retainKeys"
        static let setElementOrderFormat = "invalid patch format of setElementOrder list"

        static func noMergeKey(_ map: [String: JSONValue], _ key: String) -> String {
            "map: \(goDescription(.object(map))) does not contain declared merge key: \(key)"
        }

        static func badPatchType(_ directive: JSONValue, _ map: [String: JSONValue]) -> String {
            "unknown patch type: \(goDescription(directive)) in map: \(goDescription(.object(map)))"
        }

        /// Go's `%v` rendering, which upstream's messages embed.
        static func goDescription(_ value: JSONValue) -> String {
            switch value {
            case .null: return "<nil>"
            case .bool(let b): return b ? "true" : "false"
            case .int(let i): return String(i)
            case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
            case .string(let s): return s
            case .array(let a): return "[" + a.map(goDescription).joined(separator: " ") + "]"
            case .object(let o):
                return "map[" + o.keys.sorted().map { "\($0):\(goDescription(o[$0]!))" }.joined(separator: " ") + "]"
            }
        }
    }
}

/// One patch application: the schema plus the recursive merge.
private struct Merger {
    typealias Directive = StrategicMergePatch.Directive
    typealias Messages = StrategicMergePatch.Messages

    let schema: PatchSchema

    // MARK: Objects

    func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue],
                  at path: SchemaPath) throws -> [String: JSONValue] {
        if let directive = patch[Directive.marker] {
            switch directive {
            case .string(Directive.replace):
                var rest = patch
                rest[Directive.marker] = nil
                return try mergeMap([:], rest, at: path)
            case .string(Directive.delete):
                return [:]
            default:
                throw PatchError.badRequest(Messages.badPatchType(directive, patch))
            }
        }

        var original = original
        var patch = patch
        try applyRetainKeys(&original, &patch)
        try applySetElementOrder(&original, &patch, at: path)

        // Deletions go first so that a value both deleted and re-added in one patch
        // (which clients do not generate) ends up present, independent of key order.
        for key in patch.keys.sorted() where key.hasPrefix(Directive.deleteFromPrimitiveList) {
            let field = try listName(in: key, prefix: Directive.deleteFromPrimitiveList,
                                     error: Messages.primitiveListFormat)
            guard case .array(let doomed) = patch.removeValue(forKey: key)! else {
                throw PatchError.badRequest(Messages.primitiveListFormat)
            }
            if case .array(let items) = original[field] {
                original[field] = .array(items.filter { item in !doomed.contains { PatchJSON.equal($0, item) } })
            }
        }

        for key in patch.keys.sorted() {
            let value = patch[key]!
            if key.hasPrefix("$") {
                throw PatchError.badRequest("unknown strategic merge patch directive \(key)")
            }
            let childPath = path.child(key)
            let field = schema.field(at: childPath)
            if value.isNull {
                original[key] = nil
                continue
            }
            guard let current = original[key] else {
                original[key] = try fresh(value, field, childPath)
                continue
            }
            switch (current, value) {
            case let (.object(o), .object(p)) where field.strategy != .replace:
                original[key] = .object(try mergeMap(o, p, at: childPath))
            case let (.array(o), .array(p)) where field.strategy == .merge:
                original[key] = .array(try mergeList(o, p, field, at: childPath))
            default:
                original[key] = try fresh(value, field, childPath)
            }
        }
        return original
    }

    /// A patch value that lands where the original has nothing: merged into emptiness so
    /// that directives inside it are carried out rather than stored.
    func fresh(_ value: JSONValue, _ field: PatchSchema.Field, _ path: SchemaPath) throws -> JSONValue {
        switch value {
        case .object(let members):
            return .object(try mergeMap([:], members, at: path))
        case .array(let items):
            if field.strategy == .merge {
                return .array(try mergeList([], items, field, at: path))
            }
            return .array(try items.map { item in
                guard case .object(let members) = item else { return item }
                return .object(try mergeMap([:], members, at: path.element))
            })
        default:
            return value
        }
    }

    /// `$retainKeys`: drop the original members the list does not name. Every member the
    /// patch sets must be named, or the patch contradicts itself.
    func applyRetainKeys(_ original: inout [String: JSONValue], _ patch: inout [String: JSONValue]) throws {
        guard let directive = patch.removeValue(forKey: Directive.retainKeys) else { return }
        guard case .array(let names) = directive else { throw PatchError.badRequest(Messages.retainKeysFormat) }
        let retained = Set(names.compactMap(\.stringValue))
        for (key, value) in patch {
            if value.isNull || key.hasPrefix(Directive.deleteFromPrimitiveList) || key.hasPrefix(Directive.setElementOrder) {
                continue
            }
            if !retained.contains(key) { throw PatchError.badRequest(Messages.retainKeysFormat) }
        }
        original = original.filter { retained.contains($0.key) }
    }

    // MARK: Lists

    func mergeList(_ original: [JSONValue], _ patch: [JSONValue], _ field: PatchSchema.Field,
                   at path: SchemaPath) throws -> [JSONValue] {
        if original.isEmpty && patch.isEmpty { return original }
        let objects = try elementsAreObjects(original, patch)

        guard objects else {
            var merged: [JSONValue] = []
            for item in original + patch where !merged.contains(where: { PatchJSON.equal($0, item) }) {
                merged.append(item)
            }
            return ordered(merged, patchOrder: patch, serverOrder: original, identity: { $0 })
        }

        guard let mergeKey = field.mergeKey else {
            throw PatchError.badRequest("cannot merge lists without merge key for type map")
        }
        let identity: (JSONValue) -> JSONValue? = { $0[mergeKey] }

        var base = original
        var items: [[String: JSONValue]] = []
        var replace = false
        for element in patch {
            let members = element.objectValue!
            guard let directive = members[Directive.marker] else {
                items.append(members)
                continue
            }
            switch directive {
            case .string(Directive.delete):
                guard let keyValue = members[mergeKey] else {
                    throw PatchError.badRequest(Messages.noMergeKey(members, mergeKey))
                }
                base.removeAll { PatchJSON.equal(identity($0), keyValue) }
            case .string(Directive.replace):
                replace = true
            case .string(Directive.merge):
                throw PatchError.badRequest("merging lists cannot yet be specified in the patch")
            default:
                throw PatchError.badRequest(Messages.badPatchType(directive, members))
            }
        }
        if replace {
            return try items.map { .object(try mergeMap([:], $0, at: path.element)) }
        }

        var merged = base
        for item in items {
            guard let keyValue = item[mergeKey] else {
                throw PatchError.badRequest(Messages.noMergeKey(item, mergeKey))
            }
            if let i = merged.firstIndex(where: { PatchJSON.equal(identity($0), keyValue) }),
               case .object(let existing) = merged[i] {
                merged[i] = .object(try mergeMap(existing, item, at: path.element))
            } else {
                merged.append(.object(try mergeMap([:], item, at: path.element)))
            }
        }
        return ordered(merged, patchOrder: items.map(JSONValue.object), serverOrder: base, identity: identity)
    }

    /// True for lists of objects, false for lists of scalars; mixed lists and lists of
    /// lists are errors as upstream.
    func elementsAreObjects(_ lists: [JSONValue]...) throws -> Bool {
        var sawObject = false
        var sawScalar = false
        for list in lists {
            for item in list {
                switch item {
                case .array: throw PatchError.badRequest(Messages.listOfLists)
                case .object: sawObject = true
                default: sawScalar = true
                }
            }
        }
        if sawObject && sawScalar {
            let all = lists.map { Messages.goDescription(.array($0)) }.joined(separator: " ")
            throw PatchError.badRequest("list element types are not identical: [\(all)]")
        }
        return sawObject
    }

    /// `$setElementOrder/<list>`: merge the list as usual, then put the elements the
    /// directive names in its order, interleaving the server-only elements where they
    /// stood relative to them.
    func applySetElementOrder(_ original: inout [String: JSONValue], _ patch: inout [String: JSONValue],
                              at path: SchemaPath) throws {
        for key in patch.keys.sorted() where key.hasPrefix(Directive.setElementOrder) {
            let directive = patch.removeValue(forKey: key)!
            let name = try listName(in: key, prefix: Directive.setElementOrder, error: Messages.setElementOrderFormat)
            guard case .array(let order) = directive else { throw PatchError.badRequest(Messages.setElementOrderFormat) }

            let originalList = try list(original[name])
            let patchList = try list(patch[name])
            let childPath = path.child(name)
            let field = schema.field(at: childPath)
            let mergeKey = field.mergeKey

            if let mergeKey {
                for item in order where item.objectValue?[mergeKey] == nil {
                    guard case .object(let members) = item else {
                        throw PatchError.badRequest(Messages.setElementOrderFormat)
                    }
                    throw PatchError.badRequest(Messages.noMergeKey(members, mergeKey))
                }
            }
            try validate(patchList ?? [], against: order, mergeKey: mergeKey)

            let merged: [JSONValue]
            switch (originalList, patchList) {
            case (let o?, nil):
                merged = o
            case (nil, let p?):
                merged = try fresh(.array(p), field, childPath).arrayValue ?? []
            case (let o?, let p?):
                merged = field.strategy == .merge
                    ? try mergeList(o, p, field, at: childPath)
                    : try fresh(.array(p), field, childPath).arrayValue ?? []
            case (nil, nil):
                continue
            }
            let identity: (JSONValue) -> JSONValue? = { item in mergeKey.map { item[$0] } ?? item }
            original[name] = .array(ordered(merged, patchOrder: order, serverOrder: originalList ?? [],
                                            identity: identity))
            patch[name] = nil
        }
    }

    /// The non-deleting elements of the patch list must appear in the same relative
    /// order in `$setElementOrder` (and be a subset of it).
    func validate(_ patchList: [JSONValue], against order: [JSONValue], mergeKey: String?) throws {
        guard !order.isEmpty, !patchList.isEmpty else { return }
        let candidates = patchList.filter { item in
            guard mergeKey != nil else { return true }
            return item[Directive.marker].map { !PatchJSON.equal($0, .string(Directive.delete)) } ?? true
        }
        var p = 0
        var o = 0
        while p < candidates.count && o < order.count {
            if candidates[p][Directive.marker] != nil {
                p += 1
                continue
            }
            let same: Bool
            if let mergeKey {
                guard case .object(let members) = candidates[p], let value = members[mergeKey] else {
                    throw PatchError.badRequest(
                        Messages.noMergeKey(candidates[p].objectValue ?? [:], mergeKey))
                }
                same = PatchJSON.equal(value, order[o][mergeKey])
            } else {
                same = PatchJSON.equal(candidates[p], order[o])
            }
            if same { p += 1 }
            o += 1
        }
        if p < candidates.count {
            throw PatchError.badRequest(
                "The order in patch list:\n\(Messages.goDescription(.array(patchList)))\n doesn't match "
                    + "\(Directive.setElementOrder) list:\n\(Messages.goDescription(.array(order)))\n")
        }
    }

    /// Upstream's ordering of a merged list: elements named by the patch (or by
    /// `$setElementOrder`) in patch order, server-only elements in their old order, the
    /// two interleaved by their old positions. New elements therefore come before the
    /// server-only elements that follow no patch element.
    func ordered(_ merged: [JSONValue], patchOrder: [JSONValue], serverOrder: [JSONValue],
                 identity: (JSONValue) -> JSONValue?) -> [JSONValue] {
        func position(of item: JSONValue, in list: [JSONValue]) -> Int? {
            guard let id = identity(item) else { return nil }
            return list.firstIndex { PatchJSON.equal(identity($0), id) }
        }
        func sorted(_ items: [JSONValue], by list: [JSONValue]) -> [JSONValue] {
            items.enumerated()
                .map { (rank: position(of: $0.element, in: list) ?? Int.max, offset: $0.offset, item: $0.element) }
                .sorted { ($0.rank, $0.offset) < ($1.rank, $1.offset) }
                .map(\.item)
        }

        var fromPatch: [JSONValue] = []
        var serverOnly: [JSONValue] = []
        for item in merged {
            if position(of: item, in: patchOrder) != nil {
                fromPatch.append(item)
            } else {
                serverOnly.append(item)
            }
        }
        let left = sorted(serverOnly, by: serverOrder)
        let right = sorted(fromPatch, by: patchOrder)

        var result: [JSONValue] = []
        result.reserveCapacity(merged.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if j >= right.count {
                result.append(left[i])
                i += 1
            } else if i >= left.count {
                result.append(right[j])
                j += 1
            } else if let l = position(of: left[i], in: serverOrder), let r = position(of: right[j], in: serverOrder),
                      l < r {
                result.append(left[i])
                i += 1
            } else {
                result.append(right[j])
                j += 1
            }
        }
        return result
    }

    // MARK: Helpers

    /// `$setElementOrder/containers` → `containers`.
    func listName(in key: String, prefix: String, error: String) throws -> String {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == prefix else { throw PatchError.badRequest(error) }
        return String(parts[1])
    }

    func list(_ value: JSONValue?) throws -> [JSONValue]? {
        guard let value else { return nil }
        guard case .array(let items) = value else {
            throw PatchError.badRequest("expected a list, but received \(Messages.goDescription(value))")
        }
        return items
    }
}
