import Foundation
import KubeAPI

/// Container log rotation.
extension PodWorker {
    /// Rotates a running container's log once it passes containerLogMaxSize, as the kubelet
    /// does: the file is copied aside and truncated under the writer (which appends), and
    /// only the newest containerLogMaxFiles - 1 rotated copies are kept.
    func rotateLogs() {
        let now = Date()
        guard now.timeIntervalSince(lastLogCheck) >= 2 else { return }
        lastLogCheck = now
        for (name, record) in containers where record.running {
            let dir = env.logDirectory(pod) + "/" + name
            let current = dir + "/\(record.restartCount).log"
            var st = stat()
            guard stat(current, &st) == 0, Int64(st.st_size) > env.containerLogMaxSize else { continue }
            let rotated = current + "." + KubeTime.format(now).filter { $0.isNumber }
            do {
                try FileManager.default.copyItem(atPath: current, toPath: rotated)
                truncate(current, 0)
            } catch {
                env.logger.warning("pod \(key): rotating \(current) failed: \(error)")
                continue
            }
            let copies = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasPrefix("\(record.restartCount).log.") }.sorted()
            for old in copies.dropLast(max(env.containerLogMaxFiles - 1, 0)) {
                try? FileManager.default.removeItem(atPath: dir + "/" + old)
            }
        }
    }
}
