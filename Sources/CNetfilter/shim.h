// libnftnl and libmnl (Debian libnftnl-dev, libmnl-dev), and the kernel's nf_tables UAPI.
// glibc's socket headers come first: linux/libc-compat.h then skips the kernel's own copies
// of in_addr/sockaddr_in, which would clash with Glibc's in Swift.
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
// rtnetlink (links, addresses, routes, neighbours, FDB): rtnetlink.h already brings
// linux/if_link.h (IFLA_*, IFLA_VXLAN_*, IFLA_BRPORT_*), linux/if_addr.h and linux/neighbour.h.
#include <linux/veth.h>
#include <unistd.h>
#include <sys/syscall.h>

// setns(2). glibc declares it only under _GNU_SOURCE, which Swift's Glibc module is built
// without; the raw system call needs no declaration and no run-time symbol lookup.
static inline int skiff_setns(int fd, int nstype) {
    return (int)syscall(SYS_setns, fd, nstype);
}

// Bits of CTA_FILTER_ORIG_FLAGS / CTA_FILTER_REPLY_FLAGS (ctnetlink dump filtering, Linux 5.8+).
// They are kernel ABI but live in net/netfilter/nf_internals.h, which is not exported to
// userspace, so they are spelled out here under the kernel's names.
enum skiff_cta_filter_flags {
    CTA_FILTER_F_CTA_IP_SRC         = 1 << 0,
    CTA_FILTER_F_CTA_IP_DST         = 1 << 1,
    CTA_FILTER_F_CTA_TUPLE_ZONE     = 1 << 2,
    CTA_FILTER_F_CTA_PROTO_NUM      = 1 << 3,
    CTA_FILTER_F_CTA_PROTO_SRC_PORT = 1 << 4,
    CTA_FILTER_F_CTA_PROTO_DST_PORT = 1 << 5,
};
