import Glibc

extension NetlinkError {
    /// Whether the kernel said the object is not there. Each rtnetlink object says it its own
    /// way: a link ENODEV, an address EADDRNOTAVAIL, a route ESRCH, a neighbour or FDB entry
    /// ENOENT. Clean-up (a CNI DEL, the overlay dropping a departed node) treats these as done.
    public var isNotFound: Bool {
        [ENOENT, ENODEV, ESRCH, EADDRNOTAVAIL].contains(errno)
    }
}
