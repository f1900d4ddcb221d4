import KubeAPI

/// How objects in etcd carry their resourceVersion.
///
/// etcd gives a write its revision only as it commits, so the bytes cannot hold the real
/// one. kube-apiserver stores objects without it and sets it from `mod_revision` on every
/// decode. Skiff's API server hands out stored bytes without decoding them, so instead the
/// object is rendered with a placeholder revision (Int64.max, which no real revision
/// reaches) and reading swaps the placeholder's digits for `mod_revision`'s: a byte search,
/// not a parse. Should the object itself contain those digits elsewhere, the placeholder is
/// ambiguous and the read parses the object and sets `metadata.resourceVersion` instead.
enum RevisionStamp {
    static let placeholder = Int64.max
    private static let digits = Array(String(Int64.max).utf8)

    /// The bytes to store for a write.
    static func render(_ value: ValueForRevision) throws -> [UInt8] {
        try value(placeholder)
    }

    /// The stored bytes as the object at `revision`.
    static func stamp(_ stored: [UInt8], revision: Int64) -> [UInt8] {
        let found = occurrences(in: stored, limit: 2)
        switch found.count {
        case 0:
            return stored  // not an object that carries its version
        case 1:
            let at = found[0]
            var out: [UInt8] = []
            out.reserveCapacity(stored.count)
            out.append(contentsOf: stored[..<at])
            out.append(contentsOf: String(revision).utf8)
            out.append(contentsOf: stored[(at + digits.count)...])
            return out
        default:
            return withResourceVersion(stored, revision) ?? stored
        }
    }

    /// Stored bytes for an object that already carries a real resourceVersion (an import).
    static func restore(_ stamped: [UInt8]) -> [UInt8] {
        withResourceVersion(stamped, placeholder) ?? stamped
    }

    /// The object with `metadata.resourceVersion` set, by a parse; nil when the bytes are not
    /// an object with metadata.
    static func withResourceVersion(_ bytes: [UInt8], _ revision: Int64) -> [UInt8]? {
        guard var object = try? JSONParser.parse(bytes), object[path: ["metadata"]]?.objectValue != nil else { return nil }
        object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        return JSONSerializer.serialize(object)
    }

    private static func occurrences(in bytes: [UInt8], limit: Int) -> [Int] {
        var found: [Int] = []
        let first = digits[0]
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            let end = buffer.count - digits.count
            while i <= end {
                if buffer[i] == first {
                    var match = true
                    for j in 1..<digits.count where buffer[i + j] != digits[j] {
                        match = false
                        break
                    }
                    if match {
                        found.append(i)
                        if found.count == limit { return }
                        i += digits.count
                        continue
                    }
                }
                i += 1
            }
        }
        return found
    }
}
