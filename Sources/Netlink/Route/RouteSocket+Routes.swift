internal import CNetfilter
import Glibc

extension RouteSocket {
    /// `ip route add ROUTE`. Throws EEXIST when the table has a route to the same destination
    /// (with the same metric) already.
    public func addRoute(_ route: Route) throws {
        try execute(routeMessage(RTM_NEWROUTE, flags: NLM_F_CREATE | NLM_F_EXCL, route), operation: "add route", object: route.description)
    }

    /// `ip route replace ROUTE`: adds it, or replaces the route to the same destination (and
    /// metric). What a resync wants: the result does not depend on what was there.
    public func replaceRoute(_ route: Route) throws {
        try execute(routeMessage(RTM_NEWROUTE, flags: NLM_F_CREATE | NLM_F_REPLACE, route), operation: "replace route",
                    object: route.description)
    }

    /// `ip route del ROUTE`: the fields given (gateway, link, metric) must match; scope and
    /// protocol are wildcards. Throws ESRCH when there is no such route.
    public func deleteRoute(_ route: Route) throws {
        try execute(routeMessage(RTM_DELROUTE, flags: 0, route), operation: "delete route", object: route.description,
                    missing: "no such route")
    }

    /// The routes of the table (main by default) of `family`, optionally only those through
    /// `link`: unicast routes as `ip route show` lists them.
    public func routes(family: IPFamily, link: LinkReference? = nil, table: UInt32 = Route.mainTable) throws -> [Route] {
        let index = try link.map { try self.index(of: $0) }
        var header = rtmsg()
        header.rtm_family = family.addressFamily
        let message = RouteMessage(type: RTM_GETROUTE, flags: 0, header)
        return try list(message, replyType: RTM_NEWROUTE, operation: "list routes", object: "\(family)") {
            guard let (route, type) = Route.parse(message: $0), route.table == table, type == UInt8(RTN_UNICAST),
                  route.family == family, index.map({ $0 == route.linkIndex }) ?? true
            else { return nil }
            return route
        }
    }

    private func routeMessage(_ type: Int, flags: Int32, _ route: Route) -> RouteMessage {
        var header = rtmsg()
        header.rtm_family = route.family.addressFamily
        header.rtm_dst_len = UInt8(route.destination.prefixLength)
        header.rtm_table = route.table < 256 ? UInt8(route.table) : UInt8(RT_TABLE_UNSPEC.rawValue)
        if type == RTM_DELROUTE {
            // As `ip route del`: scope "nowhere" and protocol/type 0 match any.
            header.rtm_scope = route.scope?.rawValue ?? RouteScope.nowhere.rawValue
        } else {
            header.rtm_scope = route.effectiveScope.rawValue
            header.rtm_protocol = route.proto
            header.rtm_type = UInt8(RTN_UNICAST)
        }
        if route.onLink { header.rtm_flags = UInt32(RTNH_F_ONLINK) }
        let message = RouteMessage(type: type, flags: flags, header)
        if route.destination.prefixLength > 0 { message.put(RTA_DST.rawValue, address: route.destination.address) }
        if let gateway = route.gateway { message.put(RTA_GATEWAY.rawValue, address: gateway) }
        if let linkIndex = route.linkIndex { message.put(RTA_OIF.rawValue, u32: UInt32(bitPattern: linkIndex)) }
        if let source = route.source { message.put(RTA_PREFSRC.rawValue, address: source) }
        if let metric = route.metric { message.put(RTA_PRIORITY.rawValue, u32: metric) }
        message.put(RTA_TABLE.rawValue, u32: route.table)
        return message
    }
}

extension Route {
    /// From one RTM_NEWROUTE message (an `rtmsg`, then RTA_* attributes), with its RTN_* type.
    static func parse(message: UnsafePointer<nlmsghdr>) -> (Route, UInt8)? {
        guard message.pointee.nlmsg_len >= UInt32(MemoryLayout<nlmsghdr>.size + MemoryLayout<rtmsg>.size) else { return nil }
        let header = UnsafeRawPointer(message).loadUnaligned(fromByteOffset: MemoryLayout<nlmsghdr>.size, as: rtmsg.self)
        let family: IPFamily
        switch header.rtm_family {
        case 2: family = .ipv4
        case 10: family = .ipv6
        default: return nil
        }
        var destination: IPAddress = family == .ipv4 ? IPAddress(ipv4: 0) : IPAddress(ipv6High: 0, low: 0)
        var gateway: IPAddress?, source: IPAddress?
        var linkIndex: Int32?, metric: UInt32?
        var table = UInt32(header.rtm_table)
        for attribute in NetlinkAttributes(message: message, headerSize: MemoryLayout<rtmsg>.size) {
            switch UInt32(attribute.type) {
            case RTA_DST.rawValue: destination = attribute.ipAddress ?? destination
            case RTA_GATEWAY.rawValue: gateway = attribute.ipAddress
            case RTA_OIF.rawValue: linkIndex = attribute.int32
            case RTA_PREFSRC.rawValue: source = attribute.ipAddress
            case RTA_PRIORITY.rawValue: metric = attribute.u32
            case RTA_TABLE.rawValue: table = attribute.u32 ?? table
            default: break
            }
        }
        guard let prefix = IPPrefix(address: destination, prefixLength: Int(header.rtm_dst_len)) else { return nil }
        let route = Route(destination: prefix, gateway: gateway, linkIndex: linkIndex,
                          onLink: header.rtm_flags & UInt32(RTNH_F_ONLINK) != 0,
                          scope: RouteScope(rawValue: header.rtm_scope), source: source, metric: metric,
                          table: table, proto: header.rtm_protocol)
        return (route, header.rtm_type)
    }
}
