import Logging

/// A watch cache of one resource: it lists, then watches from the list's
/// resourceVersion, keeps the objects in memory and tells handlers about every
/// change, in order.
///
/// Like client-go's reflector and shared informer: a 410 Expired or a watch ERROR
/// makes it relist and deliver the differences as events; a broken connection makes it
/// reconnect with backoff and resume from the last resourceVersion it saw. Reads
/// (`list`, `get`, `hasSynced`) are synchronous so hot paths (DNS answers) need no
/// `await`. Each handler has its own ordered queue, so a slow handler delays only itself.
///
/// `start()` runs it in a task the informer owns; call `stop()` when done, which also
/// releases the informer (the task holds it).
public final class Informer<T: KubeObject>: ObjectEventSource, Sendable {
    /// Identifies a handler for `removeEventHandler`.
    public typealias Registration = EventHandlerRegistration

    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    public let pageSize: Int
    /// Applied to every object before it is cached or delivered (client-go's transform):
    /// a component drops what it never reads, such as managedFields, to keep its cache small.
    public let transform: (@Sendable (T) -> T)?
    /// False for readers that never look at managedFields: they are then not decoded at all
    /// (see `ObjectMeta.decodesManagedFields`), which `transform` dropping them cannot save.
    public let decodesManagedFields: Bool
    private let client: KubeClient
    private let backoff: Backoff
    private let logger: Logger
    private let state = ProtectedState(State())

    private struct Listener: Sendable {
        var continuation: AsyncStream<ObjectChange<T>>.Continuation
        var task: Task<Void, Never>
        /// Changes queued to the handlers, and handled by them.
        var progress: ProtectedState<(queued: Int, handled: Int)>
    }

    private struct State: Sendable {
        var cache = ObjectCache<T>()
        var synced = false
        var stopped = false
        var running = false
        var task: Task<Void, Never>?
        var listeners: [Int: Listener] = [:]
        var syncWaiters: [Int: CheckedContinuation<Void, Error>] = [:]
        var nextID = 0

        mutating func takeID() -> Int {
            nextID += 1
            return nextID
        }

        func broadcast(_ changes: [ObjectChange<T>]) {
            for listener in listeners.values {
                listener.progress.withLock { $0.queued += changes.count }
                for change in changes { listener.continuation.yield(change) }
            }
        }
    }

    /// - Parameters:
    ///   - namespace: `nil` watches all namespaces (and cluster-scoped types).
    ///   - pageSize: `limit` of each list page.
    public init(client: KubeClient, namespace: String? = nil, labelSelector: String? = nil,
                fieldSelector: String? = nil, pageSize: Int = 500, backoff: Backoff = Backoff(),
                transform: (@Sendable (T) -> T)? = nil, decodesManagedFields: Bool = true, logger: Logger? = nil) {
        self.client = client
        self.transform = transform
        self.decodesManagedFields = decodesManagedFields
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.backoff = backoff
        var log = logger ?? Logger(label: "skiff.informer")
        log[metadataKey: "resource"] = "\(T.resource)"
        self.logger = log
    }

    // MARK: reading the cache

    /// True once the first list has been stored; stays true.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// The resourceVersion the cache is current to.
    public var resourceVersion: String? { state.withLock { $0.cache.resourceVersion } }

    /// All cached objects, in key order.
    /// The cached objects `isIncluded` accepts, in no particular order (no sort: O(cache)).
    public func list(where isIncluded: (T) -> Bool) -> [T] {
        state.withLock { $0.cache.objects(where: isIncluded) }
    }

    public func list() -> [T] {
        state.withLock { $0.cache.sortedObjects }
    }

    public func get(namespace: String? = nil, name: String) -> T? {
        state.withLock { $0.cache[ObjectCache<T>.key(namespace: namespace, name: name)] }
    }

    /// Returns when the cache holds a complete list. Throws `CancellationError` if the
    /// calling task is cancelled or the informer stopped first.
    public func waitForSync() async throws {
        let id = state.withLock { $0.takeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let outcome: Result<Void, Error>? = state.withLock { s in
                    if s.synced { return .success(()) }
                    // Checked under the lock so a cancellation that raced ahead of this
                    // registration is not missed (its handler found nothing to resume).
                    if s.stopped || Task.isCancelled { return .failure(CancellationError()) }
                    s.syncWaiters[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            state.withLock { $0.syncWaiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    // MARK: handlers

    /// Registers handlers that share one ordered queue. A handler registered after the
    /// cache filled first gets an add for every cached object.
    @discardableResult
    public func addEventHandler(onAdd: (@Sendable (T) async -> Void)? = nil,
                                onUpdate: (@Sendable (_ old: T, _ new: T) async -> Void)? = nil,
                                onDelete: (@Sendable (T) async -> Void)? = nil) -> Registration {
        let (stream, continuation) = AsyncStream.makeStream(of: ObjectChange<T>.self)
        let progress = ProtectedState((queued: 0, handled: 0))
        let task = Task {
            for await change in stream {
                switch change {
                case .added(let o): await onAdd?(o)
                case .updated(let old, let new): await onUpdate?(old, new)
                case .deleted(let o): await onDelete?(o)
                }
                progress.withLock { $0.handled += 1 }
            }
        }
        let id = state.withLock { s -> Int in
            let id = s.takeID()
            guard !s.stopped else { return id }
            // Under the same lock as event delivery, so the synthetic adds and the live
            // events that follow form one consistent sequence.
            for object in s.cache.sortedObjects {
                continuation.yield(.added(object))
            }
            progress.withLock { $0.queued = s.cache.count }
            s.listeners[id] = Listener(continuation: continuation, task: task, progress: progress)
            return id
        }
        if state.withLock({ $0.listeners[id] == nil }) {
            continuation.finish()
            task.cancel()
        }
        return Registration(id: id)
    }

    /// The protocol's form of `addEventHandler`, all three handlers given.
    public func addEventHandlers(onAdd: (@Sendable (T) async -> Void)?,
                                 onUpdate: (@Sendable (_ old: T, _ new: T) async -> Void)?,
                                 onDelete: (@Sendable (T) async -> Void)?) -> Registration {
        addEventHandler(onAdd: onAdd, onUpdate: onUpdate, onDelete: onDelete)
    }

    @discardableResult
    public func onAdd(_ handler: @escaping @Sendable (T) async -> Void) -> Registration {
        addEventHandler(onAdd: handler)
    }

    @discardableResult
    public func onUpdate(_ handler: @escaping @Sendable (_ old: T, _ new: T) async -> Void) -> Registration {
        addEventHandler(onUpdate: handler)
    }

    @discardableResult
    public func onDelete(_ handler: @escaping @Sendable (T) async -> Void) -> Registration {
        addEventHandler(onDelete: handler)
    }

    /// Returns once the handlers of `registration` have handled every change queued to them
    /// so far (at once if they were removed or the informer stopped). After `waitForSync`,
    /// this means they have seen the whole first list: e.g. before a proxy's first full sync.
    public func waitUntilHandled(_ registration: Registration) async {
        guard let (progress, target) = state.withLock({ s in
            s.listeners[registration.id].map { l in (l.progress, l.progress.withLock { $0.queued }) }
        }) else { return }
        // A startup barrier, so a short poll is simpler than a second channel per handler.
        while progress.withLock({ $0.handled }) < target {
            if state.withLock({ $0.listeners[registration.id] == nil }) || Task.isCancelled { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    public func removeEventHandler(_ registration: Registration) {
        let listener = state.withLock { $0.listeners.removeValue(forKey: registration.id) }
        listener?.continuation.finish()
        listener?.task.cancel()
    }

    // MARK: lifecycle

    /// Starts listing and watching in a task the informer owns. Idempotent.
    public func start() {
        state.withLock { s in
            guard s.task == nil, !s.stopped else { return }
            s.task = Task { await self.run() }
        }
    }

    /// Lists and watches in the calling task until it is cancelled: for callers that
    /// run components in their own task group instead of calling `start()`.
    public func run() async {
        let first = state.withLock { s in
            guard !s.running, !s.stopped else { return false }
            s.running = true
            return true
        }
        guard first else { return }
        await ObjectMeta.$decodesManagedFields.withValue(decodesManagedFields) { await reflect() }
        state.withLock { $0.running = false }
    }

    /// Stops the owned task and the handler queues, and fails pending `waitForSync`s.
    /// Events not yet handled are dropped.
    public func stop() async {
        let (task, listeners, waiters) = state.withLock { s in
            s.stopped = true
            defer {
                s.task = nil
                s.listeners = [:]
                s.syncWaiters = [:]
            }
            return (s.task, Array(s.listeners.values), Array(s.syncWaiters.values))
        }
        task?.cancel()
        await task?.value
        for listener in listeners {
            listener.continuation.finish()
            listener.task.cancel()
        }
        for listener in listeners { await listener.task.value }
        for waiter in waiters { waiter.resume(throwing: CancellationError()) }
    }

    // MARK: list and watch

    private enum WatchOutcome {
        /// The server ended the watch (its timeout); `productive` if it was worth anything.
        case closed(productive: Bool)
        /// The resourceVersion is too old, or the server sent an ERROR: relist.
        case relist(KubeAPIError)
        /// Transport failure or a refused watch: reconnect from the same resourceVersion.
        case failed(Error, productive: Bool)
        case cancelled
    }

    private func reflect() async {
        var backoff = self.backoff
        var needsList = true
        var relistedJustNow = false
        while !Task.isCancelled {
            if needsList {
                do {
                    try await relist()
                    needsList = false
                    relistedJustNow = true
                    backoff.reset()
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("list failed: \(error)")
                    guard await pause(backoff.next()) else { return }
                    continue
                }
            }
            guard let rv = resourceVersion else {
                // A list without a resourceVersion gives nothing to watch from.
                logger.warning("list returned no resourceVersion; relisting")
                needsList = true
                guard await pause(backoff.next()) else { return }
                continue
            }
            let outcome = await watch(from: rv)
            defer { relistedJustNow = false }
            switch outcome {
            case .cancelled:
                return
            case .closed(let productive):
                if productive {
                    backoff.reset()
                } else {
                    // A server that keeps closing idle watches at once must not make us spin.
                    guard await pause(backoff.next()) else { return }
                }
            case .relist(let error):
                logger.info("watch ended with \(error); relisting")
                needsList = true
                // Expiry is routine and answered at once, unless the fresh list's
                // resourceVersion expired too: then the server needs a moment.
                if !error.isGone || relistedJustNow {
                    guard await pause(backoff.next()) else { return }
                }
            case .failed(let error, let productive):
                if productive { backoff.reset() }
                let delay = backoff.next()
                logger.info("watch failed: \(error); resuming from \(resourceVersion ?? rv) in \(delay)")
                guard await pause(delay) else { return }
            }
        }
    }

    /// Sleeps; false if cancelled meanwhile.
    private func pause(_ delay: Duration) async -> Bool {
        do {
            try await Task.sleep(for: delay)
            return true
        } catch {
            return false
        }
    }

    /// Lists page by page and replaces the cache, telling handlers the differences.
    private func relist() async throws {
        var listing = ObjectCache<T>.Listing()
        var resourceVersion: String?
        var continueToken: String?
        repeat {
            let options = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector,
                                      limit: pageSize, continueToken: continueToken)
            let page: ListResult<T>
            do {
                page = try await client.list(T.self, namespace: namespace, options: options)
            } catch let error as KubeAPIError where error.isGone && continueToken != nil {
                // The snapshot behind the continue token was compacted away: one
                // unpaginated list is the only way to get a consistent view now.
                listing.removeAll()
                page = try await client.list(T.self, namespace: namespace,
                                             options: ListOptions(labelSelector: labelSelector,
                                                                  fieldSelector: fieldSelector))
            }
            if let transform {
                listing.append(contentsOf: page.items.lazy.map(transform))
            } else {
                listing.append(contentsOf: page.items)
            }
            resourceVersion = page.resourceVersion
            continueToken = page.continueToken
        } while continueToken != nil

        let waiters = state.withLock { s in
            let changes = s.cache.replace(with: listing, resourceVersion: resourceVersion)
            s.broadcast(changes)
            s.synced = true
            defer { s.syncWaiters = [:] }
            return Array(s.syncWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
        logger.debug("listed \(listing.count) objects at resourceVersion \(resourceVersion ?? "-")")
    }

    private func watch(from resourceVersion: String) async -> WatchOutcome {
        // Spread the server-side timeouts so that many watchers do not reconnect together.
        let options = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector,
                                  resourceVersion: resourceVersion, timeoutSeconds: Int.random(in: 300...600),
                                  allowWatchBookmarks: true)
        let events: AsyncThrowingStream<KubeWatchEvent<T>, Error>
        do {
            events = try await client.watch(T.self, namespace: namespace, options: options)
        } catch let error as KubeAPIError where error.isGone {
            return .relist(error)
        } catch {
            return Task.isCancelled ? .cancelled : .failed(error, productive: false)
        }

        let started = ContinuousClock.now
        var sawEvent = false
        var productive: Bool { sawEvent || ContinuousClock.now - started > .seconds(10) }
        do {
            for try await event in events {
                sawEvent = true
                let event = transform.map { event.map($0) } ?? event
                state.withLock { s in
                    if let change = s.cache.apply(event) { s.broadcast([change]) }
                }
            }
        } catch let error as KubeAPIError {
            return Task.isCancelled ? .cancelled : .relist(error)
        } catch {
            return Task.isCancelled ? .cancelled : .failed(error, productive: productive)
        }
        return Task.isCancelled ? .cancelled : .closed(productive: productive)
    }
}
