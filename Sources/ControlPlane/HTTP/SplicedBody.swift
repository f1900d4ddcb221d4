import NIOCore

/// A response body made of byte arrays joined by a separator between a head and a tail:
/// a list response, whose items are the stored objects' bytes. It is written in modest
/// pieces instead of being copied into one buffer first, so listing 10k pods neither
/// allocates (and page-faults in) a 40 MB buffer nor waits for it before sending.
public struct SplicedBody: Sendable {
    public var head: [UInt8]
    public var parts: [[UInt8]]
    public var separator: UInt8
    public var tail: [UInt8]

    /// The whole body in one array (for a caller in this process, not the wire).
    public var bytes: [UInt8] {
        var out = head
        out.reserveCapacity(contentLength)
        for (i, part) in parts.enumerated() {
            if i > 0 { out.append(separator) }
            out += part
        }
        return out + tail
    }

    public var contentLength: Int {
        head.count + tail.count + parts.reduce(0) { $0 + $1.count } + max(0, parts.count - 1)
    }

    /// Calls `write` with consecutive pieces of about `pieceSize` bytes.
    public func forEachPiece(pieceSize: Int = 256 * 1024, _ write: (ByteBuffer) async throws -> Void) async throws {
        var buffer = ByteBufferAllocator().buffer(capacity: pieceSize + 1024)
        buffer.writeBytes(head)
        for (i, part) in parts.enumerated() {
            if i > 0 { buffer.writeInteger(separator) }
            buffer.writeBytes(part)
            if buffer.readableBytes >= pieceSize {
                try await write(buffer)
                buffer = ByteBufferAllocator().buffer(capacity: pieceSize + 1024)
            }
        }
        buffer.writeBytes(tail)
        try await write(buffer)
    }
}
