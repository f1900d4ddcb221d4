/// glibc's malloc settings for the long-running node daemons (`skiff proxy`, later the agent).
///
/// By default glibc gives every thread that allocates its own arena (up to 8 per core), and
/// memory freed in one arena is never reused by another: the proxy's informer, event-loop and
/// netlink threads each kept a mostly-empty arena, 10+ MiB of RSS at 10k Services. It also
/// raises the mmap threshold after the first large free, so later large buffers (lists, netlink
/// batches) land in an arena and stay there. Two arenas and a fixed threshold keep the RSS
/// close to what is live; measured with bench/proxy-memory.py (see bench/README.md).
func tuneAllocatorForDaemon() {
    _ = glibcMallopt(mArenaMax, 2)
    _ = glibcMallopt(mMmapThreshold, 256 * 1024)
}

// Swift's Glibc module does not include <malloc.h>; these are its ABI values.
private let mArenaMax: Int32 = -8
private let mMmapThreshold: Int32 = -3

@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
