/// A parsed label selector: the `labelSelector=` query-string form of k8s.io/apimachinery
/// `labels.Selector` (not the meta/v1 `LabelSelector` API struct; see
/// `LabelSelectorQuery.fromLabelSelector(_:)` for converting that one).
///
/// Requirements are ANDed and kept sorted by key, as upstream's parser does, so
/// `description` is upstream's `Selector.String()`.
public struct LabelSelectorQuery: Hashable, Sendable, CustomStringConvertible {
    /// selection.Operator; raw values are upstream's strings.
    public enum Operator: String, Hashable, Sendable, CaseIterable {
        case doesNotExist = "!"
        case equals = "="
        case doubleEquals = "=="
        case isIn = "in"
        case notEquals = "!="
        case notIn = "notin"
        case exists = "exists"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    /// One `key op values` term (labels.Requirement).
    public struct Requirement: Hashable, Sendable, CustomStringConvertible {
        public let key: String
        public let op: Operator
        /// The values as given (the parser gives them sorted and de-duplicated).
        public let values: [String]

        /// Builds a requirement after upstream's validation (labels.NewRequirement).
        public init(key: String, op: Operator, values: [String]) throws {
            try self.init(validatingKey: key, op: op, values: values, valuesWereNil: false)
        }

        init(validatingKey key: String, op: Operator, values: [String], valuesWereNil: Bool) throws {
            var errors: [String] = []
            let keyErrs = SelectorValidation.labelKeyErrors(key)
            if !keyErrs.isEmpty {
                errors.append(SelectorFieldInvalidError(path: "key", value: .string(key), detail: keyErrs.joined(separator: "; ")).message)
            }
            let badValues = SelectorFieldInvalidError.BadValue.strings(valuesWereNil ? nil : values)
            switch op {
            case .isIn, .notIn:
                if values.isEmpty {
                    errors.append(SelectorFieldInvalidError(path: "values", value: badValues,
                        detail: "for 'in', 'notin' operators, values set can't be empty").message)
                }
            case .equals, .doubleEquals, .notEquals:
                if values.count != 1 {
                    errors.append(SelectorFieldInvalidError(path: "values", value: badValues,
                        detail: "exact-match compatibility requires one single value").message)
                }
            case .exists, .doesNotExist:
                if !values.isEmpty {
                    errors.append(SelectorFieldInvalidError(path: "values", value: badValues,
                        detail: "values set must be empty for exists and does not exist").message)
                }
            case .greaterThan, .lessThan:
                if values.count != 1 {
                    errors.append(SelectorFieldInvalidError(path: "values", value: badValues,
                        detail: "for 'Gt', 'Lt' operators, exactly one value is required").message)
                }
                for (i, v) in values.enumerated() where Int64(v) == nil {
                    errors.append(SelectorFieldInvalidError(path: "values[\(i)]", value: .string(v),
                        detail: "for 'Gt', 'Lt' operators, the value must be an integer").message)
                }
            }
            for (i, v) in values.enumerated() {
                let errs = SelectorValidation.labelValueErrors(v)
                if !errs.isEmpty {
                    errors.append(SelectorFieldInvalidError(path: "values[\(i)][\(key)]", value: .string(v),
                        detail: errs.joined(separator: "; ")).message)
                }
            }
            if let message = SelectorAggregateMessage.join(errors) { throw SelectorQueryError(message) }
            self.key = key
            self.op = op
            self.values = values
        }

        /// A requirement taken as is, without validation (labels.SelectorFromValidatedSet).
        public init(unvalidatedKey key: String, op: Operator, values: [String]) {
            self.key = key
            self.op = op
            self.values = values
        }

        public func matches(_ labels: [String: String]) -> Bool {
            switch op {
            case .isIn, .equals, .doubleEquals:
                guard let v = labels[key] else { return false }
                return values.contains(v)
            case .notIn, .notEquals:
                guard let v = labels[key] else { return true }
                return !values.contains(v)
            case .exists:
                return labels[key] != nil
            case .doesNotExist:
                return labels[key] == nil
            case .greaterThan, .lessThan:
                guard let v = labels[key], let have = Int64(v), values.count == 1, let want = Int64(values[0]) else {
                    return false
                }
                return op == .greaterThan ? have > want : have < want
            }
        }

        /// Requirement.String()
        public var description: String {
            var s = op == .doesNotExist ? "!" : ""
            s += key
            switch op {
            case .equals: s += "="
            case .doubleEquals: s += "=="
            case .notEquals: s += "!="
            case .isIn: s += " in "
            case .notIn: s += " notin "
            case .greaterThan: s += ">"
            case .lessThan: s += "<"
            case .exists, .doesNotExist: return s
            }
            let joined = values.count == 1 ? values[0] : values.sorted(by: selectorGoLess).joined(separator: ",")
            if op == .isIn || op == .notIn { return s + "(" + joined + ")" }
            return s + joined
        }
    }

    /// The ANDed requirements, sorted by key.
    public private(set) var requirements: [Requirement]
    /// True for upstream's `labels.Nothing()`: matches no object at all.
    public private(set) var matchesNothing: Bool

    /// Selects everything (an empty selector).
    public static let everything = LabelSelectorQuery(requirements: [])
    /// Selects nothing (labels.Nothing(), what a nil meta/v1 LabelSelector converts to).
    public static let nothing = LabelSelectorQuery(requirements: [], matchesNothing: true)

    /// A selector of the given requirements (sorted by key, stably).
    public init(requirements: [Requirement]) {
        self.init(requirements: requirements, matchesNothing: false)
    }

    private init(requirements: [Requirement], matchesNothing: Bool) {
        self.requirements = LabelSelectorQuery.sortedByKey(requirements)
        self.matchesNothing = matchesNothing
    }

    /// labels.SelectorFromSet: `k1=v1,k2=v2` without validation; an empty set selects everything.
    public init(matchLabels: [String: String]) {
        self.init(requirements: matchLabels.map { Requirement(unvalidatedKey: $0.key, op: .equals, values: [$0.value]) })
    }

    /// labels.Parse: parses the query-string form (`a=b,c!=d,e in (x,y),!f`).
    /// The empty string selects everything. Errors carry upstream's messages.
    public init(parsing selector: String) throws {
        var parser = LabelSelectorParser(selector)
        self.init(requirements: try parser.parse())
    }

    /// labels.Parse, as a static function.
    public static func parse(_ selector: String) throws -> LabelSelectorQuery {
        try LabelSelectorQuery(parsing: selector)
    }

    /// Empty(): true when the selector does not restrict anything (never for `nothing`).
    public var isEmpty: Bool { !matchesNothing && requirements.isEmpty }

    /// True when every requirement matches the labels.
    public func matches(_ labels: [String: String]) -> Bool {
        if matchesNothing { return false }
        return requirements.allSatisfy { $0.matches(labels) }
    }

    /// Matches an object given as JSON by its `metadata.labels`.
    public func matches(object: JSONValue) -> Bool {
        matches(LabelSelectorQuery.labels(of: object))
    }

    /// RequiresExactMatch: the single value the selector requires for `label`, if any.
    public func requiresExactMatch(_ label: String) -> String? {
        guard let r = requirements.first(where: { $0.key == label }) else { return nil }
        switch r.op {
        case .equals, .doubleEquals, .isIn: return r.values.count == 1 ? r.values[0] : nil
        default: return nil
        }
    }

    /// Adds requirements (Selector.Add), keeping them sorted by key.
    public func adding(_ more: [Requirement]) -> LabelSelectorQuery {
        if matchesNothing { return self }
        return LabelSelectorQuery(requirements: requirements + more)
    }

    /// Selector.String(): requirements joined by ",", e.g. `app=web,tier in (a,b)`.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    /// `metadata.labels` of an object as a string map (non-string values are skipped).
    public static func labels(of object: JSONValue) -> [String: String] {
        guard let o = object[path: ["metadata", "labels"]]?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in o { if let s = v.stringValue { out[k] = s } }
        return out
    }

    static func sortedByKey(_ reqs: [Requirement]) -> [Requirement] {
        reqs.enumerated().sorted { a, b in
            if a.element.key != b.element.key { return selectorGoLess(a.element.key, b.element.key) }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// Go's string ordering (bytewise).
@inline(__always)
func selectorGoLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

extension LabelSelectorQuery {
    /// labels.FormatLabels: `k=v` pairs sorted by key, or `<none>` when empty.
    public static func formatLabels(_ labels: [String: String]) -> String {
        let s = labels.keys.sorted(by: selectorGoLess).map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")
        return s.isEmpty ? "<none>" : s
    }

    /// labels.FormatLabels over a JSON object of strings (as in `spec.selector` of a Service).
    public static func formatLabels(_ json: JSONValue?) -> String {
        var m: [String: String] = [:]
        for (k, v) in json?.objectValue ?? [:] { m[k] = v.stringValue ?? "" }
        return formatLabels(m)
    }
}
