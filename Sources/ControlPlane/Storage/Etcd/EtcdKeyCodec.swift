import KubeAPI

/// Store keys ↔ etcd keys (the store's under `prefix`), and etcd's key-values and watch
/// events ↔ the store's objects and events, stamped with their revisions.
struct EtcdKeyCodec: Sendable {
    let prefix: String

    func etcdKey(_ key: String) -> [UInt8] { Array((prefix + key).utf8) }

    /// The store key of an etcd key, or nil for one outside the prefix.
    func storeKey(_ etcdKey: [UInt8]) -> String? {
        let p = prefix.utf8
        guard etcdKey.count > p.count, etcdKey.starts(with: p), etcdKey[p.count] == UInt8(ascii: "/") else { return nil }
        return String(decoding: etcdKey.dropFirst(p.count), as: UTF8.self)
    }

    func object(_ kv: EtcdKeyValue) -> StoredObject {
        StoredObject(key: storeKey(kv.key) ?? "", value: RevisionStamp.stamp(kv.value, revision: kv.modRevision), revision: kv.modRevision)
    }

    /// One event from etcd's watch: a put is ADDED when it created the key, else MODIFIED;
    /// a delete carries the key's last state stamped with the deletion's revision. A key
    /// outside the prefix gives an event with an empty key: it still marks its revision.
    func event(_ raw: JSONValue) -> StoreEvent? {
        guard let kv = EtcdKeyValue(raw["kv"]) else { return nil }
        guard storeKey(kv.key) != nil else {
            return StoreEvent(kind: .modified, object: StoredObject(key: "", value: [], revision: kv.modRevision))
        }
        let previous = EtcdKeyValue(raw["prev_kv"]).map(object)
        if raw["type"]?.stringValue == "DELETE" {
            guard let last = EtcdKeyValue(raw["prev_kv"]), let previous else { return nil }
            let gone = StoredObject(key: previous.key, value: RevisionStamp.stamp(last.value, revision: kv.modRevision), revision: kv.modRevision)
            return StoreEvent(kind: .deleted, object: gone, previous: previous)
        }
        let kind: StoreEvent.Kind = kv.createRevision == kv.modRevision ? .added : .modified
        return StoreEvent(kind: kind, object: object(kv), previous: kind == .added ? nil : previous)
    }
}
