import Foundation

/// A container's log files on this node (`logs/<ns>_<pod>_<uid>/<container>/<restart>.log`)
/// and how `kubectl logs` reads them: the current run or the previous one, the last N lines,
/// at most N bytes.
struct ContainerLogs {
    let stateDirectory: String

    enum LookupError: Error, CustomStringConvertible {
        case notFound(String)
        var description: String { if case .notFound(let m) = self { return m }; return "" }
    }

    /// The log file of the container's current (or previous) run.
    func file(namespace: String, pod: String, container: String, previous: Bool) throws -> String {
        let logs = stateDirectory + "/logs"
        let dirs = ((try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []).filter { $0.hasPrefix("\(namespace)_\(pod)_") }
        guard let dir = dirs.max(by: { modified(logs + "/" + $0) < modified(logs + "/" + $1) }) else {
            throw LookupError.notFound("pod \"\(pod)\" in namespace \"\(namespace)\" has no logs on this node")
        }
        let containerDir = logs + "/" + dir + "/" + container
        let runs = ((try? FileManager.default.contentsOfDirectory(atPath: containerDir)) ?? [])
            .compactMap { name in name.hasSuffix(".log") ? Int(name.dropLast(4)) : nil }.sorted()
        guard let last = runs.last else {
            throw LookupError.notFound("container \"\(container)\" in pod \"\(pod)\" is waiting to start")
        }
        if previous {
            guard runs.count >= 2 else {
                throw LookupError.notFound("previous terminated container \"\(container)\" in pod \"\(pod)\" not found")
            }
            return containerDir + "/\(runs[runs.count - 2]).log"
        }
        return containerDir + "/\(last).log"
    }

    private func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// What to send first: the whole file, or its last `tailLines` lines, then at most
    /// `limitBytes`.
    static func initial(_ data: Data, tailLines: Int?, limitBytes: Int?) -> Data {
        var out = data
        if let tailLines {
            var lines = 0
            var index = out.endIndex
            // A final newline ends the last line; it does not start another.
            if index > out.startIndex, out[out.index(before: index)] == UInt8(ascii: "\n") { index = out.index(before: index) }
            while index > out.startIndex {
                let previous = out.index(before: index)
                if out[previous] == UInt8(ascii: "\n") {
                    lines += 1
                    if lines == tailLines { break }
                }
                index = previous
            }
            out = tailLines == 0 ? Data() : out[(lines == tailLines ? index : out.startIndex)...]
        }
        if let limitBytes, out.count > limitBytes { out = out.prefix(limitBytes) }
        return Data(out)
    }
}
