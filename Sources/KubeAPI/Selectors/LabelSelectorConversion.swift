// meta/v1 LabelSelector (`{"matchLabels":{...},"matchExpressions":[...]}`) to a
// LabelSelectorQuery, as upstream's metav1.LabelSelectorAsSelector, plus the
// FormatLabelSelector helper the printers use.

extension LabelSelectorQuery {
    /// metav1.LabelSelectorAsSelector over the JSON form of a meta/v1 LabelSelector.
    ///
    /// - A nil, absent or JSON `null` selector converts to `.nothing` (matches no object),
    ///   as upstream does for a nil `*LabelSelector`.
    /// - An empty selector (`{}`, or empty matchLabels and matchExpressions) converts to
    ///   `.everything` (matches every object).
    /// - Otherwise each matchLabels entry becomes `key=value` and each matchExpression
    ///   `key In|NotIn|Exists|DoesNotExist values`, validated as labels.NewRequirement
    ///   does; an unknown operator fails with `"Foo" is not a valid label selector operator`.
    public static func fromLabelSelector(_ selector: JSONValue?) throws -> LabelSelectorQuery {
        guard let selector, !selector.isNull else { return .nothing }
        guard let object = selector.objectValue else {
            throw SelectorQueryError("label selector must be an object")
        }
        let matchLabels = object["matchLabels"]?.objectValue ?? [:]
        let expressions = object["matchExpressions"]?.arrayValue ?? []
        if matchLabels.isEmpty && expressions.isEmpty { return .everything }

        var requirements: [Requirement] = []
        // Go iterates the map in random order and stops at the first error; sort for determinism.
        for key in matchLabels.keys.sorted(by: selectorGoLess) {
            let value = matchLabels[key]?.stringValue ?? ""
            requirements.append(try Requirement(validatingKey: key, op: .equals, values: [value], valuesWereNil: false))
        }
        for expr in expressions {
            let key = expr["key"]?.stringValue ?? ""
            let opName = expr["operator"]?.stringValue ?? ""
            let op: Operator
            switch opName {
            case "In": op = .isIn
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default: throw SelectorQueryError("\(SelectorGoFormat.quote(opName)) is not a valid label selector operator")
            }
            let values = (expr["values"]?.arrayValue ?? []).map { $0.stringValue ?? "" }
            requirements.append(try Requirement(validatingKey: key, op: op, values: values,
                                                valuesWereNil: values.isEmpty))
        }
        return LabelSelectorQuery(requirements: requirements)
    }

    /// metav1.FormatLabelSelector: the selector's string form, `<none>` when it is empty
    /// (or nil), `<error>` when it does not convert.
    public static func formatLabelSelector(_ selector: JSONValue?) -> String {
        guard let q = try? fromLabelSelector(selector) else { return "<error>" }
        let s = q.description
        return s.isEmpty ? "<none>" : s
    }
}
