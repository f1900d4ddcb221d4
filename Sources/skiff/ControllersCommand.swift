import ArgumentParser
import ControlPlane
import KubeAPI
import Logging

/// `skiff controllers`: the controllers of `skiff server` alone, against any API server.
struct ControllersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controllers",
        abstract: "Run the control-plane controllers against an API server (as kube-controller-manager).")

    @Option(help: "Kubeconfig of the API server.")
    var kubeconfig: String = "/var/lib/skiff/server/admin.kubeconfig"

    @OptionGroup var options: ControllerOptions

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "skiff.controllers")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let client = try KubeClient(kubeconfigPath: kubeconfig)
        let manager: ControllerManager
        do {
            manager = try ControllerManager(client: client, config: try options.managerConfig(), logger: logger)
        } catch {
            throw ValidationError("\(error)")
        }
        let task = Task { await manager.run() }
        let signals = TerminationSignals.onTermination { task.cancel() }
        defer { for s in signals { s.cancel() } }
        await task.value
        logger.info("stopped")
        try? await client.shutdown()
    }
}
