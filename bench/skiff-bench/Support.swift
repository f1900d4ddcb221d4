import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Clocks and small utilities

/// Monotonic nanoseconds; every timestamp in one run comes from this clock and one process.
@inline(__always)
func monoNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Log lines show seconds since the first one (a global is initialised on first use).
let logClockStart = monoNanos()

func log(_ message: String) {
    let start = logClockStart   // first: initialising it after reading the clock would underflow
    let seconds = String(format: "%7.1f", Double(monoNanos() - start) / 1e9)
    FileHandle.standardError.write(Data("[skiff-bench \(seconds)s] \(message)\n".utf8))
}

/// A counter shared by worker tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { defer { value += 1 }; return value } }
    func add(_ n: Int = 1) { lock.withLock { value += n } }
    func set(_ n: Int) { lock.withLock { value = n } }
    var current: Int { lock.withLock { value } }
}

/// First error reported by any task (the rest are usually consequences).
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var first: String?
    func set(_ message: String) { lock.withLock { if first == nil { first = message } } }
    var value: String? { lock.withLock { first } }
}

/// Nearest-rank percentile of sorted values.
func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}

func ms(_ nanos: UInt64) -> Double { Double(nanos) / 1e6 }

func fmt(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

/// A free TCP port on loopback (bound, read back and released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError("socket: \(errno)") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw BenchError("bind: \(errno)") }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let got = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    guard got == 0 else { throw BenchError("getsockname: \(errno)") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

// MARK: - /proc

struct ProcMemory {
    var rssKB: Int
    var hwmKB: Int
}

func procMemory(pid: Int32) -> ProcMemory? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    var rss = -1, hwm = -1
    for line in text.split(separator: "\n") {
        if line.hasPrefix("VmRSS:") { rss = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1 }
        if line.hasPrefix("VmHWM:") { hwm = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1 }
    }
    return rss >= 0 && hwm >= 0 ? ProcMemory(rssKB: rss, hwmKB: hwm) : nil
}

/// User + system CPU seconds a process has used so far.
func procCPUSeconds(pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // After the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
    guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return 0 }
    return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

func selfCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Processes whose command line mentions `needle` (our unique work directory).
func processesMentioning(_ needle: String) -> [(pid: Int32, cmdline: String)] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var found: [(Int32, String)] = []
    let me = getpid()
    for entry in entries {
        guard let pid = Int32(entry), pid != me,
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { continue }
        let cmdline = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        if cmdline.contains(needle) { found.append((pid, cmdline)) }
    }
    return found
}

struct MachineInfo {
    var nproc: Int
    var cpuModel: String
    var memTotal: String
    var kernel: String

    static func current() -> MachineInfo {
        var model = "unknown"
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var mem = "unknown"
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) {
            mem = "\(kb / 1024) MiB"
        }
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        return MachineInfo(nproc: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), cpuModel: model, memTotal: mem, kernel: release)
    }
}

// MARK: - Byte scanning

/// Offset of `needle` in `haystack`, or nil (memchr for the first byte, memcmp for the rest;
/// Glibc's memmem is not visible to Swift without _GNU_SOURCE).
@inline(__always)
func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
    guard let base = haystack.baseAddress, !needle.isEmpty, haystack.count >= needle.count else { return nil }
    return needle.withUnsafeBytes { n -> Int? in
        let first = Int32(n[0])
        let last = haystack.count - n.count
        var i = 0
        while i <= last {
            guard let hit = memchr(base + i, first, last - i + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at }
            i = at + 1
        }
        return nil
    }
}

/// Parses "SEQ:NANOS" starting at `offset`, ending at a quote.
@inline(__always)
func parseStamp(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (seq: Int, sent: UInt64)? {
    var i = offset
    var seq = 0, sent: UInt64 = 0
    var digits = 0
    while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { seq = seq * 10 + Int(bytes[i] - 0x30); i += 1; digits += 1 }
    guard digits > 0, i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
    i += 1
    digits = 0
    while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { sent = sent * 10 + UInt64(bytes[i] - 0x30); i += 1; digits += 1 }
    guard digits > 0, i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
    return (seq, sent)
}

/// Splits a byte stream into newline-terminated lines, handing each complete line over.
struct LineSplitter {
    private var carry: [UInt8] = []

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ line: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start < chunk.count {
            guard let nl = memchr(chunk.baseAddress! + start, 0x0A, chunk.count - start) else {
                carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
                return
            }
            let end = chunk.baseAddress!.distance(to: UnsafeRawPointer(nl))
            if carry.isEmpty {
                line(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
            } else {
                carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
                carry.withUnsafeBytes { line($0) }
                carry.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
    }
}

// MARK: - CPU accounting per phase

/// Busy CPU seconds of the whole machine (all CPUs, /proc/stat), of this process and of each
/// metered server process.
struct CPUSnapshot {
    var wall: UInt64
    var machineBusy: Double
    var client: Double
    /// CPU seconds of each metered process, in the order the pids were given.
    var processes: [Double]

    static func take(pids: [Int32]) -> CPUSnapshot {
        CPUSnapshot(wall: monoNanos(), machineBusy: machineBusySeconds(), client: selfCPUSeconds(),
                    processes: pids.map { procCPUSeconds(pid: $0) })
    }

    static func machineBusySeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return 0 }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return 0 }
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        let busy = ticks.prefix(8).enumerated().filter { $0.offset != 3 && $0.offset != 4 }.reduce(0) { $0 + $1.element }
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

struct PhaseCPU {
    var name: String
    var wall: Double
    var client: Double
    /// CPU seconds of each metered process during the phase (the meter's order).
    var processes: [Double]
    var others: Double

    init(name: String, from a: CPUSnapshot, to b: CPUSnapshot) {
        self.name = name
        wall = Double(b.wall - a.wall) / 1e9
        client = b.client - a.client
        processes = zip(a.processes, b.processes).map { $1 - $0 }
        others = max(0, (b.machineBusy - a.machineBusy) - client - processes.reduce(0, +))
    }
}

/// CPU seconds per phase for the benchmark client, every server process and everything else
/// on the machine. `restart` starts a phase (untimed work before it is not counted);
/// `mark` ends one and records it.
final class PhaseMeter {
    let names: [String]
    private let pids: [Int32]
    private var last: CPUSnapshot
    private(set) var phases: [PhaseCPU] = []

    init(_ processes: [(name: String, pid: Int32)]) {
        names = processes.map(\.name)
        pids = processes.map(\.pid)
        last = CPUSnapshot.take(pids: pids)
    }

    func restart() { last = CPUSnapshot.take(pids: pids) }

    func mark(_ phase: String) {
        let now = CPUSnapshot.take(pids: pids)
        phases.append(PhaseCPU(name: phase, from: last, to: now))
        last = now
    }
}
