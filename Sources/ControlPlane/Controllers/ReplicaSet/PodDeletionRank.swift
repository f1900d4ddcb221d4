import KubeAPI

/// Which Pods a ReplicaSet scaling down deletes first, as upstream's ActivePods ordering:
/// not yet on a node before on one; Pending before Unknown before Running; not ready before
/// ready; ready for less time before longer; more container restarts before fewer; newer
/// before older.
enum PodDeletionRank {
    static func deleteFirst(_ a: Pod, _ b: Pod) -> Bool {
        let aUnassigned = (a.spec?.nodeName ?? "").isEmpty, bUnassigned = (b.spec?.nodeName ?? "").isEmpty
        if aUnassigned != bUnassigned { return aUnassigned }
        let aPhase = phaseRank(a), bPhase = phaseRank(b)
        if aPhase != bPhase { return aPhase < bPhase }
        let aReady = PodEndpoints.isReady(a), bReady = PodEndpoints.isReady(b)
        if aReady != bReady { return !aReady }
        if aReady, let at = readySince(a), let bt = readySince(b), at != bt { return at > bt }
        let aRestarts = restarts(a), bRestarts = restarts(b)
        if aRestarts != bRestarts { return aRestarts > bRestarts }
        let aCreated = a.metadata?.creationTimestamp ?? "", bCreated = b.metadata?.creationTimestamp ?? ""
        if aCreated != bCreated { return aCreated > bCreated }
        return (a.metadata?.name ?? "") < (b.metadata?.name ?? "")
    }

    private static func phaseRank(_ pod: Pod) -> Int {
        switch pod.status?.phase {
        case "Pending", nil: 0
        case "Unknown": 1
        default: 2
        }
    }

    static func readySince(_ pod: Pod) -> String? {
        pod.status?.conditions?.first { $0.type == "Ready" && $0.status == "True" }?.lastTransitionTime
    }

    private static func restarts(_ pod: Pod) -> Int32 {
        (pod.status?.containerStatuses ?? []).reduce(0) { $0 + ($1.restartCount ?? 0) }
    }
}
