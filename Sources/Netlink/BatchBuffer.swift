import Glibc

/// Netlink messages laid end to end in large pages: the batch is sent with one `sendmsg`,
/// one iovec per page, so it is never copied into one huge contiguous buffer (libnftables
/// does the same with `mnl_nlmsg_batch` pages). Messages never straddle pages because
/// libnftnl writes each one into contiguous memory.
final class BatchBuffer {
    /// 1 MiB pages: the kernel accepts at most UIO_MAXIOV (1024) iovecs per sendmsg, so a
    /// batch may reach 1 GiB; untouched page memory costs nothing until written.
    static let pageSize = 1 << 20
    static let maxPages = 1024

    struct Page {
        let base: UnsafeMutableRawPointer
        let capacity: Int
        var used: Int
    }

    private(set) var pages: [Page] = []
    private(set) var totalBytes = 0

    deinit {
        for page in pages { page.base.deallocate() }
    }

    /// Where the next message of at most `bytes` bytes must be written. Libnftnl does not
    /// check bounds, so callers pass a generous upper bound of what they will write.
    func reserve(_ bytes: Int) -> (page: Int, offset: Int, pointer: UnsafeMutableRawPointer) {
        if pages.isEmpty || pages[pages.count - 1].capacity - pages[pages.count - 1].used < bytes {
            let capacity = max(Self.pageSize, bytes)
            pages.append(Page(base: .allocate(byteCount: capacity, alignment: 16), capacity: capacity, used: 0))
        }
        let index = pages.count - 1
        let page = pages[index]
        // Zeroed so that attribute padding libnftnl skips over is deterministic.
        page.base.advanced(by: page.used).initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return (index, page.used, page.base.advanced(by: page.used))
    }

    /// Accounts for a message of `length` bytes written at the reserved place.
    func commit(_ length: Int, reserved: Int) {
        precondition(length <= reserved, "netlink message of \(length) bytes overran its \(reserved)-byte reservation")
        let aligned = (length + 3) & ~3
        pages[pages.count - 1].used += aligned
        totalBytes += aligned
    }

    func pointer(page: Int, offset: Int) -> UnsafeMutableRawPointer {
        pages[page].base.advanced(by: offset)
    }

    /// One iovec per page, for sendmsg.
    func iovecs() -> [iovec] {
        pages.map { iovec(iov_base: $0.base, iov_len: $0.used) }
    }
}
