import Foundation
import SkiffTestSupport
import XCTest

/// A throwaway network namespace for one test: `ip netns add skiff-nl-<random>`, removed
/// again (`ip netns del`) whatever happens. Nothing a test programs ever lands in the root
/// namespace: library code runs on a dedicated thread that has `setns()`-ed into this one,
/// and the CLI tools run through `ip netns exec`.
final class TestNamespace {
    let name: String

    private init() throws {
        name = "skiff-nl-" + String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
        try Shell.run(["ip", "netns", "add", name])
    }

    /// Creates a namespace, runs `body` with it, and deletes it, pass or fail.
    static func with<T>(_ body: (TestNamespace) throws -> T) throws -> T {
        let namespace = try TestNamespace()
        defer { _ = try? Shell.run(["ip", "netns", "del", namespace.name]) }
        return try body(namespace)
    }

    /// Runs `body` on a new thread that has entered the namespace, and waits for it.
    /// `setns` moves only the calling thread, so the thread is used for nothing else and
    /// ends with `body`; a netlink socket opened in `body` belongs to this namespace.
    /// `body` is synchronous on purpose: async code could hop to another thread.
    func inside<T>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let path = "/var/run/netns/\(name)"
        let thread = Thread {
            outcome.result = Result {
                try Self.enter(path)
                return try body()
            }
            outcome.done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        outcome.done.wait()
        return try outcome.result!.get()
    }

    private static func enter(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TestFailure("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard setns(fd, 0x4000_0000 /* CLONE_NEWNET */) == 0 else {
            throw TestFailure("setns \(path): \(String(cString: strerror(errno)))")
        }
        // Belt and braces: this thread's namespace must now be the named one, never the root's.
        var target = stat(), current = stat()
        guard stat(path, &target) == 0, stat("/proc/thread-self/ns/net", &current) == 0,
              target.st_ino == current.st_ino, target.st_dev == current.st_dev
        else { throw TestFailure("thread did not enter \(path)") }
    }

    /// `ip netns exec NAME command…`: the command's standard output; throws on failure.
    @discardableResult
    func exec(_ command: String...) throws -> String {
        try Shell.run(["ip", "netns", "exec", name] + command)
    }

    /// Like `exec` but returns the exit status instead of throwing.
    func status(_ command: String...) throws -> (status: Int32, output: String, error: String) {
        try Shell.status(["ip", "netns", "exec", name] + command)
    }

    /// `nft -j list …` in the namespace, parsed: the `nftables` array of objects.
    func nftJSON(_ arguments: String...) throws -> [[String: Any]] {
        let text = try Shell.run(["ip", "netns", "exec", name, "nft", "-j", "list"] + arguments)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return object?["nftables"] as? [[String: Any]] ?? []
    }

    /// The objects of one kind ("table", "chain", "map", "rule", …) in `nft -j list ruleset`.
    func listed(_ kind: String, in json: [[String: Any]]) -> [[String: Any]] {
        json.compactMap { $0[kind] as? [String: Any] }
    }

    /// Fails the test if the root namespace has any table called skiff*: tests program only
    /// their own namespaces.
    static func assertRootNamespaceUntouched(file: StaticString = #filePath, line: UInt = #line) {
        let tables = (try? Shell.run(["nft", "list", "tables"])) ?? ""
        XCTAssertFalse(tables.contains("skiff"), "root namespace has a skiff table:\n\(tables)", file: file, line: line)
    }
}

/// glibc's setns(2). Swift's Glibc module leaves it out (it is behind _GNU_SOURCE), so it is
/// looked up at run time.
private func setns(_ fd: Int32, _ type: Int32) -> Int32 {
    typealias Function = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(nil, "setns") else { return -1 }
    return unsafeBitCast(symbol, to: Function.self)(fd, type)
}

private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, Error>?
    let done = DispatchSemaphore(value: 0)
}
