import CZlib
import NIOCore

/// SPDY/3 header blocks: name/value pairs (32-bit counts and lengths), zlib-compressed as one
/// stream per direction for the whole connection, the peer's primed with the protocol's
/// dictionary. Our own blocks are compressed without it, which the zlib stream header says
/// and readers accept.
final class SPDYHeaderCodec {
    private let inflater: UnsafeMutablePointer<z_stream>
    private let deflater: UnsafeMutablePointer<z_stream>

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init() throws {
        inflater = .allocate(capacity: 1)
        inflater.initialize(to: z_stream())
        deflater = .allocate(capacity: 1)
        deflater.initialize(to: z_stream())
        guard inflateInit_(inflater, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK,
              deflateInit_(deflater, Z_DEFAULT_COMPRESSION, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib would not start")
        }
    }

    deinit {
        inflateEnd(inflater)
        deflateEnd(deflater)
        inflater.deallocate()
        deflater.deallocate()
    }

    /// The pairs of one received block; names are lower case on the wire.
    func decode(_ block: ByteBuffer) throws -> [String: String] {
        let plain = try inflate(Array(block.readableBytesView))
        var buffer = ByteBuffer(bytes: plain)
        guard let count = buffer.readInteger(as: UInt32.self) else { throw Failure(description: "empty SPDY header block") }
        var headers: [String: String] = [:]
        for _ in 0..<count {
            guard let nameLength = buffer.readInteger(as: UInt32.self), let name = buffer.readString(length: Int(nameLength)),
                  let valueLength = buffer.readInteger(as: UInt32.self), let value = buffer.readString(length: Int(valueLength)) else {
                throw Failure(description: "truncated SPDY header block")
            }
            headers[name.lowercased()] = value
        }
        return headers
    }

    /// A block for our SYN_REPLY frames.
    func encode(_ headers: [(String, String)]) throws -> ByteBuffer {
        var plain = ByteBuffer()
        plain.writeInteger(UInt32(headers.count))
        for (name, value) in headers {
            plain.writeInteger(UInt32(name.utf8.count))
            plain.writeString(name.lowercased())
            plain.writeInteger(UInt32(value.utf8.count))
            plain.writeString(value)
        }
        return ByteBuffer(bytes: try deflate(Array(plain.readableBytesView)))
    }

    /// What a decompressed block may come to: port-forward's carry three short headers.
    static let maxHeaderBlock = 64 * 1024

    private func inflate(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        try input.withUnsafeBufferPointer { source in
            inflater.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            inflater.pointee.avail_in = uInt(source.count)
            defer { inflater.pointee.next_in = nil; inflater.pointee.avail_in = 0 }
            while true {
                let (result, produced) = chunk.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                    inflater.pointee.next_out = target.baseAddress
                    inflater.pointee.avail_out = uInt(target.count)
                    let result = CZlib.inflate(inflater, Z_SYNC_FLUSH)
                    return (result, target.count - Int(inflater.pointee.avail_out))
                }
                output += chunk[0..<produced]
                guard output.count <= Self.maxHeaderBlock else {
                    throw Failure(description: "SPDY header block larger than \(Self.maxHeaderBlock) bytes")
                }
                switch result {
                case Z_NEED_DICT:
                    let set = Self.dictionary.withUnsafeBufferPointer { inflateSetDictionary(inflater, $0.baseAddress, uInt($0.count)) }
                    guard set == Z_OK else { throw Failure(description: "SPDY header block wants an unknown dictionary") }
                case Z_OK where inflater.pointee.avail_in > 0 || produced == chunk.count:
                    continue
                case Z_OK, Z_BUF_ERROR:
                    return
                default:
                    throw Failure(description: "corrupt SPDY header block (zlib \(result))")
                }
            }
        }
        return output
    }

    private func deflate(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        try input.withUnsafeBufferPointer { source in
            deflater.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            deflater.pointee.avail_in = uInt(source.count)
            defer { deflater.pointee.next_in = nil; deflater.pointee.avail_in = 0 }
            repeat {
                let (result, produced) = chunk.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                    deflater.pointee.next_out = target.baseAddress
                    deflater.pointee.avail_out = uInt(target.count)
                    let result = CZlib.deflate(deflater, Z_SYNC_FLUSH)
                    return (result, target.count - Int(deflater.pointee.avail_out))
                }
                guard result == Z_OK || result == Z_BUF_ERROR else { throw Failure(description: "zlib deflate failed (\(result))") }
                output += chunk[0..<produced]
            } while deflater.pointee.avail_out == 0
        }
        return output
    }

    /// SPDY/3's dictionary (draft-mbelshe-httpbis-spdy-00, 2.6.10.1): header names and
    /// values, each after its 32-bit length, then a run of common text.
    static let dictionary: [UInt8] = {
        let words = ["options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
                     "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
                     "content-base", "content-encoding", "content-language", "content-length", "content-location",
                     "content-md5", "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host",
                     "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified",
                     "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
                     "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via",
                     "warning", "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url",
                     "public", "set-cookie", "keep-alive", "origin"]
        let text = "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
            + "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
            + "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
            + "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
            + "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
            + "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
        var bytes: [UInt8] = []
        for word in words {
            let count = UInt32(word.utf8.count)
            bytes += [UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
            bytes += Array(word.utf8)
        }
        return bytes + Array(text.utf8)
    }()
}
