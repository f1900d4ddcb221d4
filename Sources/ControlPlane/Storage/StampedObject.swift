import KubeAPI

extension JSONValue {
    /// What a write hands the store: this object serialised with `metadata.resourceVersion`
    /// set to the revision the write gets, so stored bytes always carry their own version.
    func stampedWithRevision() -> ValueForRevision {
        let object = self
        return { revision in
            var o = object
            o[path: ["metadata", "resourceVersion"]] = .string(String(revision))
            return JSONSerializer.serialize(o)
        }
    }
}
