import ArgumentParser

@main
struct Skiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "A lighter Kubernetes whose heart is service networking.",
        subcommands: [UpCommand.self, DownCommand.self, ServerCommand.self, ControllersCommand.self, AgentCommand.self, ImageCommand.self, ProxyCommand.self, OverlayCommand.self, DNSCommand.self])
}
