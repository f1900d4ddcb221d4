import Glibc

/// The few POSIX file operations the allocator needs, each failing with a CNI I/O error (code 5).
enum FileOps {
    static func ioError(_ what: String, _ path: String, _ err: Int32 = errno) -> CNIError {
        CNIError(code: CNIError.ioFailure, msg: "\(what) \(path) failed", details: String(cString: strerror(err)))
    }

    /// `mkdir -p`, mode 0755.
    static func makeDirectories(_ path: String) throws(CNIError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw ioError("mkdir", current) }
        }
    }

    /// The whole file as text; nil when it does not exist.
    static func read(_ path: String) throws(CNIError) -> String? {
        try readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The whole file; nil when it does not exist.
    static func readBytes(_ path: String) throws(CNIError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ioError("open", path)
        }
        defer { close(fd) }
        // A 4 KiB scratch buffer on the stack: an allocation file is a few dozen bytes and an
        // ADD reads one per pod on the node, so the zeroed 64 KiB heap buffer per file that
        // this replaced cost more than the reads themselves.
        var out: [UInt8] = []
        var failure: Int32 = 0
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 16) { buffer in
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
        }
        if failure != 0 { throw ioError("read", path, failure) }
        return out
    }

    /// Replace by rename: write a temp file in the same directory, then rename it over `path`,
    /// so nobody ever reads half a file, even after a kill -9. `durable` also fsyncs the file
    /// before the rename (the caller fsyncs the directory once, after all its renames), for
    /// files that must survive a power loss too.
    static func writeAtomically(_ path: String, _ text: String, durable: Bool = true) throws(CNIError) {
        try writeAtomically(path, bytes: Array(text.utf8), durable: durable)
    }

    static func writeAtomically(_ path: String, bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = true) throws(CNIError) {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw ioError("create", temp) }
        // open's mode is filtered by the umask; an executable must come out executable.
        if fchmod(fd, mode) != 0 {
            let err = errno
            close(fd); unlink(temp)
            throw ioError("chmod", temp, err)
        }
        let failure = writeFromStart(fd, bytes)
        if failure != 0 {
            close(fd); unlink(temp)
            throw ioError("write", temp, failure)
        }
        if durable && fsync(fd) != 0 {
            let err = errno
            close(fd); unlink(temp)
            throw ioError("fsync", temp, err)
        }
        close(fd)
        if rename(temp, path) != 0 {
            let err = errno
            unlink(temp)
            throw ioError("rename", temp, err)
        }
    }

    /// Writes all of `bytes` at offset 0 of `fd`, through short writes and EINTR; 0 or the errno.
    private static func writeFromStart(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, $0.count - written, off_t(written)) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += n
        }
        return 0
    }

    /// Overwrites a small file in place: write at offset 0, then cut off what an older, longer
    /// text left. Only for a file whose reader copes with a torn or stale text (a hint): unlike
    /// `writeAtomically`, a crash mid-write can leave a mix. What it saves is ext4's flush on
    /// replace (`auto_da_alloc`): renaming over an existing file, or truncating one to zero,
    /// starts writeback of the new data at once, which measured 0.4–0.8 ms of every ADD.
    static func overwrite(_ path: String, _ text: String) throws(CNIError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw ioError("open", path) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let failure = writeFromStart(fd, bytes)
        if failure != 0 { throw ioError("write", path, failure) }
        var status = stat()
        if fstat(fd, &status) == 0 && status.st_size > off_t(bytes.count) && ftruncate(fd, off_t(bytes.count)) != 0 {
            throw ioError("truncate", path)
        }
    }

    /// Removes a file; a missing one is fine.
    static func remove(_ path: String) throws(CNIError) {
        if unlink(path) != 0 && errno != ENOENT { throw ioError("unlink", path) }
    }

    static func syncDirectory(_ path: String) throws(CNIError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw ioError("open", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw ioError("fsync", path) }
    }

    /// Names in a directory, without `.` and `..`.
    static func list(_ path: String) throws(CNIError) -> [String] {
        guard let dir = opendir(path) else { throw ioError("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// An exclusive flock on `<dir>/lock`, held across processes until `unlock` (or process death:
/// the kernel drops a dead process's flock, so a crash never wedges the pool).
struct FileLock {
    private let fd: Int32

    /// Waits up to `timeout` seconds; past it, "try again later" (code 11).
    init(path: String, timeout: Double) throws(CNIError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 { throw FileOps.ioError("open", path) }
        let deadline = FileOps.monotonicSeconds() + timeout
        var pause: UInt32 = 500
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let err = errno
            guard err == EWOULDBLOCK || err == EINTR else {
                close(fd)
                throw FileOps.ioError("flock", path, err)
            }
            if FileOps.monotonicSeconds() >= deadline {
                close(fd)
                throw CNIError(code: CNIError.tryAgainLater, msg: "timed out waiting for the IPAM lock", details: path)
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        self.fd = fd
    }

    func unlock() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
