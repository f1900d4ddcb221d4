import Foundation
import Netlink

/// The ruleset shape the proxy will program (kube-proxy's nftables mode, in miniature),
/// written twice: through the library, and as nft text for `nft -f`, so the two can be
/// compared object for object.
enum ServiceRuleset {
    static let table = NFTTableID(.inet, "skiff-test")
    static let masqueradeBit: UInt32 = 0x4000

    static func add(to batch: NFTBatch) {
        let t = table
        batch.add(NFTTable(.inet, t.name))
        batch.add(NFTSet.map(table: t, name: "service-ips", key: [.ipv4Addr, .inetProto, .inetService], data: .verdict))
        batch.add(NFTSet.map(table: t, name: "service-ips-v6", key: [.ipv6Addr, .inetProto, .inetService], data: .verdict))
        for name in ["services", "mark-for-masquerade", "svc-api", "ep-api-0", "ep-api-1", "svc-dns", "ep-dns-0",
                     "svc-v6", "ep-v6-0", "svc-cascade"] {
            batch.add(NFTChain(table: t, name: name))
        }
        batch.add(NFTChain(table: t, name: "nat-prerouting",
                           base: .init(type: .nat, hook: .prerouting, priority: NFTChain.Priority.dstnat)))
        batch.add(NFTChain(table: t, name: "nat-output",
                           base: .init(type: .nat, hook: .output, priority: NFTChain.Priority.dstnat)))
        batch.add(NFTChain(table: t, name: "nat-postrouting",
                           base: .init(type: .nat, hook: .postrouting, priority: NFTChain.Priority.srcnat)))
        batch.add(NFTChain(table: t, name: "filter-output",
                           base: .init(type: .filter, hook: .output, priority: NFTChain.Priority.filter)))

        func rule(_ chain: String, _ parts: [NFTExpr]..., comment: String? = nil) {
            batch.add(NFTRule(table: t, chain: chain, parts: parts, comment: comment))
        }
        let ip = { (text: String) in NFTValue(ip: text)! }
        rule("services", NFT.vmap([.ipDaddr, .l4proto, .thDport], map: "service-ips", family: .inet))
        rule("services", NFT.vmap([.ip6Daddr, .l4proto, .thDport], map: "service-ips-v6", family: .inet))
        rule("nat-prerouting", [.verdict(.jump("services"))])
        rule("nat-output", [.verdict(.jump("services"))])
        rule("nat-postrouting", NFT.matchMark(mask: masqueradeBit, .eq, 0), [.verdict(.return)])
        rule("nat-postrouting", NFT.setMark(xor: masqueradeBit))
        rule("nat-postrouting", [.masquerade(flags: NFTExpr.NAT.protoRandomFully)])
        rule("mark-for-masquerade", NFT.setMark(or: masqueradeBit))
        rule("svc-api", NFT.match(.ipSaddr, prefix: "10.244.0.0/16", negated: true, family: .inet)!,
             [.verdict(.jump("mark-for-masquerade"))])
        rule("svc-api", NFT.numgenVmap([.goto("ep-api-0"), .goto("ep-api-1")]), comment: "default/kubernetes:https")
        for (i, address) in ["10.244.1.5", "10.244.2.6"].enumerated() {
            rule("ep-api-\(i)", NFT.match(.ipSaddr, .eq, ip(address), family: .inet), [.verdict(.jump("mark-for-masquerade"))])
            rule("ep-api-\(i)", NFT.match(.l4proto, .eq, .tcp, family: .inet), NFT.dnat(to: ip(address), port: 6443))
        }
        rule("svc-dns", NFT.numgenVmap([.goto("ep-dns-0")]))
        for parts in NFT.numgenCascade([.goto("ep-api-0"), .goto("ep-api-1")]) { rule("svc-cascade", parts) }
        rule("ep-dns-0", NFT.match(.l4proto, .eq, .udp, family: .inet), NFT.dnat(to: ip("10.244.2.7"), port: 53))
        rule("svc-v6", NFT.numgenVmap([.goto("ep-v6-0")]))
        rule("ep-v6-0", NFT.match(.l4proto, .eq, .tcp, family: .inet), NFT.dnat(to: ip("fd00:10:244::5"), port: 8080))
        rule("filter-output", NFT.match(.ipDaddr, .eq, ip("10.96.0.99"), family: .inet),
             NFT.match(.l4proto, .eq, .tcp, family: .inet), NFT.match(.thDport, .eq, .inetService(80), family: .inet),
             [.reject(.tcpReset)])

        batch.add(elements: [
            NFTSetElement([ip("10.96.0.1"), .tcp, .inetService(443)], .goto("svc-api")),
            NFTSetElement([ip("10.96.0.10"), .udp, .inetService(53)], .goto("svc-dns")),
            NFTSetElement([ip("10.96.0.10"), .tcp, .inetService(53)], .goto("svc-dns")),
        ], to: "service-ips", in: t)
        batch.add(elements: [NFTSetElement([ip("fd00:96::1"), .tcp, .inetService(80)], .goto("svc-v6"))],
                  to: "service-ips-v6", in: t)
    }

    static let nftText = """
        add table inet skiff-test
        add map inet skiff-test service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }
        add map inet skiff-test service-ips-v6 { type ipv6_addr . inet_proto . inet_service : verdict; }
        add chain inet skiff-test services
        add chain inet skiff-test mark-for-masquerade
        add chain inet skiff-test svc-api
        add chain inet skiff-test ep-api-0
        add chain inet skiff-test ep-api-1
        add chain inet skiff-test svc-dns
        add chain inet skiff-test ep-dns-0
        add chain inet skiff-test svc-v6
        add chain inet skiff-test ep-v6-0
        add chain inet skiff-test svc-cascade
        add chain inet skiff-test nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }
        add chain inet skiff-test nat-output { type nat hook output priority -100; policy accept; }
        add chain inet skiff-test nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }
        add chain inet skiff-test filter-output { type filter hook output priority filter; policy accept; }
        add rule inet skiff-test services ip daddr . meta l4proto . th dport vmap @service-ips
        add rule inet skiff-test services ip6 daddr . meta l4proto . th dport vmap @service-ips-v6
        add rule inet skiff-test nat-prerouting jump services
        add rule inet skiff-test nat-output jump services
        add rule inet skiff-test nat-postrouting meta mark & 0x4000 == 0 return
        add rule inet skiff-test nat-postrouting meta mark set meta mark ^ 0x4000
        add rule inet skiff-test nat-postrouting masquerade fully-random
        add rule inet skiff-test mark-for-masquerade meta mark set meta mark | 0x4000
        add rule inet skiff-test svc-api ip saddr != 10.244.0.0/16 jump mark-for-masquerade
        add rule inet skiff-test svc-api numgen random mod 2 vmap { 0 : goto ep-api-0, 1 : goto ep-api-1 } comment "default/kubernetes:https"
        add rule inet skiff-test ep-api-0 ip saddr 10.244.1.5 jump mark-for-masquerade
        add rule inet skiff-test ep-api-0 meta l4proto tcp dnat ip to 10.244.1.5:6443
        add rule inet skiff-test ep-api-1 ip saddr 10.244.2.6 jump mark-for-masquerade
        add rule inet skiff-test ep-api-1 meta l4proto tcp dnat ip to 10.244.2.6:6443
        add rule inet skiff-test svc-dns numgen random mod 1 vmap { 0 : goto ep-dns-0 }
        add rule inet skiff-test svc-cascade numgen random mod 2 == 0 goto ep-api-0
        add rule inet skiff-test svc-cascade goto ep-api-1
        add rule inet skiff-test ep-dns-0 meta l4proto udp dnat ip to 10.244.2.7:53
        add rule inet skiff-test svc-v6 numgen random mod 1 vmap { 0 : goto ep-v6-0 }
        add rule inet skiff-test ep-v6-0 meta l4proto tcp dnat ip6 to [fd00:10:244::5]:8080
        add rule inet skiff-test filter-output ip daddr 10.96.0.99 tcp dport 80 reject with tcp reset
        add element inet skiff-test service-ips { 10.96.0.1 . tcp . 443 : goto svc-api, 10.96.0.10 . udp . 53 : goto svc-dns, 10.96.0.10 . tcp . 53 : goto svc-dns }
        add element inet skiff-test service-ips-v6 { fd00:96::1 . tcp . 80 : goto svc-v6 }

        """
}

/// Everything else the proxy may reach for: interval sets (CIDRs, concatenated ranges),
/// timeouts, interface names, data maps, dynamic sets, ct, limit, reject, counters, comments.
enum MiscellaneousRuleset {
    static let table = NFTTableID(.inet, "skiff-test")

    static func add(to batch: NFTBatch) {
        let t = table
        let ip = { (text: String) in NFTValue(ip: text)! }
        batch.add(NFTTable(.inet, t.name, comment: "owned by skiff"))
        batch.add(NFTSet(table: t, name: "cidrs", key: [.ipv4Addr], flags: .interval))
        batch.add(NFTSet(table: t, name: "pairs", key: [.ipv4Addr, .inetService], flags: .interval))
        batch.add(NFTSet(table: t, name: "ifs", key: [.ifname]))
        batch.add(NFTSet(table: t, name: "marks", key: [.mark], flags: .timeout))
        batch.add(NFTSet.map(table: t, name: "dn", key: [.ipv4Addr], data: .value([.ipv4Addr, .inetService])))
        batch.add(NFTSet(table: t, name: "aff", key: [.ipv4Addr, .ipv4Addr], flags: [.dynamic, .timeout],
                         timeout: .seconds(3 * 3600), size: 65535))
        batch.add(NFTChain(table: t, name: "misc", comment: "odds and ends"))
        batch.add(elements: NFTSetElement.prefix("10.0.0.0/8")! + NFTSetElement.prefix("192.168.1.1")!,
                  to: "cidrs", in: t)
        batch.add(elements: [NFTSetElement([ip("10.0.0.0"), .inetService(80)], keyEnd: [ip("10.255.255.255"), .inetService(90)])],
                  to: "pairs", in: t)
        batch.add(elements: [NFTSetElement([NFTValue(ifname: "eth0")!])], to: "ifs", in: t)
        batch.add(elements: [NFTSetElement([.mark(0x10)], timeout: .seconds(3600))], to: "marks", in: t)
        batch.add(elements: [NFTSetElement([ip("1.2.3.4")], value: [ip("10.0.0.1"), .inetService(80)])], to: "dn", in: t)

        func rule(_ parts: [NFTExpr]..., comment: String? = nil) {
            batch.add(NFTRule(table: t, chain: "misc", parts: parts, comment: comment))
        }
        rule(NFT.match(.iifname, .eq, NFTValue(ifname: "eth0")!, family: .inet),
             NFT.match(.oifname, .eq, NFTValue(ifname: "lo")!, family: .inet), [.verdict(.drop)])
        rule(NFT.match(.nfproto, .eq, .nfprotoIPv4, family: .inet),
             NFT.ctState([.established, .related]), [.verdict(.accept)])
        rule([.limit(rate: 10, per: .second), .verdict(.accept)])
        rule([.reject(.icmpx(.adminProhibited))])
        rule(NFT.match(.ipDaddr, prefix: "10.96.0.0/12", family: .inet)!, [.verdict(.drop)])
        rule(NFT.lookup([.ipSaddr], set: "cidrs", family: .inet), [.verdict(.accept)])
        rule(NFT.lookup([.ipSaddr, .thDport], set: "pairs", family: .inet), [.verdict(.accept)])
        rule(NFT.lookup([.ipDaddr], set: "cidrs", negated: true, family: .inet), [.verdict(.drop)])
        rule(NFT.lookup([.iifname], set: "ifs", family: .inet), [.counter, .verdict(.accept)], comment: "from eth0")
        rule(NFT.load([.ipSaddr, .ipDaddr], family: .inet), [.dynset(.update, set: "aff", key: .r1)])
        rule(NFT.lookup([.ipSaddr, .ipDaddr], set: "aff", family: .inet), [.verdict(.accept)])
        rule(NFT.match(.ip6Daddr, .eq, ip("fd00::1"), family: .inet), NFT.match(.l4proto, .eq, .udp, family: .inet),
             NFT.match(.thDport, .eq, .inetService(53), family: .inet), [.counter, .verdict(.accept)])
        rule(NFT.match(.ctOriginalIPDaddr, .eq, ip("10.0.0.1"), family: .inet), [.masquerade()])
        rule([.verdict(.continue)])
    }

    static let nftText = """
        add table inet skiff-test { comment "owned by skiff"; }
        add set inet skiff-test cidrs { type ipv4_addr; flags interval; }
        add set inet skiff-test pairs { type ipv4_addr . inet_service; flags interval; }
        add set inet skiff-test ifs { type ifname; }
        add set inet skiff-test marks { type mark; flags timeout; }
        add map inet skiff-test dn { type ipv4_addr : ipv4_addr . inet_service; }
        add set inet skiff-test aff { type ipv4_addr . ipv4_addr; flags dynamic,timeout; timeout 3h; size 65535; }
        add chain inet skiff-test misc { comment "odds and ends"; }
        add element inet skiff-test cidrs { 10.0.0.0/8, 192.168.1.1 }
        add element inet skiff-test pairs { 10.0.0.0/8 . 80-90 }
        add element inet skiff-test ifs { "eth0" }
        add element inet skiff-test marks { 0x10 timeout 1h }
        add element inet skiff-test dn { 1.2.3.4 : 10.0.0.1 . 80 }
        add rule inet skiff-test misc iifname "eth0" oifname "lo" drop
        add rule inet skiff-test misc meta nfproto ipv4 ct state established,related accept
        add rule inet skiff-test misc limit rate 10/second accept
        add rule inet skiff-test misc reject with icmpx type admin-prohibited
        add rule inet skiff-test misc ip daddr 10.96.0.0/12 drop
        add rule inet skiff-test misc ip saddr @cidrs accept
        add rule inet skiff-test misc ip saddr . th dport @pairs accept
        add rule inet skiff-test misc ip daddr != @cidrs drop
        add rule inet skiff-test misc iifname @ifs counter accept comment "from eth0"
        add rule inet skiff-test misc update @aff { ip saddr . ip daddr }
        add rule inet skiff-test misc ip saddr . ip daddr @aff accept
        add rule inet skiff-test misc ip6 daddr fd00::1 udp dport 53 counter accept
        add rule inet skiff-test misc ct original ip daddr 10.0.0.1 masquerade
        add rule inet skiff-test misc continue

        """
}
