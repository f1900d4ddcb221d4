/// What a round of deletes did.
public struct ConntrackDeletion: Sendable, Equatable {
    /// Entries the kernel removed on our request.
    public var deleted: Int
    /// Entries that were no longer there (expired, deleted by someone else, or replaced by a
    /// newer flow with the same tuple since the dump): the goal was already reached.
    public var alreadyGone: Int

    public init(deleted: Int = 0, alreadyGone: Int = 0) {
        self.deleted = deleted
        self.alreadyGone = alreadyGone
    }
}
