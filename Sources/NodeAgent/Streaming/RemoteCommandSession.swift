import Foundation
import KubeAPI
import NIOCore
import NIOWebSocket
import SkiffJSON

/// The remote-command protocol `kubectl exec` speaks over a WebSocket
/// (`v5.channel.k8s.io`, and v4 without the close signal): every binary message starts with
/// its channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal resizes — and
/// v5's `[255, channel]` half-closes a channel (the client's stdin reaching its end). The
/// session ends with the Status on channel 3 and a normal close.
struct RemoteCommandSession {
    static let protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

    enum Channel: UInt8 {
        case stdin = 0, stdout = 1, stderr = 2, error = 3, resize = 4, close = 255
    }

    /// The protocol to answer with, in our order of preference, from the client's
    /// `Sec-WebSocket-Protocol` offers; nil when none is one we speak.
    static func negotiate(_ offered: [String]) -> String? {
        let offers = offered.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return protocols.first { offers.contains($0) }
    }

    let request: ExecRequest
    let runc: Runc
    let logDirectory: String

    func run(_ connection: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            let exec: ContainerExec
            do {
                exec = try ContainerExec(runc: runc, request: request, logDirectory: logDirectory)
            } catch {
                try await finish(outbound, status: Self.failure("error executing command in container: \(error)"))
                return
            }
            defer { exec.terminate() }
            enum Ended { case client, command, grace }
            try await withThrowingTaskGroup(of: Ended.self) { group in
                // However the body ends (the client's side may throw: a connection reset, a
                // protocol error), a command still running is stopped before the group waits
                // for the output copies, which end only with it.
                var commandEnded = false
                defer { if !commandEnded { exec.terminate() } }
                // The client's side: stdin, resizes, the close signal, pings. It ends when the
                // client closes (after our close, that is the closing handshake's answer).
                group.addTask {
                    var current: Channel?
                    for try await frame in inbound {
                        switch frame.opcode {
                        case .ping:
                            try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
                        case .connectionClose:
                            return .client
                        case .binary, .continuation:
                            var data = frame.unmaskedData
                            if frame.opcode == .binary {
                                guard let first = data.readInteger(as: UInt8.self) else { continue }
                                current = Channel(rawValue: first)
                                if current == .close {
                                    if data.readInteger(as: UInt8.self) == Channel.stdin.rawValue { exec.closeInput() }
                                    continue
                                }
                            }
                            let bytes = Array(data.readableBytesView)
                            switch current {
                            case .stdin: if !bytes.isEmpty, !(await exec.write(bytes)) { exec.closeInput() }
                            case .resize: Self.resize(exec, bytes)
                            default: break
                            }
                        default:
                            break
                        }
                    }
                    return .client
                }
                // The command's side: its output until it ends, then its Status and our close.
                group.addTask {
                    try await withThrowingTaskGroup(of: Void.self) { copies in
                        for (fd, channel) in [(exec.output, Channel.stdout), (exec.errorOutput, Channel.stderr)] {
                            guard let fd else { continue }
                            copies.addTask {
                                while let chunk = await ContainerExec.read(fd) {
                                    try await outbound.write(Self.message(channel, chunk))
                                }
                            }
                        }
                        try await copies.waitForAll()
                    }
                    let outcome = await exec.wait()
                    try await finish(outbound, status: Self.status(outcome, command: request.command))
                    return .command
                }
                if try await group.next() == .command {
                    commandEnded = true
                    // Give the client a moment to answer our close, so that closing the
                    // connection cannot cut off the Status still on its way.
                    group.addTask {
                        try await Task.sleep(for: .seconds(5))
                        return .grace
                    }
                    _ = try await group.next()
                } else {
                    // The client left first: stop the command, which ends the output copies.
                    exec.terminate()
                }
                group.cancelAll()
            }
        }
    }

    private func finish(_ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>, status: JSONValue) async throws {
        try await outbound.write(Self.message(.error, JSONSerializer.serialize(status)))
        var code = ByteBuffer()
        code.write(webSocketErrorCode: .normalClosure)
        try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: code))
    }

    static func message(_ channel: Channel, _ bytes: [UInt8]) -> WebSocketFrame {
        var data = ByteBuffer()
        data.reserveCapacity(bytes.count + 1)
        data.writeInteger(channel.rawValue)
        data.writeBytes(bytes)
        return WebSocketFrame(fin: true, opcode: .binary, data: data)
    }

    /// `{"Width":80,"Height":24}`, one per message.
    static func resize(_ exec: ContainerExec, _ bytes: [UInt8]) {
        guard let size = try? JSONParser.parse(bytes),
              let width = size["Width"]?.intValue, let height = size["Height"]?.intValue,
              let w = UInt16(exactly: width), let h = UInt16(exactly: height) else { return }
        exec.resize(width: w, height: h)
    }

    /// The Status kubectl turns into its own exit code: Success, or NonZeroExitCode with the
    /// code as the ExitCode cause, as the kubelet writes it.
    static func status(_ outcome: ContainerExec.Outcome, command: [String]) -> JSONValue {
        switch outcome {
        case .exited(0):
            return ["metadata": [:], "status": "Success"]
        case .exited(let code):
            return ["metadata": [:], "status": "Failure",
                    "message": .string("command terminated with non-zero exit code: error executing command \(goList(command)), exit code \(code)"),
                    "reason": "NonZeroExitCode",
                    "details": ["causes": [["reason": "ExitCode", "message": .string(String(code))]]]]
        case .failedToStart(let message):
            return failure("error executing command in container: \(message)")
        }
    }

    static func failure(_ message: String) -> JSONValue {
        ["metadata": [:], "status": "Failure", "message": .string(message), "reason": "InternalError", "code": 500]
    }

    /// Go's %v of a string slice, which upstream's message uses.
    private static func goList(_ items: [String]) -> String { "[" + items.joined(separator: " ") + "]" }
}
