import Netlink

/// Deletes the UDP conntrack entries a plan marks stale, as kube-proxy's
/// conntrack.CleanStaleEntries does: dump the UDP entries of each family, judge each by its
/// original destination (the frontend the client sent to) and its reply source (the endpoint
/// it was DNATed to), delete the stale ones by tuple and id.
///
/// It works on the table of the namespace its socket was opened in; in the proxy that is the
/// syncer's thread (`ProxySyncer.cleanUpStaleUDPConntrack`). Run it after the sync that
/// programmed the new endpoints: a client's next datagram then creates a fresh entry through
/// the new rules instead of being DNATed by the old entry again.
public struct UDPConntrackCleaner {
    public let socket: ConntrackSocket

    public init(socket: ConntrackSocket) {
        self.socket = socket
    }

    public func clean(_ plan: UDPConntrackCleanupPlan, families: [IPFamily]) throws -> ConntrackCleanupReport {
        var report = ConntrackCleanupReport()
        guard !plan.isEmpty else { return report }
        let start = ContinuousClock.now
        // The whole dump is read before any delete: the kernel refuses a new request on a
        // socket whose dump is still being read.
        for family in Set(families).sorted() {
            let entries = try socket.dump(family: family, l4Protocol: TransportProtocol.udp.ipProtocolNumber)
            report.scanned += entries.count
            let stale = entries.filter { entry in
                plan.shouldDelete(originalDestination: entry.original.destination,
                                  originalDestinationPort: entry.original.destinationPort,
                                  replySource: entry.reply.source)
            }
            guard !stale.isEmpty else { continue }
            let deletion = try socket.delete(stale)
            report.deleted += deletion.deleted
            report.alreadyGone += deletion.alreadyGone
        }
        report.duration = ContinuousClock.now - start
        return report
    }
}
