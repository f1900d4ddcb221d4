import ArgumentParser
import Foundation
import KubeAPI
import NodeAgent

/// `skiff up`: a whole cluster on this machine — the server and N nodes, each node a network
/// namespace running `skiff agent` — and the kubeconfig to reach it. Run again, it reuses the
/// cluster, starting whatever is not running.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a multi-node cluster on this machine, each node in its own network namespace.",
        discussion: """
            Makes an underlay subnet (--subnet) reached from the host through one link, sk-NAME; \
            a namespace for the server, which keeps its state in DATA/server; and one per node, \
            each running an agent with its proxy, overlay and DNS, its Pods on runc. Every node \
            gets the image localhost/busybox:skiff, built from the host's busybox. Writes \
            DATA/kubeconfig. `skiff down` removes all of it.
            """)

    @Option(help: "Nodes to run (default 2; a cluster keeps the count it was made with).")
    var nodes: Int?

    @Option(help: "The cluster's name: its namespaces, link and node names carry it.")
    var name: String = "skiff"

    @Option(help: "The nodes' underlay, an IPv4 /24 the host does not use yet.")
    var subnet: String = LocalClusterLayout.defaultSubnet

    @Option(name: .customLong("data-dir"), help: "Where the cluster's state goes (default /var/lib/skiff/up/NAME).")
    var dataDir: String?

    @Option(help: "Seconds to wait for every node to be Ready.")
    var timeout: Int = 180

    func run() async throws {
        guard geteuid() == 0 else { throw ValidationError("skiff up needs root: it makes network namespaces and runs runc") }
        let directory = dataDir ?? LocalClusterLayout.defaultDataDirectory(name: name)
        let layout: LocalClusterLayout
        if let existing = LocalClusterLayout.load(dataDirectory: directory) {
            if let nodes, nodes != existing.nodes {
                throw ValidationError("cluster \"\(existing.name)\" has \(existing.nodes) nodes; `skiff down --name \(existing.name)` first to change that")
            }
            layout = existing
        } else {
            layout = try LocalClusterLayout(name: name, nodes: nodes ?? 2, subnet: subnet, dataDirectory: directory)
        }
        guard NodeHealthProbe.findExecutable("runc") != nil else { throw ValidationError("runc is not installed (apt install runc)") }
        guard let busybox = BusyboxImage.find() else { throw ValidationError("a static busybox is not installed (apt install busybox-static)") }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")

        let network = LocalClusterNetwork(layout: layout)
        try network.checkSubnetIsFree()
        try FileManager.default.createDirectory(atPath: layout.dataDirectory, withIntermediateDirectories: true)
        try layout.save()
        try network.create()

        let image = BusyboxImage(binary: busybox, directory: layout.imageDirectory)
        try image.build()
        let references = try image.references()
        for i in layout.nodeIndices {
            let store = try ImageStore(root: layout.nodeDirectory(i) + "/images")
            for reference in references {
                if let parsed = ImageReference(reference), try store.image(parsed) == nil {
                    _ = try store.importArchive(layout.imageDirectory, name: reference)
                }
            }
        }

        let processes = LocalClusterProcesses(layout: layout, executable: executable)
        try processes.start("server", namespace: layout.serverNamespace, arguments: processes.serverArguments())
        try await waitFor("the server to write its credentials", seconds: 60) {
            FileManager.default.fileExists(atPath: layout.serverDirectory + "/node-token")
                && FileManager.default.fileExists(atPath: layout.serverDirectory + "/admin.kubeconfig")
        } failing: { processes.running("server") == nil ? "skiff server exited: see \(layout.logFile("server"))" : nil }
        try writeKubeconfig(layout)
        for i in layout.nodeIndices {
            try processes.start(layout.nodeName(i), namespace: layout.nodeNamespace(i), arguments: processes.agentArguments(i))
        }

        let client = try KubeClient(kubeconfigPath: layout.kubeconfig)
        defer { Task { try? await client.shutdown() } }
        let wanted = Set(layout.nodeIndices.map(layout.nodeName))
        try await waitFor("every node to be Ready", seconds: timeout) {
            guard let list = try? await client.list(Node.self) else { return false }
            let ready = list.items.filter { node in
                node.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }.compactMap { $0.metadata?.name }
            return wanted.isSubset(of: Set(ready))
        } failing: {
            for component in layout.components where processes.running(component) == nil {
                return "\(component) exited: see \(layout.logFile(component))"
            }
            return nil
        }

        print("""
            Cluster "\(layout.name)" is up: a server at \(layout.serverURL) and \(layout.nodes) node\(layout.nodes == 1 ? "" : "s") \
            (\(layout.nodeIndices.map(layout.nodeName).joined(separator: ", "))), reached from this host through \(layout.hostLink).
            Image on every node: \(references.joined(separator: ", "))
            Logs: \(layout.dataDirectory)/logs

            Next:
              export KUBECONFIG=\(layout.kubeconfig)
              kubectl get nodes -o wide

            Remove it with: skiff down\(layout.name == "skiff" ? "" : " --name \(layout.name)")
            """)
    }

    /// The server's admin kubeconfig under the cluster's own context name, at a known path.
    private func writeKubeconfig(_ layout: LocalClusterLayout) throws {
        let context = layout.name == "skiff" ? "skiff" : "skiff-\(layout.name)"
        var text = try String(contentsOfFile: layout.serverDirectory + "/admin.kubeconfig", encoding: .utf8)
        for (from, to) in [("- name: skiff\n", "- name: \(context)\n"), ("cluster: skiff\n", "cluster: \(context)\n"),
                           ("current-context: skiff\n", "current-context: \(context)\n")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        let fd = open(layout.kubeconfig, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot write \(layout.kubeconfig): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(text.utf8))
    }

    private func waitFor(_ what: String, seconds: Int, _ done: () async -> Bool,
                         failing: () -> String?) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if await done() { return }
            if failing() != nil {
                // Seen twice, a moment apart, before it is believed.
                try await Task.sleep(for: .milliseconds(300))
                if let failure = failing() { throw ValidationError(failure) }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ValidationError("timed out after \(seconds)s waiting for \(what)")
    }
}
