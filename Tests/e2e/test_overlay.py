"""`skiff overlay` end to end: the real API server, the real overlay daemon on each node
namespace, pods attached by the real skiff-cni; Node objects changed with kubectl."""
import os
import time

import pytest

from conftest import skiff_binary
from overlay_cluster import CLUSTER_CIDR, SWITCH_IP, Cluster


@pytest.fixture
def cluster():
    c = Cluster(nodes=2)
    try:
        yield c
    finally:
        c.close()


def wait_programmed(c, on, peers):
    """Waits until `on` has exactly a route, FDB entry and neighbour for each of `peers`."""
    def done():
        routes, fdb = c.routes(on), c.fdb(on)
        want_routes = {c.pod_cidr(int(p[4:])): (f"10.244.{p[4:]}.0", "skiff.1", True) for p in peers}
        want_fdb = sorted((c.vtep_mac(p) or "", c.node_ip(int(p[4:]))) for p in peers)
        return routes == want_routes and fdb == want_fdb and len(c.neighbours(on)) == len(peers)
    c.wait_for(done, f"{on} to program {peers}", timeout=20)


def test_nodes_publish_their_vtep_and_pods_talk_across_nodes(cluster):
    c = cluster
    c.start_overlay("node1")
    c.start_overlay("node2")
    for name in ("node1", "node2"):
        c.wait_for(lambda: len(c.annotations(name)) == 3, f"{name}'s annotations")
        a = c.annotations(name)
        assert a["skiff.io/backend-type"] == "vxlan"
        assert a["skiff.io/public-ip"] == c.node_ip(int(name[4:])), "the InternalIP from Node status is the default"
        assert a["skiff.io/vtep-mac"] == c.vtep_mac(name)
        link = c.json(c.node_ns[name], "ip", "-d", "-j", "link", "show", "skiff.1")[0]
        assert link["mtu"] == 1450
        assert link["linkinfo"]["info_data"]["id"] == 1 and link["linkinfo"]["info_data"]["port"] == 8472
    wait_programmed(c, "node1", ["node2"])
    wait_programmed(c, "node2", ["node1"])
    assert c.neighbours("node1") == [("10.244.2.0", c.vtep_mac("node2"))]

    a = c.add_pod("node1", "a")
    b = c.add_pod("node2", "b")
    a2 = c.add_pod("node1", "a2")
    assert a.startswith("10.244.1.") and a2.startswith("10.244.1.") and b.startswith("10.244.2.")
    assert c.ping(c.pod_ns("a"), b), "pod to pod across nodes over VXLAN"
    assert c.ping(c.pod_ns("a"), a2), "pod to pod on one node"
    # Pod-to-pod keeps the pod's address (no masquerade inside the cluster CIDR) both ways.
    c.serve_who_am_i(c.pod_ns("b"))
    c.wait_for(lambda: c.who_am_i(c.pod_ns("a"), b) != "", "the server in pod b")
    assert c.who_am_i(c.pod_ns("a"), b) == a
    # The full pod MTU crosses with DF set, one byte more does not.
    assert c.ping(c.pod_ns("a"), b, "-M", "do", "-s", str(1450 - 28))
    assert not c.ping(c.pod_ns("b"), a, "-M", "do", "-s", str(1450 - 27))


def test_pod_traffic_leaving_the_cluster_is_masqueraded(cluster):
    c = cluster
    c.start_overlay("node1")
    c.start_overlay("node2")
    wait_programmed(c, "node1", ["node2"])
    a = c.add_pod("node1", "a")
    c.serve_who_am_i(c.switch)
    c.wait_for(lambda: c.who_am_i(c.pod_ns("a"), SWITCH_IP) != "", "the server outside the cluster")
    assert c.who_am_i(c.pod_ns("a"), SWITCH_IP) == c.node_ip(1)
    rules = c.run(c.node_ns["node1"], "nft", "list", "table", "ip", "skiff-overlay").stdout
    assert CLUSTER_CIDR in rules
    assert a  # the pod kept its own address inside (checked in the test above)


def test_a_node_that_joins_later_is_added_and_a_deleted_node_is_removed(cluster):
    c = cluster
    c.start_overlay("node1")
    c.start_overlay("node2")
    wait_programmed(c, "node1", ["node2"])
    c.add_node(3)
    c.start_overlay("node3")
    wait_programmed(c, "node1", ["node2", "node3"])
    wait_programmed(c, "node3", ["node1", "node2"])
    c.add_pod("node1", "a")
    c3 = c.add_pod("node3", "c")
    assert c.ping(c.pod_ns("a"), c3)

    c.kubectl("delete", "node", "node3")
    wait_programmed(c, "node1", ["node2"])
    wait_programmed(c, "node2", ["node1"])
    assert not c.ping(c.pod_ns("a"), c3)


def test_a_node_whose_ip_changes_is_reprogrammed_on_the_others(cluster):
    c = cluster
    c.start_overlay("node1")
    c.start_overlay("node2")
    wait_programmed(c, "node1", ["node2"])
    a = c.add_pod("node1", "a")
    b = c.add_pod("node2", "b")
    assert c.ping(c.pod_ns("a"), b)

    # node2 moves to a new underlay address; its overlay restarts with it.
    assert c.stop_overlay("node2") == 0
    n2 = c.node_ns["node2"]
    c.run(n2, "ip", "addr", "flush", "dev", "eth0")
    c.run(n2, "ip", "addr", "add", "192.168.61.22/24", "dev", "eth0", "nodad")
    c.start_overlay("node2", "--public-ip", "192.168.61.22")
    c.wait_for(lambda: c.fdb("node1") == [(c.vtep_mac("node2"), "192.168.61.22")], "node1's FDB to follow node2's IP")
    assert c.annotations("node2")["skiff.io/public-ip"] == "192.168.61.22"
    c.wait_for(lambda: c.ping(c.pod_ns("a"), b), "pod traffic over the new underlay address")
    assert c.ping(c.pod_ns("b"), a)


def test_a_vtep_mac_change_replaces_the_neighbour_and_fdb_entry(cluster):
    c = cluster
    c.start_overlay("node1")
    c.start_overlay("node2")
    wait_programmed(c, "node1", ["node2"])
    old = c.vtep_mac("node2")
    # Someone publishes a new MAC for node2 (as a rebuilt VTEP would): node1 follows it and
    # keeps no entry for the old one.
    new = "0a:58:0a:f4:02:99"
    c.kubectl("annotate", "--overwrite", "node", "node2", f"skiff.io/vtep-mac={new}")
    c.wait_for(lambda: c.neighbours("node1") == [("10.244.2.0", new)] and c.fdb("node1") == [(new, c.node_ip(2))],
               "node1 to follow node2's new MAC")
    assert all(mac != old for mac, _ in c.fdb("node1"))


def test_cleanup_removes_the_device_routes_and_masquerade_table(cluster):
    c = cluster
    c.start_overlay("node1")
    c.start_overlay("node2")
    wait_programmed(c, "node1", ["node2"])
    assert c.stop_overlay("node1") == 0
    # Entries survive a restart of the daemon: pod traffic keeps flowing.
    assert c.routes("node1") != {}
    n1 = c.node_ns["node1"]
    c.run(n1, skiff_binary(), "overlay", "--cleanup")
    assert c.run(n1, "ip", "link", "show", "skiff.1", check=False).returncode != 0
    assert c.routes("node1") == {}
    assert "skiff-overlay" not in c.run(n1, "nft", "list", "tables").stdout


def test_the_overlay_installs_the_cni_plugin_and_a_config_list_for_its_node(cluster):
    c = cluster
    c.start_overlay("node1")
    conflist = c.conflist("node1")
    assert conflist["cniVersion"] == "1.0.0" and conflist["name"] == "skiff"
    skiff, portmap = conflist["plugins"]
    assert skiff["type"] == "skiff-cni" and skiff["bridge"] == "cni0" and skiff["isGateway"] and skiff["hairpinMode"]
    assert skiff["mtu"] == 1450, "the pod MTU is the VXLAN device's"
    assert skiff["ipam"]["subnet"] == "10.244.1.0/24", "the node's podCIDR"
    assert portmap == {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}
    installed = os.path.join(c.cni_dir("node1", "bin"), "skiff-cni")
    with open(installed, "rb") as a, open(os.path.join(os.path.dirname(skiff_binary()), "skiff-cni"), "rb") as b:
        assert a.read() == b.read()
    assert os.stat(installed).st_mode & 0o777 == 0o755
    # A restart with nothing changed leaves the file alone (runtimes watch the directory).
    path = os.path.join(c.cni_dir("node1", "net.d"), "10-skiff.conflist")
    before = os.stat(path).st_mtime_ns
    assert c.stop_overlay("node1") == 0
    c.start_overlay("node1")
    c.wait_for(lambda: "vxlan device ready" in c.overlay_log("node1").split("stopped")[-1], "the restarted overlay")
    time.sleep(0.5)
    assert os.stat(path).st_mtime_ns == before


def test_host_ports_through_the_chained_reference_portmap(cluster):
    c = cluster
    c.start_overlay("node1")
    c.start_overlay("node2")
    wait_programmed(c, "node1", ["node2"])
    c.add_pod("node1", "web", runtime_config={
        "portMappings": [{"hostPort": 8080, "containerPort": 9000, "protocol": "tcp"}]})
    c.serve_who_am_i(c.pod_ns("web"), 9000)
    c.add_pod("node2", "b")
    c.wait_for(lambda: c.who_am_i(c.switch, c.node_ip(1), 8080) != "", "the hostPort from outside the cluster")
    # A node address is outside the cluster CIDR: node2's overlay masquerades pod b on the way.
    assert c.who_am_i(c.pod_ns("b"), c.node_ip(1), 8080) == c.node_ip(2)
    # CHECK runs through the list with the cached result; DEL removes portmap's rules and the pod.
    assert c.cni("node1", "CHECK", "web").returncode == 0
    c.cni("node1", "DEL", "web")
    assert c.who_am_i(c.switch, c.node_ip(1), 8080) == ""
    assert c.cni("node1", "DEL", "web").returncode == 0, "DEL twice succeeds through the whole list"


def test_traffic_shaping_through_the_chained_reference_bandwidth(cluster):
    c = cluster
    c.start_overlay("node1", "--cni-chain", "bandwidth")
    assert [p["type"] for p in c.conflist("node1")["plugins"]] == ["skiff-cni", "bandwidth"]
    c.add_pod("node1", "slow", runtime_config={"bandwidth": {"ingressRate": 8_000_000, "ingressBurst": 100_000}})
    host = [i for i in c.results["slow"]["interfaces"] if "sandbox" not in i and i["name"] != "cni0"]
    assert len(host) == 1
    qdisc = c.run(c.node_ns["node1"], "tc", "qdisc", "show", "dev", host[0]["name"]).stdout
    assert "tbf" in qdisc and "8Mbit" in qdisc, qdisc
    c.cni("node1", "DEL", "slow")
