import Foundation
import KubeAPI

/// Whether and when a Pod must leave a node with NoExecute taints (upstream's taint
/// manager): at once if some taint is not tolerated; after the shortest `tolerationSeconds`
/// of the tolerations used, counted from when the taint was added; never if every
/// toleration used is unbounded.
enum TaintEviction: Equatable {
    case stay
    case now
    case at(Date)

    init(tolerations: [Toleration], taints: [Taint], now: Date) {
        let noExecute = taints.filter { $0.effect == "NoExecute" }
        guard !noExecute.isEmpty else {
            self = .stay
            return
        }
        var shortest: Int64?
        for taint in noExecute {
            let used = tolerations.filter { $0.tolerates(taint) }
            guard !used.isEmpty else {
                self = .now
                return
            }
            for seconds in used.compactMap(\.tolerationSeconds) { shortest = min(shortest ?? .max, max(seconds, 0)) }
        }
        guard let shortest else {
            self = .stay
            return
        }
        let added = noExecute.compactMap { $0.timeAdded.flatMap(ObjectMetaRules.parseTimestamp) }.max() ?? now
        let deadline = added.addingTimeInterval(TimeInterval(shortest))
        self = deadline <= now ? .now : .at(deadline)
    }
}
