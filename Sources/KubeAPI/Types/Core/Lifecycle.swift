/// core/v1 Lifecycle: hooks run right after a container starts and before it is stopped.
public struct Lifecycle: Codable, Sendable, Hashable {
    public var postStart: LifecycleHandler?
    public var preStop: LifecycleHandler?

    public init(postStart: LifecycleHandler? = nil, preStop: LifecycleHandler? = nil) {
        self.postStart = postStart
        self.preStop = preStop
    }
}

/// core/v1 LifecycleHandler: exactly one member is set. `tcpSocket` is accepted for compatibility but not run.
public struct LifecycleHandler: Codable, Sendable, Hashable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var sleep: SleepAction?

    public init(
        exec: ExecAction? = nil,
        httpGet: HTTPGetAction? = nil,
        tcpSocket: TCPSocketAction? = nil,
        sleep: SleepAction? = nil
    ) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.sleep = sleep
    }
}

/// core/v1 SleepAction.
public struct SleepAction: Codable, Sendable, Hashable {
    public var seconds: Int64?

    public init(seconds: Int64? = nil) {
        self.seconds = seconds
    }
}
