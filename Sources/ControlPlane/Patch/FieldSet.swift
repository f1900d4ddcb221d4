#if !STANDALONE_CHECK
import KubeAPI
#endif

/// One step of a structured-merge-diff field path.
public enum FieldPathElement: Hashable, Sendable {
    /// A member of an object: `f:replicas`, shown as `.replicas`.
    case field(String)
    /// An element of a list map, by its key fields: `k:{"name":"web"}`, shown as `[name="web"]`.
    case key(JSONValue)
    /// An element of a set: `v:"example.com/finalizer"`, shown as `[="example.com/finalizer"]`.
    case value(JSONValue)
    /// A list element by position: `i:0`, shown as `[0]`.
    case index(Int)

    /// Parses a member name of a FieldsV1 object.
    public init?(fieldsV1Key text: String) {
        guard text.count >= 2, text.dropFirst().first == ":" else { return nil }
        let body = String(text.dropFirst(2))
        switch text.first {
        case "f": self = .field(body)
        case "k":
            guard let key = PatchJSON.parse(body), case .object = key else { return nil }
            self = .key(PatchJSON.normalized(key))
        case "v":
            guard let value = PatchJSON.parse(body) else { return nil }
            self = .value(PatchJSON.normalized(value))
        case "i":
            guard let i = Int(body) else { return nil }
            self = .index(i)
        default: return nil
        }
    }

    /// The member name in a FieldsV1 object.
    public var fieldsV1Key: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let key): return "k:" + PatchJSON.canonical(key)
        case .value(let value): return "v:" + PatchJSON.canonical(value)
        case .index(let i): return "i:\(i)"
        }
    }

    /// The form upstream prints in conflict messages.
    public var pathText: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let key):
            let members = key.objectValue ?? [:]
            return "[" + members.keys.sorted().map { "\($0)=\(PatchJSON.canonical(members[$0]!))" }
                .joined(separator: ",") + "]"
        case .value(let value): return "[=\(PatchJSON.canonical(value))]"
        case .index(let i): return "[\(i)]"
        }
    }
}

/// A set of field paths in the shape of the object: the FieldsV1 format of
/// `metadata.managedFields`.
///
/// A node is a member of the set itself when it is a leaf (`{}`) or carries a `"."`
/// entry; inner nodes without `"."` only lead to members below them.
public struct FieldSet: Hashable, Sendable {
    var isMember = false
    var children: [FieldPathElement: FieldSet] = [:]

    public init() {}

    /// Reads FieldsV1 JSON. Members it cannot parse are skipped, so one odd entry
    /// written by another server does not lose the rest.
    public init(fieldsV1: JSONValue) {
        self.init(node: fieldsV1)
        isMember = false  // the root is the object itself, never a field
    }

    private init(node: JSONValue) {
        guard case .object(let members) = node else { return }
        if members.isEmpty {
            isMember = true
            return
        }
        for (name, child) in members {
            if name == "." {
                isMember = true
            } else if let element = FieldPathElement(fieldsV1Key: name) {
                let set = FieldSet(node: child)
                if !set.isEmpty { children[element] = set }
            }
        }
    }

    static let leaf: FieldSet = {
        var set = FieldSet()
        set.isMember = true
        return set
    }()

    public var fieldsV1: JSONValue {
        var members: [String: JSONValue] = [:]
        for (element, child) in children {
            members[element.fieldsV1Key] = child.fieldsV1
        }
        if isMember && !members.isEmpty {
            members["."] = .emptyObject
        }
        return .object(members)
    }

    public var isEmpty: Bool { !isMember && children.isEmpty }

    /// Every member path, in a stable order.
    public var paths: [[FieldPathElement]] {
        var result: [[FieldPathElement]] = []
        collect(prefix: [], into: &result)
        return result.sorted { FieldSet.render($0) < FieldSet.render($1) }
    }

    private func collect(prefix: [FieldPathElement], into result: inout [[FieldPathElement]]) {
        if isMember { result.append(prefix) }
        for (element, child) in children {
            child.collect(prefix: prefix + [element], into: &result)
        }
    }

    /// `.spec.template.spec.containers[name="web"].image`
    public static func render(_ path: [FieldPathElement]) -> String {
        path.map(\.pathText).joined()
    }

    public func contains(_ path: [FieldPathElement]) -> Bool {
        node(at: path[...])?.isMember ?? false
    }

    /// True when the path or anything below it is a member.
    func hasMember(atOrBelow path: [FieldPathElement]) -> Bool {
        guard let node = node(at: path[...]) else { return false }
        return !node.isEmpty
    }

    private func node(at path: ArraySlice<FieldPathElement>) -> FieldSet? {
        guard let first = path.first else { return self }
        return children[first]?.node(at: path.dropFirst())
    }

    public mutating func insert(_ path: [FieldPathElement]) {
        insert(path[...])
    }

    private mutating func insert(_ path: ArraySlice<FieldPathElement>) {
        guard let first = path.first else {
            isMember = true
            return
        }
        children[first, default: FieldSet()].insert(path.dropFirst())
    }

    public func union(_ other: FieldSet) -> FieldSet {
        var result = self
        result.isMember = isMember || other.isMember
        for (element, child) in other.children {
            result.children[element] = result.children[element].map { $0.union(child) } ?? child
        }
        return result
    }

    public func subtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.isMember = isMember && !other.isMember
        for (element, child) in children {
            let rest = other.children[element].map { child.subtracting($0) } ?? child
            if !rest.isEmpty { result.children[element] = rest }
        }
        return result
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.isMember = isMember && other.isMember
        for (element, child) in children {
            guard let theirs = other.children[element] else { continue }
            let common = child.intersection(theirs)
            if !common.isEmpty { result.children[element] = common }
        }
        return result
    }

    /// Removes every member of `other` together with everything below it: what is left
    /// when those fields disappear from the object.
    func removingSubtrees(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.isMember = isMember
        for (element, child) in children {
            guard let theirs = other.children[element] else {
                result.children[element] = child
                continue
            }
            if theirs.isMember { continue }
            let rest = child.removingSubtrees(theirs)
            if !rest.isEmpty { result.children[element] = rest }
        }
        return result
    }
}
