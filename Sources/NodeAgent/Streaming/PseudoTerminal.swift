import Glibc

/// A terminal pair for `kubectl exec -t`: runc in the foreground wants a terminal of its
/// own on its stdio (it copies between it and the one it makes inside the container), so
/// the agent holds the master side and hands the replica to runc.
struct PseudoTerminal: Sendable {
    let master: Int32
    let replica: Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// TIOCSPTLCK and TIOCGPTN (asm-generic ioctls.h), which the Glibc module does not import.
    private static let unlockRequest: UInt = 0x4004_5431
    private static let numberRequest: UInt = 0x8004_5430

    static func open() throws -> PseudoTerminal {
        // posix_openpt, unlockpt and ptsname, by their Linux ioctls (Swift's Glibc module
        // leaves the XSI functions out).
        let master = Glibc.open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw Failure(description: "cannot open /dev/ptmx: \(String(cString: strerror(errno)))") }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, Self.unlockRequest, &unlock) == 0, ioctl(master, Self.numberRequest, &number) == 0 else {
            let reason = String(cString: strerror(errno))
            close(master)
            throw Failure(description: "cannot set up a terminal: \(reason)")
        }
        let name = "/dev/pts/\(number)"
        let replica = Glibc.open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard replica >= 0 else {
            let reason = String(cString: strerror(errno))
            close(master)
            throw Failure(description: "cannot open \(name): \(reason)")
        }
        // Raw from the start: runc sets it raw too, but only once it runs, and keystrokes
        // sent before that would otherwise be echoed twice.
        var settings = termios()
        if tcgetattr(replica, &settings) == 0 {
            cfmakeraw(&settings)
            tcsetattr(replica, TCSANOW, &settings)
        }
        return PseudoTerminal(master: master, replica: replica)
    }

    /// Sets the size runc copies to the container's terminal when it gets SIGWINCH.
    func resize(width: UInt16, height: UInt16) {
        var size = winsize(ws_row: height, ws_col: width, ws_xpixel: 0, ws_ypixel: 0)
        _ = withUnsafeMutablePointer(to: &size) { ioctl(master, UInt(TIOCSWINSZ), $0) }
    }
}
