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
        let config: ControllerManager.Config
        let election: LeaderElector.Config?
        do {
            config = try options.managerConfig()
            _ = try ControllerManager(client: client, config: config, logger: logger)
            election = try options.leaderElection(identity: ControllerOptions.candidateIdentity())
        } catch {
            throw ValidationError("\(error)")
        }
        let task = Task { try await ControllerManager.run(client: client, config: config, election: election, logger: logger) }
        let signals = TerminationSignals.onTermination { task.cancel() }
        defer { for s in signals { s.cancel() } }
        let result = await task.result
        logger.info("stopped")
        try? await client.shutdown()
        try result.get()
    }
}
