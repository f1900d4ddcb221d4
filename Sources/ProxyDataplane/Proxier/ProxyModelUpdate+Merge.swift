extension ProxyModelUpdate {
    /// This update followed by `later`: what both together changed. For carrying the work a
    /// failed sync applied into the next one (its changes are in the model by then, but the
    /// follow-ups — conntrack, health checks, gauges — still have to happen).
    func merged(with later: ProxyModelUpdate) -> ProxyModelUpdate {
        if isEmpty && services.skips.isEmpty { return later }
        var merged = later
        merged.changedServicePorts.formUnion(changedServicePorts)
        merged.changedServices.formUnion(changedServices)
        merged.udpConntrackCleanups = udpConntrackCleanups + later.udpConntrackCleanups
        merged.removedUDPFrontends = removedUDPFrontends + later.removedUDPFrontends
        merged.services.skips = services.skips + later.services.skips
        return merged
    }
}
