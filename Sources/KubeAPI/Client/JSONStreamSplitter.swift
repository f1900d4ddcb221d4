/// Cuts a stream of JSON documents — a watch body, newline-delimited — into whole
/// documents as bytes arrive, whatever the chunking: one document may span chunks
/// and one chunk may hold several.
///
/// It tracks nesting and string state instead of looking for `\n`, so it also takes
/// documents that are pretty-printed or not newline-separated at all, and it scans
/// each byte once however the body is chunked.
public struct JSONStreamSplitter: Sendable {
    public enum SplitError: Error, Sendable, Hashable {
        /// Something other than an object or array at the top level.
        case unexpectedByte(UInt8)
        case documentTooLarge(limit: Int)
    }

    /// A guard against a peer that never closes its document.
    public var maxDocumentSize: Int

    private var buffer: [UInt8] = []
    private var scanned = 0
    private var documentStart: Int?
    private var depth = 0
    private var inString = false
    private var escaped = false

    public init(maxDocumentSize: Int = 64 << 20) {
        self.maxDocumentSize = maxDocumentSize
    }

    /// True when bytes of an unfinished document are held: the stream ended mid-document.
    public var hasPartialDocument: Bool { documentStart != nil }

    /// Feeds bytes and returns the documents they complete, in order.
    public mutating func append(_ bytes: some Collection<UInt8>) throws -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var documents: [[UInt8]] = []
        var i = scanned
        while i < buffer.count {
            let b = buffer[i]
            if depth == 0 {
                switch b {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    break
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    documentStart = i
                    depth = 1
                default:
                    throw SplitError.unexpectedByte(b)
                }
            } else if inString {
                if escaped {
                    escaped = false
                } else if b == UInt8(ascii: "\\") {
                    escaped = true
                } else if b == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch b {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0, let start = documentStart {
                        documents.append(Array(buffer[start...i]))
                        documentStart = nil
                    }
                default:
                    break
                }
            }
            i += 1
        }
        // Drop what has been handed out so the buffer holds at most one partial document.
        let keepFrom = documentStart ?? buffer.count
        if keepFrom > 0 {
            buffer.removeFirst(keepFrom)
            if documentStart != nil { documentStart = 0 }
        }
        scanned = buffer.count
        if buffer.count > maxDocumentSize {
            throw SplitError.documentTooLarge(limit: maxDocumentSize)
        }
        return documents
    }
}
