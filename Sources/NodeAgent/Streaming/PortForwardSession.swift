import Foundation
import Netlink
import NIOCore
import NIOWebSocket

/// `kubectl port-forward`'s protocol (portforward.k8s.io) over SPDY/3.1, itself tunnelled
/// through a WebSocket (`SPDY/3.1+portforward.k8s.io`: the SPDY bytes in binary messages).
/// For each local connection the client opens two streams with the same `requestID` and
/// `port`: an error stream, on which a failure is reported as text, and a data stream, whose
/// bytes are copied to and from a TCP connection to localhost:port inside the Pod's network
/// namespace, as the kubelet's runtimes do.
struct PortForwardSession {
    static let webSocketProtocol = "SPDY/3.1+portforward.k8s.io"

    let request: PortForwardRequest
    /// The Pod's network namespace.
    let namespacePath: String

    func run(_ connection: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            let send: @Sendable (SPDYFrame) async throws -> Void = { frame in
                try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, data: frame.encoded()))
            }
            let streams = ForwardedStreams()
            let headers = try SPDYHeaderCodec()
            try await withThrowingTaskGroup(of: Void.self) { group in
                defer { streams.closeAll() }
                var received = ByteBuffer()
                frames: for try await message in inbound {
                    switch message.opcode {
                    case .ping:
                        try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: message.unmaskedData))
                        continue
                    case .connectionClose:
                        break frames
                    case .binary, .continuation:
                        var data = message.unmaskedData
                        received.writeBuffer(&data)
                    default:
                        continue
                    }
                    while let frame = try SPDYFrame.read(from: &received) {
                        switch frame {
                        case .synStream(let id, _, let block):
                            // Every block is decoded, in order: they share one zlib stream.
                            let fields = try headers.decode(block)
                            try await send(.synReply(streamID: id, flags: 0, headerBlock: try headers.encode([])))
                            if let pair = streams.open(stream: id, fields) {
                                group.addTask { await forward(pair, streams: streams, send: send) }
                            }
                        case .data(let id, let flags, let payload):
                            if payload.readableBytes > 0, let socket = streams.deliver(stream: id, payload) {
                                if !(await Self.write(socket.fd, payload)) { socket.stop() }
                                socket.release()
                            }
                            if flags & SPDYFrame.fin != 0 { streams.clientFinished(stream: id) }
                        case .rstStream(let id, _):
                            streams.reset(stream: id)
                        case .ping(let id):
                            try await send(.ping(id: id))
                        case .goAway:
                            break frames
                        case .synReply, .ignored:
                            break
                        }
                    }
                    received.discardReadBytes()
                }
                // The client has gone: end every forwarded connection, then their copies end.
                streams.closeAll()
                try await group.waitForAll()
            }
        }
    }

    /// One stream pair: dial the port in the Pod, then copy the Pod's side to the client
    /// until it closes (the client's side is written as its data frames arrive).
    private func forward(_ pair: ForwardedStreams.Pair, streams: ForwardedStreams,
                         send: @escaping @Sendable (SPDYFrame) async throws -> Void) async {
        let finish = {
            try? await send(.data(streamID: pair.dataStream, flags: SPDYFrame.fin, payload: ByteBuffer()))
            try? await send(.data(streamID: pair.errorStream, flags: SPDYFrame.fin, payload: ByteBuffer()))
            streams.remove(pair)
        }
        guard let port = pair.port else {
            try? await send(.data(streamID: pair.errorStream, flags: 0, payload: ByteBuffer(string: "invalid port \"\(pair.portText)\"")))
            return await finish()
        }
        let fd = (try? await blocking { [namespacePath] in Self.dial(namespacePath: namespacePath, port: port) }) ?? -1
        guard fd >= 0 else {
            let message = "error forwarding port \(port) to pod \(request.namespace)/\(request.pod), uid \(request.uid): "
                + "failed to connect to localhost:\(port) inside the pod's network namespace: connection refused"
            try? await send(.data(streamID: pair.errorStream, flags: 0, payload: ByteBuffer(string: message)))
            return await finish()
        }
        let socket = SharedDescriptor(fd: fd, isSocket: true)
        // What the client sent while the connection was being made goes first.
        while let early = streams.connect(pair, socket: socket) {
            for chunk in early {
                if !(await Self.write(fd, chunk)) {
                    socket.stop()
                    break
                }
            }
        }
        while let chunk = await ContainerExec.read(fd) {
            do {
                try await send(.data(streamID: pair.dataStream, flags: 0, payload: ByteBuffer(bytes: chunk)))
            } catch {
                break
            }
        }
        socket.finish()
        await finish()
    }

    private static func write(_ socket: Int32, _ payload: ByteBuffer) async -> Bool {
        let bytes = Array(payload.readableBytesView)
        return (try? await blocking {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }) ?? false
    }

    /// A blocking TCP connection to localhost:port made from inside the Pod's namespace (on
    /// a thread of its own, which alone enters it); -1 when nothing listens.
    static func dial(namespacePath: String, port: UInt16) -> Int32 {
        guard let namespace = try? NetworkNamespace(path: namespacePath),
              let socket = try? namespace.run({ ProbeRunner.connect(host: "127.0.0.1", port: port, timeout: 5) }),
              socket >= 0 else { return -1 }
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) & ~O_NONBLOCK)
        _ = fcntl(socket, F_SETFD, FD_CLOEXEC)
        return socket
    }
}

/// The stream pairs of one port-forward connection, by request id, and the state of each
/// pair's connection into the Pod: bytes the client sent before it was made wait here.
final class ForwardedStreams: @unchecked Sendable {   // all state under `lock`
    struct Pair: Sendable {
        let requestID: String
        let errorStream: UInt32
        let dataStream: UInt32
        let portText: String
        var port: UInt16? { UInt16(portText).flatMap { $0 > 0 ? $0 : nil } }
    }

    private struct Slot {
        var errorStream: UInt32?
        var dataStream: UInt32?
        var port = ""
        var socket: SharedDescriptor?
        /// Client bytes not yet written; nil once the connection is made and drained.
        var pending: [ByteBuffer]? = []
        var clientDone = false
    }

    private let lock = NSLock()
    private var slots: [String: Slot] = [:]
    private var closed = false
    /// Client bytes held for a pair whose connection is not made yet: past this the
    /// stream is reset rather than held in memory.
    static let pendingLimit = 4 << 20
    private var requestOfStream: [UInt32: String] = [:]

    /// Records a new stream; returns the pair once both of its streams are open.
    func open(stream: UInt32, _ headers: [String: String]) -> Pair? {
        lock.lock()
        defer { lock.unlock() }
        // Clients before requestID existed sent one pair per port at a time.
        let request = headers["requestid"] ?? "port-" + (headers["port"] ?? "")
        var slot = slots[request] ?? Slot()
        slot.port = headers["port"] ?? ""
        switch headers["streamtype"] {
        case "error": slot.errorStream = stream
        case "data": slot.dataStream = stream
        default: return nil
        }
        slots[request] = slot
        requestOfStream[stream] = request
        guard let error = slot.errorStream, let data = slot.dataStream, stream == error || stream == data else { return nil }
        return Pair(requestID: request, errorStream: error, dataStream: data, portText: slot.port)
    }

    /// Client bytes for a stream: the socket to write them to now (acquired: release it
    /// after writing), or nil when they were kept for later or have nowhere to go.
    func deliver(stream: UInt32, _ payload: ByteBuffer) -> SharedDescriptor? {
        lock.lock()
        defer { lock.unlock() }
        guard let request = requestOfStream[stream], var slot = slots[request], slot.dataStream == stream else { return nil }
        if slot.pending != nil {
            if slot.pending!.reduce(0, { $0 + $1.readableBytes }) + payload.readableBytes > Self.pendingLimit {
                slot.pending = []
                slot.socket?.stop()
            } else {
                slot.pending!.append(payload)
            }
            slots[request] = slot
            return nil
        }
        guard let socket = slot.socket, socket.acquire() else { return nil }
        return socket
    }

    /// The client will send no more on this stream: the Pod's side sees end of file.
    func clientFinished(stream: UInt32) {
        lock.lock()
        defer { lock.unlock() }
        guard let request = requestOfStream[stream], var slot = slots[request], slot.dataStream == stream else { return }
        slot.clientDone = true
        slots[request] = slot
        if slot.pending == nil, let socket = slot.socket { socket.shutdownWrites() }
    }

    /// The connection is made: returns what to write first, until nothing is left (then
    /// nil, and later bytes are written as they come).
    func connect(_ pair: Pair, socket: SharedDescriptor) -> [ByteBuffer]? {
        lock.lock()
        defer { lock.unlock() }
        guard !closed, var slot = slots[pair.requestID] else {
            socket.stop()
            return nil
        }
        slot.socket = socket
        let early = slot.pending ?? []
        if early.isEmpty {
            slot.pending = nil
            if slot.clientDone { socket.shutdownWrites() }
            slots[pair.requestID] = slot
            return nil
        }
        slot.pending = []
        slots[pair.requestID] = slot
        return early
    }

    func reset(stream: UInt32) {
        lock.lock()
        defer { lock.unlock() }
        if let request = requestOfStream[stream], let socket = slots[request]?.socket { socket.stop() }
    }

    func remove(_ pair: Pair) {
        lock.lock()
        defer { lock.unlock() }
        slots[pair.requestID] = nil
        requestOfStream[pair.errorStream] = nil
        requestOfStream[pair.dataStream] = nil
    }

    /// Ends every connection's reads (their copies then close them), and any made later.
    func closeAll() {
        lock.lock()
        defer { lock.unlock() }
        closed = true
        for slot in slots.values { slot.socket?.stop() }
    }
}
