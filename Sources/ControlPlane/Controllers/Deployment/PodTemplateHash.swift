import KubeAPI
import SkiffJSON

/// The `pod-template-hash` that names a Deployment's ReplicaSets (`<deployment>-<hash>`) and
/// labels their Pods, so that each distinct template gets its own ReplicaSet and Pods of
/// different revisions never match each other's selectors. As upstream: FNV-1a (32 bit) over
/// the template, then the collision count, spelled with the vowel-free alphabet of
/// `rand.SafeEncodeString`. Upstream hashes Go's in-memory dump of the struct; this hashes
/// the template's canonical JSON (sorted keys), which is as stable and needs no Go.
enum PodTemplateHash {
    static let label = "pod-template-hash"

    static func compute(_ template: PodTemplateSpec?, collisionCount: Int32?) -> String {
        var hash: UInt32 = 2_166_136_261
        func feed<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt32(byte)
                hash = hash &* 16_777_619
            }
        }
        feed(JSONSerializer.serialize((try? JSONValue(encoding: template)) ?? .null))
        if let collisionCount {
            // Upstream writes the count as 4 little-endian bytes into an 8-byte buffer.
            let count = UInt32(bitPattern: collisionCount)
            feed([UInt8(count & 0xff), UInt8(count >> 8 & 0xff), UInt8(count >> 16 & 0xff), UInt8(count >> 24), 0, 0, 0, 0])
        }
        return safeEncode(String(hash))
    }

    /// `rand.SafeEncodeString`: no vowels (no words) and no look-alike characters.
    static func safeEncode(_ text: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(text.utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    /// Whether two templates are the same once the hash label is ignored: how a Deployment
    /// recognises the ReplicaSet of its current template (upstream's `EqualIgnoreHash`).
    static func equalIgnoringHash(_ a: PodTemplateSpec?, _ b: PodTemplateSpec?) -> Bool {
        withoutHash(a) == withoutHash(b)
    }

    static func withoutHash(_ template: PodTemplateSpec?) -> PodTemplateSpec? {
        guard var template else { return nil }
        template.metadata?.labels?[label] = nil
        if template.metadata?.labels?.isEmpty == true { template.metadata?.labels = nil }
        return template
    }
}
