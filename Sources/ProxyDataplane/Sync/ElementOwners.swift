/// The owners (service ports, or the skeleton) that want one element of a shared set, with
/// the element each wants. Almost every element has exactly one owner, so that case is held
/// inline: at 10k Services a dictionary per element cost ~17 MB of the proxy's memory.
struct ElementOwners: Sendable, Equatable {
    private enum Storage: Sendable, Equatable {
        case none
        case one(RulesetOwner, ElementSpec)
        case many([RulesetOwner: ElementSpec])
    }

    private var storage = Storage.none

    init() {}

    var isEmpty: Bool {
        if case .none = storage { return true }
        return false
    }

    subscript(owner: RulesetOwner) -> ElementSpec? {
        get {
            switch storage {
            case .none: return nil
            case .one(let o, let e): return o == owner ? e : nil
            case .many(let all): return all[owner]
            }
        }
        set {
            switch (storage, newValue) {
            case (.none, nil): break
            case (.none, let e?): storage = .one(owner, e)
            case (.one(let o, _), nil): if o == owner { storage = .none }
            case (.one(let o, let old), let e?):
                storage = o == owner ? .one(owner, e) : .many([o: old, owner: e])
            case (.many(var all), _):
                all[owner] = newValue
                switch all.count {
                case 0: storage = .none
                case 1: storage = .one(all.first!.key, all.first!.value)
                default: storage = .many(all)
                }
            }
        }
    }

    /// The element programmed for the key: the smallest owner's.
    var effective: ElementSpec? {
        switch storage {
        case .none: return nil
        case .one(_, let e): return e
        case .many(let all): return all.min(by: { $0.key < $1.key })?.value
        }
    }
}
