import ArgumentParser
import ControlPlane

/// The controller flags `skiff server` and `skiff controllers` share, named as
/// kube-controller-manager's.
struct ControllerOptions: ParsableArguments {
    @Option(name: .customLong("controllers"),
            help: "Controllers to run, comma-separated: '*' for all, 'name' to enable, '-name' to disable (\(ControllerManager.known.joined(separator: ", "))).")
    var controllers: String = "*"

    @Option(name: .customLong("cluster-cidr"), help: "Range Node Pod subnets are allocated from; an IPv4 and an IPv6 one separated by a comma for dual-stack.")
    var clusterCIDR: String = "10.244.0.0/16"

    @Option(name: .customLong("node-cidr-mask-size-ipv4"), help: "Prefix length of each Node's IPv4 Pod subnet.")
    var nodeCIDRMaskSizeIPv4: Int = 24

    @Option(name: .customLong("node-cidr-mask-size-ipv6"), help: "Prefix length of each Node's IPv6 Pod subnet.")
    var nodeCIDRMaskSizeIPv6: Int = 64

    @Option(name: .customLong("node-monitor-grace-period"),
            help: "How long a Node may go without a heartbeat (Lease or status) before it is marked Ready=Unknown and tainted unreachable.")
    var nodeMonitorGracePeriod: String = "50s"

    @Option(name: .customLong("node-monitor-period"), help: "How often Node health is checked.")
    var nodeMonitorPeriod: String = "5s"

    @Option(name: .customLong("node-startup-grace-period"), help: "How long a new Node may take to report Ready before it is marked Unknown.")
    var nodeStartupGracePeriod: String = "1m0s"

    func managerConfig() throws -> ControllerManager.Config {
        var config = ControllerManager.Config()
        config.nodeMonitorGracePeriod = try FlagValue.duration(nodeMonitorGracePeriod, flag: "--node-monitor-grace-period")
        config.nodeMonitorPeriod = try FlagValue.duration(nodeMonitorPeriod, flag: "--node-monitor-period")
        config.nodeStartupGracePeriod = try FlagValue.duration(nodeStartupGracePeriod, flag: "--node-startup-grace-period")
        guard config.nodeMonitorPeriod > .zero, config.nodeMonitorGracePeriod > .zero, config.nodeStartupGracePeriod > .zero else {
            throw ValidationError("--node-monitor-period, --node-monitor-grace-period and --node-startup-grace-period must be positive")
        }
        config.controllers = controllers.split(separator: ",").map(String.init)
        config.clusterCIDR = clusterCIDR
        config.nodeCIDRMaskSizeIPv4 = nodeCIDRMaskSizeIPv4
        config.nodeCIDRMaskSizeIPv6 = nodeCIDRMaskSizeIPv6
        return config
    }
}
