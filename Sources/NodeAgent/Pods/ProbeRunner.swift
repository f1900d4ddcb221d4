import Foundation
import KubeAPI

/// One probe attempt, as the kubelet's prober makes it: exec in the container (through
/// runc exec), an HTTP GET to the Pod's address (success is a status from 200 to 399), or a
/// TCP connect; each within the probe's timeout. The blocking work runs on a Dispatch
/// thread, never on the cooperative pool the agent's actors share.
struct ProbeRunner: Sendable {
    let runc: Runc

    struct Outcome: Equatable {
        var success: Bool
        var message: String
    }

    func run(_ probe: Probe, container: Container, containerID: String, podIP: String?) async -> Outcome {
        let timeout = TimeInterval(max(probe.timeoutSeconds ?? 1, 1))
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: self.attempt(probe, container: container, containerID: containerID, podIP: podIP, timeout: timeout))
            }
        }
    }

    private func attempt(_ probe: Probe, container: Container, containerID: String, podIP: String?, timeout: TimeInterval) -> Outcome {
        if let exec = probe.exec {
            return runExec(exec.command ?? [], containerID: containerID, timeout: timeout)
        }
        if let http = probe.httpGet {
            guard let port = Self.port(http.port, container), let host = http.host ?? podIP else {
                return Outcome(success: false, message: "no port or address to probe")
            }
            return httpGet(host: host, port: port, path: http.path ?? "/", headers: http.httpHeaders ?? [], timeout: timeout)
        }
        if let tcp = probe.tcpSocket {
            guard let port = Self.port(tcp.port, container), let host = tcp.host ?? podIP else {
                return Outcome(success: false, message: "no port or address to probe")
            }
            let fd = Self.connect(host: host, port: port, timeout: timeout)
            guard fd >= 0 else { return Outcome(success: false, message: "dial tcp \(host):\(port): connect: connection refused") }
            close(fd)
            return Outcome(success: true, message: "")
        }
        return Outcome(success: false, message: "probe has no handler this node supports")
    }

    /// A named port is looked up among the container's ports, as upstream does.
    static func port(_ value: IntOrString?, _ container: Container) -> UInt16? {
        switch value {
        case .int(let n): return UInt16(exactly: n)
        case .string(let name):
            return (container.ports ?? []).first { $0.name == name }?.containerPort.flatMap { UInt16(exactly: $0) } ?? UInt16(name)
        case nil: return nil
        }
    }

    private func runExec(_ command: [String], containerID: String, timeout: TimeInterval) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: runc.binary)
        process.arguments = ["--root", runc.root, "exec", containerID] + command
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return Outcome(success: false, message: "\(error)") }
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        if !process.isRunning { finished.signal() }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            return Outcome(success: false, message: "command timed out after \(Int(timeout))s")
        }
        let text = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        return Outcome(success: process.terminationStatus == 0,
                       message: process.terminationStatus == 0 ? "" : "command \(command) exited with \(process.terminationStatus): \(text)")
    }

    private func httpGet(host: String, port: UInt16, path: String, headers: [HTTPHeader], timeout: TimeInterval) -> Outcome {
        let fd = Self.connect(host: host, port: port, timeout: timeout)
        guard fd >= 0 else {
            return Outcome(success: false, message: "Get \"http://\(host):\(port)\(path)\": dial tcp \(host):\(port): connect: connection refused")
        }
        defer { close(fd) }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n"
        for header in headers { request += "\(header.name ?? ""): \(header.value ?? "")\r\n" }
        request += "\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 256)
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else {
            return Outcome(success: false, message: "Get \"http://\(host):\(port)\(path)\": context deadline exceeded")
        }
        let n = recv(fd, &buffer, buffer.count, 0)
        let head = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let code = Int(parts[1]) else { return Outcome(success: false, message: "malformed HTTP response") }
        return Outcome(success: (200..<400).contains(code), message: (200..<400).contains(code) ? "" : "HTTP probe failed with statuscode: \(code)")
    }

    /// A TCP connection within `timeout`; -1 when refused or too slow.
    static func connect(host: String, port: UInt16, timeout: TimeInterval) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return -1 }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return -1 }
        let started = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if started != 0 && errno != EINPROGRESS {
            close(fd)
            return -1
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else {
            close(fd)
            return -1
        }
        return fd
    }
}
