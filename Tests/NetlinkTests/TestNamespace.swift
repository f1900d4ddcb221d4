import Foundation
import Netlink
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

    /// Runs `body` on a new thread that has entered the namespace, and waits for it: the
    /// product's own `NetworkNamespace.run`, which checks the thread arrived. A netlink socket
    /// opened in `body` belongs to this namespace. `body` is synchronous on purpose: async code
    /// could hop to another thread.
    func inside<T>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        try NetworkNamespace(named: name).run(body)
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
