import CNI
import Foundation
import SkiffJSON
import XCTest

/// The built `skiff-cni` executed as a runtime executes it: separate processes, env + stdin,
/// with `SKIFF_CNI_TEST_PLUMBING=ipam-only` (no interfaces; see BridgePlumbingTests for those).
final class CNIBinaryTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir("bin") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// `.build/debug/skiff-cni` from this file's path; `SKIFF_CNI_TEST_BINARY` points elsewhere.
    func binary() throws -> String {
        if let override = ProcessInfo.processInfo.environment["SKIFF_CNI_TEST_BINARY"], !override.isEmpty { return override }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/skiff-cni").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("no .build/debug/skiff-cni yet: build the skiff-cni product first")
        }
        return path
    }

    struct Running {
        let process: Process
        let output: Pipe
    }

    func start(_ env: [String: String], config: String) throws -> Running {
        let confPath = dir + "/conf-\(UUID().uuidString)"
        try config.write(toFile: confPath, atomically: false, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        // These tests race ADDs with made-up netns paths: IPAM only (BridgePlumbingTests run the real thing).
        process.environment = env.merging(["SKIFF_CNI_TEST_PLUMBING": "ipam-only"]) { mine, _ in mine }
        process.standardInput = FileHandle(forReadingAtPath: confPath)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return Running(process: process, output: output)
    }

    func finish(_ r: Running) -> (status: Int32, reason: Process.TerminationReason, json: JSONValue?) {
        let data = r.output.fileHandleForReading.readDataToEndOfFile()
        r.process.waitUntilExit()
        return (r.process.terminationStatus, r.process.terminationReason,
                data.isEmpty ? nil : try? JSONParser.parse(Array(data)))
    }

    func testFiftyConcurrentAddsGetDistinctAddresses() throws {
        let conf = configText(dataDir: dir)
        var running: [Running] = []
        for i in 0..<50 { running.append(try start(env("ADD", "pod\(i)"), config: conf)) }
        var addresses: [String] = []
        for r in running {
            let result = finish(r)
            XCTAssertEqual(result.status, 0, "\(String(describing: result.json))")
            if let ip = result.json?["ips"]?.arrayValue?.first?["address"]?.stringValue { addresses.append(ip) }
        }
        XCTAssertEqual(addresses.count, 50)
        XCTAssertEqual(Set(addresses).count, 50, "duplicate addresses: \(addresses.sorted())")
        XCTAssertFalse(addresses.contains("10.244.1.1/24"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/pods").filter { $0.hasPrefix("10.") }
        XCTAssertEqual(files.count, 50)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir + "/pods").contains { $0.contains(".tmp-") })

        // A second wave: 25 DELs racing 25 new ADDs; every file is one live attachment's.
        var wave: [Running] = []
        for i in 0..<25 {
            var del = env("DEL", "pod\(i * 2)")
            del["CNI_NETNS"] = nil
            wave.append(try start(del, config: conf))
            wave.append(try start(env("ADD", "new\(i)"), config: conf))
        }
        for r in wave { XCTAssertEqual(finish(r).status, 0) }
        var owners: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir + "/pods") where name.hasPrefix("10.") {
            owners.append(try String(contentsOfFile: dir + "/pods/" + name, encoding: .utf8))
        }
        XCTAssertEqual(owners.count, 50)
        XCTAssertEqual(Set(owners).count, 50)
        XCTAssertEqual(Set(owners), Set((0..<25).map { "pod\($0 * 2 + 1)\neth0" } + (0..<25).map { "new\($0)\neth0" }))
    }

    func testKilledMidAddLeaksOnlyUntilGC() throws {
        let conf = configText(dataDir: dir)
        var e = env("ADD", "crashy")
        e["SKIFF_CNI_TEST_FAULT"] = "die-after-allocate"
        let killed = finish(try start(e, config: conf))
        XCTAssertEqual(killed.reason, .uncaughtSignal)
        XCTAssertEqual(killed.status, SIGKILL)
        XCTAssertNil(killed.json)
        // The address is on disk, held by the dead ADD, and the lock is free for the next one.
        XCTAssertEqual(try String(contentsOfFile: dir + "/pods/10.244.1.2", encoding: .utf8), "crashy\neth0")
        let next = finish(try start(env("ADD", "ok"), config: conf))
        XCTAssertEqual(next.status, 0)
        XCTAssertEqual(next.json?["ips"]?.arrayValue?.first?["address"], "10.244.1.3/24")
        // GC from the runtime's valid attachments frees the leaked one and keeps the live one.
        let gcConf = configText(dataDir: dir, extra: #","cni.dev/valid-attachments":[{"containerID":"ok","ifname":"eth0"}]"#)
        let gc = finish(try start(["CNI_COMMAND": "GC", "CNI_PATH": "/opt/cni/bin"], config: gcConf))
        XCTAssertEqual(gc.status, 0)
        XCTAssertNil(gc.json)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/pods/10.244.1.2"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/pods/10.244.1.3"))
    }

    func testBadInputOverTheBinary() throws {
        let missing = finish(try start(["CNI_COMMAND": "ADD", "CNI_PATH": "/x"], config: configText(dataDir: dir)))
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.json?["code"], 4)
        let garbage = finish(try start(env("ADD", "a"), config: "not json"))
        XCTAssertEqual(garbage.status, 1)
        XCTAssertEqual(garbage.json?["code"], 6)
        let version = finish(try start(["CNI_COMMAND": "VERSION"], config: ""))
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.json?["cniVersion"], "1.1.0")
    }
}
