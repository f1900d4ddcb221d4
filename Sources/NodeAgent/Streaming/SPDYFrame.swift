import NIOCore

/// The frames of SPDY/3.1 that `kubectl port-forward` exchanges (Kubernetes still streams
/// port-forward over SPDY, tunnelled through a WebSocket since 1.31). Control frames carry
/// version 3 and a type; data frames a stream id. Flow control is not kept: the clients
/// (moby/spdystream) neither send nor heed WINDOW_UPDATE.
enum SPDYFrame: Equatable {
    case synStream(streamID: UInt32, flags: UInt8, headerBlock: ByteBuffer)
    case synReply(streamID: UInt32, flags: UInt8, headerBlock: ByteBuffer)
    case rstStream(streamID: UInt32, status: UInt32)
    case ping(id: UInt32)
    case goAway(lastStreamID: UInt32, status: UInt32)
    case data(streamID: UInt32, flags: UInt8, payload: ByteBuffer)
    /// SETTINGS, HEADERS, WINDOW_UPDATE and unknown types: read past.
    case ignored(type: UInt16)

    static let fin: UInt8 = 0x01
    static let version: UInt16 = 3

    /// RST_STREAM status codes used here.
    static let protocolError: UInt32 = 1
    static let refusedStream: UInt32 = 3

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Takes one whole frame off the front of `buffer`; nil until one has fully arrived.
    static func read(from buffer: inout ByteBuffer) throws -> SPDYFrame? {
        guard buffer.readableBytes >= 8,
              let first = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
              let second = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self) else { return nil }
        let flags = UInt8(second >> 24)
        let length = Int(second & 0x00FF_FFFF)
        guard buffer.readableBytes >= 8 + length else { return nil }
        buffer.moveReaderIndex(forwardBy: 8)
        var body = buffer.readSlice(length: length)!
        if first & 0x8000_0000 == 0 {
            return .data(streamID: first & 0x7FFF_FFFF, flags: flags, payload: body)
        }
        let version = UInt16((first >> 16) & 0x7FFF)
        guard version == Self.version else { throw Malformed(description: "SPDY version \(version) is not supported") }
        let type = UInt16(first & 0xFFFF)
        func word() throws -> UInt32 {
            guard let w = body.readInteger(as: UInt32.self) else { throw Malformed(description: "short SPDY control frame (type \(type))") }
            return w
        }
        switch type {
        case 1:
            let stream = try word() & 0x7FFF_FFFF
            _ = try word()                           // associated-to stream
            guard body.readInteger(as: UInt16.self) != nil else { throw Malformed(description: "short SYN_STREAM") }
            return .synStream(streamID: stream, flags: flags, headerBlock: body)
        case 2:
            return .synReply(streamID: try word() & 0x7FFF_FFFF, flags: flags, headerBlock: body)
        case 3:
            return .rstStream(streamID: try word() & 0x7FFF_FFFF, status: try word())
        case 6:
            return .ping(id: try word())
        case 7:
            return .goAway(lastStreamID: try word() & 0x7FFF_FFFF, status: (try? word()) ?? 0)
        default:
            return .ignored(type: type)
        }
    }

    /// The frame's bytes on the wire.
    func encoded() -> ByteBuffer {
        var out = ByteBuffer()
        func control(_ type: UInt16, flags: UInt8, _ body: ByteBuffer) {
            out.writeInteger(UInt32(0x8000_0000) | UInt32(Self.version) << 16 | UInt32(type))
            out.writeInteger(UInt32(flags) << 24 | UInt32(body.readableBytes))
            var body = body
            out.writeBuffer(&body)
        }
        switch self {
        case .synStream(let stream, let flags, var block):
            var body = ByteBuffer()
            body.writeInteger(stream)
            body.writeInteger(UInt32(0))
            body.writeInteger(UInt16(0))
            body.writeBuffer(&block)
            control(1, flags: flags, body)
        case .synReply(let stream, let flags, var block):
            var body = ByteBuffer()
            body.writeInteger(stream)
            body.writeBuffer(&block)
            control(2, flags: flags, body)
        case .rstStream(let stream, let status):
            var body = ByteBuffer()
            body.writeInteger(stream)
            body.writeInteger(status)
            control(3, flags: 0, body)
        case .ping(let id):
            var body = ByteBuffer()
            body.writeInteger(id)
            control(6, flags: 0, body)
        case .goAway(let last, let status):
            var body = ByteBuffer()
            body.writeInteger(last)
            body.writeInteger(status)
            control(7, flags: 0, body)
        case .data(let stream, let flags, var payload):
            out.writeInteger(stream & 0x7FFF_FFFF)
            out.writeInteger(UInt32(flags) << 24 | UInt32(payload.readableBytes))
            out.writeBuffer(&payload)
        case .ignored:
            break
        }
        return out
    }
}
