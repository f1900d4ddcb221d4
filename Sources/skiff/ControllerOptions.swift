import ArgumentParser
import ControlPlane
import Foundation

/// The controller flags `skiff server` and `skiff controllers` share, named as
/// kube-controller-manager's.
struct ControllerOptions: ParsableArguments {
    @Option(name: .customLong("controllers"),
            help: "Controllers to run, comma-separated: '*' for all, 'name' to enable, '-name' to disable, '-*' for none (\(ControllerManager.known.joined(separator: ", "))).")
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

    @Option(name: .customLong("leader-elect"), help: "Run the controllers only while holding the leader Lease, so several servers can share a cluster.")
    var leaderElect: Bool = true

    @Option(name: .customLong("leader-elect-lease-duration"), help: "How long a silent leader keeps the Lease from the others.")
    var leaseDuration: String = "15s"

    @Option(name: .customLong("leader-elect-renew-deadline"), help: "How long the leader keeps trying to renew before it stops leading.")
    var renewDeadline: String = "10s"

    @Option(name: .customLong("leader-elect-retry-period"), help: "How often candidates try for the Lease and the leader renews it.")
    var retryPeriod: String = "2s"

    @Option(name: .customLong("leader-elect-resource-name"), help: "Name of the leader Lease.")
    var leaseName: String = "kube-controller-manager"

    @Option(name: .customLong("leader-elect-resource-namespace"), help: "Namespace of the leader Lease.")
    var leaseNamespace: String = "kube-system"

    /// The election settings for a candidate named `identity`; nil with --leader-elect=false.
    func leaderElection(identity: String) throws -> LeaderElector.Config? {
        guard leaderElect else { return nil }
        var config = LeaderElector.Config(identity: identity)
        config.leaseDuration = try FlagValue.duration(leaseDuration, flag: "--leader-elect-lease-duration")
        config.renewDeadline = try FlagValue.duration(renewDeadline, flag: "--leader-elect-renew-deadline")
        config.retryPeriod = try FlagValue.duration(retryPeriod, flag: "--leader-elect-retry-period")
        config.name = leaseName
        config.namespace = leaseNamespace
        // As client-go insists: the leader must give up before anyone may take over.
        guard config.retryPeriod > .zero, config.renewDeadline > config.retryPeriod, config.leaseDuration > config.renewDeadline,
              config.leaseDuration >= .seconds(1) else {
            throw ValidationError("leader election needs --leader-elect-lease-duration > --leader-elect-renew-deadline > --leader-elect-retry-period > 0 (and a lease of at least 1s)")
        }
        return config
    }

    /// A candidate name as upstream makes them: host, then something unique.
    static func candidateIdentity() -> String {
        (ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "skiff") + "_" + UUID().uuidString.lowercased()
    }

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
