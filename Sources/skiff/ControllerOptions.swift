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

    var managerConfig: ControllerManager.Config {
        var config = ControllerManager.Config()
        config.controllers = controllers.split(separator: ",").map(String.init)
        config.clusterCIDR = clusterCIDR
        config.nodeCIDRMaskSizeIPv4 = nodeCIDRMaskSizeIPv4
        config.nodeCIDRMaskSizeIPv6 = nodeCIDRMaskSizeIPv6
        return config
    }
}
