import Foundation

/// SIGTERM and SIGINT end a daemon command by cancelling its task, so it can log and
/// shut its client down instead of dying mid-write.
enum TerminationSignals {
    static func onTermination(_ action: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }
}
