extension LabelSelector {
    /// Whether `labels` satisfy this selector, as upstream's LabelSelectorAsSelector: every
    /// `matchLabels` pair and every expression (In, NotIn, Exists, DoesNotExist). An empty
    /// selector matches everything; an unknown operator matches nothing.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        for r in matchExpressions ?? [] {
            let value = labels[r.key ?? ""]
            let values = r.values ?? []
            switch r.operator {
            case "In": if !(value.map(values.contains) ?? false) { return false }
            case "NotIn": if let value, values.contains(value) { return false }
            case "Exists": if value == nil { return false }
            case "DoesNotExist": if value != nil { return false }
            default: return false
            }
        }
        return true
    }
}

extension Optional where Wrapped == LabelSelector {
    /// A nil selector selects nothing (upstream).
    public func matches(_ labels: [String: String]) -> Bool { self?.matches(labels) ?? false }
}
