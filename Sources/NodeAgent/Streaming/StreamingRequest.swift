import Foundation

/// A request for one of the agent's streaming endpoints, as the API server sends it for
/// pods/exec: `/exec/{namespace}/{pod}/{uid}/{container}?command=…&stdin=…&stdout=…&stderr=…&tty=…`
/// (the kubelet's path with the Pod's uid, so that a Pod recreated under the same name is
/// never the one reached).
struct ExecRequest: Sendable, Equatable {
    var namespace: String
    var pod: String
    var uid: String
    var container: String
    var command: [String]
    var stdin: Bool
    var stdout: Bool
    var stderr: Bool
    var tty: Bool

    /// The runc id the agent gives the container.
    var containerID: String { "\(uid)_\(container)" }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// nil when the path is not an exec path at all.
    init?(uri: String) throws {
        let (path, query) = Self.split(uri)
        let parts = path.split(separator: "/").map(String.init)
        guard parts.first == "exec" else { return nil }
        guard parts.count == 5, !parts[1...].contains(where: \.isEmpty) else {
            throw Invalid(description: "exec path must be /exec/{namespace}/{pod}/{uid}/{container}")
        }
        (namespace, pod, uid, container) = (parts[1], parts[2], parts[3], parts[4])
        command = query.filter { $0.0 == "command" }.map(\.1)
        func flag(_ name: String) -> Bool { ["1", "t", "T", "true", "TRUE", "True"].contains(query.last { $0.0 == name }?.1 ?? "") }
        stdin = flag("stdin")
        stdout = flag("stdout")
        stderr = flag("stderr")
        tty = flag("tty")
        guard !command.isEmpty else { throw Invalid(description: "you must specify at least one command for the container") }
        guard stdin || stdout || stderr else { throw Invalid(description: "you must specify at least 1 of stdin, stdout, stderr") }
        // A terminal has one output; upstream drops stderr rather than refusing.
        if tty { stderr = false }
    }

    /// The path and its query pairs, percent-decoded; a key may repeat (`command`).
    static func split(_ uri: String) -> (String, [(String, String)]) {
        let halves = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var pairs: [(String, String)] = []
        if halves.count > 1 {
            for pair in halves[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ s: Substring) -> String {
                    let plus = s.replacingOccurrences(of: "+", with: " ")
                    return plus.removingPercentEncoding ?? plus
                }
                pairs.append((decode(kv[0]), kv.count > 1 ? decode(kv[1]) : ""))
            }
        }
        return (String(halves.first ?? ""), pairs)
    }
}

/// A request for `/portForward/{namespace}/{pod}/{uid}`: the ports come later, one per
/// stream pair, in the streams' headers.
struct PortForwardRequest: Sendable, Equatable {
    var namespace: String
    var pod: String
    var uid: String

    /// nil when the path is not a port-forward path at all.
    init?(uri: String) throws {
        let (path, _) = ExecRequest.split(uri)
        let parts = path.split(separator: "/").map(String.init)
        guard parts.first == "portForward" else { return nil }
        guard parts.count == 4, !parts[1...].contains(where: \.isEmpty) else {
            throw ExecRequest.Invalid(description: "port-forward path must be /portForward/{namespace}/{pod}/{uid}")
        }
        (namespace, pod, uid) = (parts[1], parts[2], parts[3])
    }
}
