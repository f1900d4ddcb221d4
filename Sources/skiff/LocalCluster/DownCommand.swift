import ArgumentParser
import Foundation
import NodeAgent

/// `skiff down`: removes a `skiff up` cluster — its processes, containers, mounts,
/// namespaces (and with them every link, route and nft rule in them), the host's link and
/// the data directory.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove a cluster `skiff up` made, leaving nothing of it behind.")

    @Option(help: "The cluster's name.")
    var name: String = "skiff"

    @Option(name: .customLong("data-dir"), help: "The cluster's state (default /var/lib/skiff/up/NAME).")
    var dataDir: String?

    func run() async throws {
        guard geteuid() == 0 else { throw ValidationError("skiff down needs root") }
        let directory = dataDir ?? LocalClusterLayout.defaultDataDirectory(name: name)
        guard let layout = LocalClusterLayout.load(dataDirectory: directory) else {
            throw ValidationError("no cluster at \(directory) (made by `skiff up --name \(name)`?)")
        }
        let processes = LocalClusterProcesses(layout: layout, executable: "")
        // Agents first, so that none reports its node's Pods as they go; then the server.
        await withTaskGroup(of: Void.self) { group in
            for i in layout.nodeIndices { group.addTask { await processes.stop(layout.nodeName(i)) } }
        }
        await processes.stop("server")
        for i in layout.nodeIndices {
            NodeTeardown(stateDirectory: layout.nodeDirectory(i)).run()
        }
        LocalClusterNetwork(layout: layout).remove()
        for target in NodeTeardown.mounts(under: layout.dataDirectory).sorted(by: { $0.count > $1.count }) {
            umount2(target, Int32(MNT_DETACH))
        }
        try FileManager.default.removeItem(atPath: layout.dataDirectory)
        // The default location's parents, when `skiff up` made them and nothing else is there.
        if dataDir == nil {
            rmdir("/var/lib/skiff/up")
            rmdir("/var/lib/skiff")
        }
        print("Cluster \"\(layout.name)\" removed.")
    }
}
