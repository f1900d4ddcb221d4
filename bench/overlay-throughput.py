#!/usr/bin/env python3
"""Pod-to-pod TCP throughput and latency across two nodes over skiff's VXLAN overlay, against
node-to-node on the same underlay, side by side in one run (iperf3 and ping).

    swift build -c release --scratch-path .build-bench --product skiff
    swift build -c release --scratch-path .build-bench --product skiff-cni
    bench/overlay-throughput.py --skiff .build-bench/release/skiff --skiff-cni .build-bench/release/skiff-cni
    bench/overlay-throughput.py ... --rounds 5 --seconds 10 --pings 400 --json

Needs root, iperf3 and kubectl. The topology is made of network namespaces only (the root
namespace is never touched):

  switch  bridge br0 192.168.71.254/24, runs the real `skiff server`
  node1   eth0 192.168.71.1/24 (veth to br0, MTU 1500), runs the real `skiff overlay`
  node2   eth0 192.168.71.2/24 (veth to br0, MTU 1500), runs the real `skiff overlay`
  pod1    attached on node1 by the real skiff-cni (bridge cni0, 10.244.1.0/24, MTU 1450)
  pod2    attached on node2 by the real skiff-cni (bridge cni0, 10.244.2.0/24, MTU 1450)

  rpod1   attached on node1 by Debian's reference bridge + host-local (bridge ref0, 10.245.1.0/24)
  rpod2   attached on node2 the same way (10.245.2.0/24)

Node objects with podCIDRs are created with kubectl; the overlays make the VXLAN device, the
annotations, the routes, FDB entries and neighbours. Beside it, on the same nodes, a reference
overlay is built by hand with iproute2 exactly as flannel's vxlan backend programs one (device
`ref.2`, VNI 2, UDP 8473, `nolearning`, MTU 1450, the peer's permanent neighbour, FDB entry and
onlink route): the peer skiff's overlay is measured against, since flannel itself is not packaged.
Then three paths alternate: node1 → node2 (underlay veths and the switch bridge), pod1 → pod2
(pod veth, cni0, routing, VXLAN encapsulation, the same underlay, decapsulation, cni0, pod veth)
and rpod1 → rpod2 (the same over the reference), `--rounds` times each for throughput (iperf3,
one TCP stream, `--seconds` each after one omitted warm-up second) and then for latency (ping at
10 ms intervals). Medians and ratios are printed.

Every process, namespace and temp file is removed at the end, pass or fail (try/finally,
atexit, and SIGINT/SIGTERM/SIGHUP handlers).
"""
import argparse
import atexit
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

OFFLOAD_KEYS = ["rx-checksumming", "tx-checksumming", "scatter-gather", "tcp-segmentation-offload",
                "generic-segmentation-offload", "generic-receive-offload", "tx-udp_tnl-segmentation",
                "tx-udp_tnl-csum-segmentation", "rx-udp-gro-forwarding", "rx-gro-list"]


class Cleanup:
    def __init__(self):
        self.procs = []
        self.namespaces = []
        self.dirs = []
        self.done = False

    def run(self):
        if self.done:
            return
        self.done = True
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 3
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)


cleanup = Cleanup()


def sh(*cmd, check=True, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stdout[-1500:]} {p.stderr[-1500:]}")
    return p


def nsx(ns, *cmd, **kw):
    return sh("ip", "netns", "exec", ns, *cmd, **kw)


def spawn(ns, cmd, log):
    p = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], stdout=open(log, "w"), stderr=subprocess.STDOUT,
                         start_new_session=True)
    cleanup.procs.append(p)
    return p


def add_ns(name):
    sh("ip", "netns", "add", name)
    cleanup.namespaces.append(name)
    sh("ip", "-n", name, "link", "set", "lo", "up")


def cpu_busy():
    """(busy, softirq, total) jiffies over all CPUs, from /proc/stat."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, parts[6], sum(parts)


def link_stats(ns, dev):
    j = json.loads(nsx(ns, "ip", "-s", "-j", "link", "show", "dev", dev).stdout)[0]
    return j["stats64"]["tx"]["bytes"], j["stats64"]["tx"]["packets"]


def offloads(ns, dev):
    if not shutil.which("ethtool"):
        return {}
    out = nsx(ns, "ethtool", "-k", dev, check=False).stdout
    got = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\w-]+): (on|off)", line)
        if m and m.group(1) in OFFLOAD_KEYS:
            got[m.group(1)] = m.group(2)
    return got


def iperf(client_ns, server_ip, seconds):
    b0, s0, t0 = cpu_busy()
    p = nsx(client_ns, "iperf3", "-c", server_ip, "-t", str(seconds), "-O", "1", "-J", check=False,
            timeout=seconds + 30)
    b1, s1, t1 = cpu_busy()
    if p.returncode != 0:
        raise RuntimeError(f"iperf3 to {server_ip} failed: {p.stdout[-1500:]} {p.stderr[-500:]}")
    j = json.loads(p.stdout)
    end = j["end"]
    return {"gbps": end["sum_received"]["bits_per_second"] / 1e9,
            "sent_gbps": end["sum_sent"]["bits_per_second"] / 1e9,
            "retransmits": end["sum_sent"].get("retransmits", 0),
            "cpu_busy": (b1 - b0) / max(1, (t1 - t0)),  # share of all CPUs
            "cpu_softirq": (s1 - s0) / max(1, (t1 - t0)),
            "client_cpu": end.get("cpu_utilization_percent", {}).get("host_total"),
            "server_cpu": end.get("cpu_utilization_percent", {}).get("remote_total")}


def ping(client_ns, target, count, interval):
    p = nsx(client_ns, "ping", "-n", "-c", str(count), "-i", str(interval), "-W", "1", target, check=False,
            timeout=count * interval + 30)
    rtts = [float(m.group(1)) for m in re.finditer(r"time=([\d.]+) ms", p.stdout)]
    if len(rtts) < count * 0.95:
        raise RuntimeError(f"ping {target}: {len(rtts)}/{count} replies: {p.stdout[-800:]}")
    return rtts


def pct(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def machine():
    model = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs ({model}), Linux {platform.release()}"


def git_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    c = subprocess.run(["git", "-C", here, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", here, "diff", "--quiet", "HEAD"]).returncode != 0
    return (c or "unknown") + (" (+ uncommitted changes)" if dirty else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skiff", default=".build-bench/release/skiff")
    ap.add_argument("--skiff-cni", default=".build-bench/release/skiff-cni")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of each measurement")
    ap.add_argument("--seconds", type=int, default=5, help="seconds per iperf3 run (plus one omitted)")
    ap.add_argument("--pings", type=int, default=200, help="pings per path, split over the rounds")
    ap.add_argument("--direct-routing", action="store_true",
                    help="run the overlays with --direct-routing (same L2: routes via the peer node, no VXLAN), to "
                         "separate the cost of encapsulation from that of the pod's extra hops")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("overlay-throughput: needs root (it creates network namespaces)")
    for tool in ("iperf3", "kubectl", "ping"):
        if not shutil.which(tool):
            raise SystemExit(f"overlay-throughput: {tool} is not installed (apt-get install -y iperf3)")
    skiff, cni = os.path.abspath(args.skiff), os.path.abspath(args.skiff_cni)

    atexit.register(cleanup.run)

    def on_signal(signum, _frame):
        cleanup.run()
        os._exit(130)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    tag = "%06x" % random.getrandbits(24)
    sw, n1, n2, p1, p2, r1, r2 = (f"skiff-bench-ov-{tag}-{r}" for r in ("sw", "n1", "n2", "p1", "p2", "r1", "r2"))
    work = tempfile.mkdtemp(prefix="skiff-bench-ov-")
    cleanup.dirs.append(work)
    try:
        report = run(args, skiff, cni, sw, n1, n2, p1, p2, (r1, r2), work)
    finally:
        cleanup.run()
    print_report(report, args)


REFERENCE_PLUGINS = "/usr/lib/cni"


def reference_overlay(nodes, ref_pods, work, direct_routing):
    """flannel's vxlan backend, by hand with iproute2 (or, with direct routing, its routes via
    the peer node), and one pod per node attached by the reference bridge + host-local."""
    macs = {}
    for i, (ns, _, ip, _) in enumerate(nodes, 1):
        mac = f"0a:58:0a:f5:0{i}:00"
        macs[ns] = mac
        if not direct_routing:
            sh("ip", "-n", ns, "link", "add", "ref.2", "address", mac, "mtu", "1450", "type", "vxlan", "id", "2",
               "local", ip, "dev", "eth0", "dstport", "8473", "nolearning")
            sh("ip", "-n", ns, "addr", "add", f"10.245.{i}.0/32", "dev", "ref.2")
            sh("ip", "-n", ns, "link", "set", "ref.2", "up")
    for i, (ns, _, _, _) in enumerate(nodes, 1):
        for j, (peer, _, peer_ip, _) in enumerate(nodes, 1):
            if peer == ns:
                continue
            if direct_routing:
                sh("ip", "-n", ns, "route", "add", f"10.245.{j}.0/24", "via", peer_ip, "dev", "eth0")
                continue
            sh("ip", "-n", ns, "neigh", "replace", f"10.245.{j}.0", "lladdr", macs[peer], "dev", "ref.2", "nud", "permanent")
            sh("bridge", "-n", ns, "fdb", "append", macs[peer], "dev", "ref.2", "dst", peer_ip)
            sh("ip", "-n", ns, "route", "add", f"10.245.{j}.0/24", "via", f"10.245.{j}.0", "dev", "ref.2", "onlink")
    ips = []
    for i, ((ns, name, _, _), pod) in enumerate(zip(nodes, ref_pods), 1):
        conf = json.dumps({"cniVersion": "1.0.0", "name": "ref", "type": "bridge", "bridge": "ref0",
                           "isGateway": True, "hairpinMode": True, "mtu": 1450,
                           "ipam": {"type": "host-local", "subnet": f"10.245.{i}.0/24",
                                    "dataDir": os.path.join(work, "ref-ipam-" + name), "routes": [{"dst": "0.0.0.0/0"}]}})
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "ref-" + name,
               "CNI_NETNS": "/run/netns/" + pod, "CNI_IFNAME": "eth0", "CNI_PATH": REFERENCE_PLUGINS}
        out = subprocess.run(["ip", "netns", "exec", ns, os.path.join(REFERENCE_PLUGINS, "bridge")], input=conf,
                             capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise RuntimeError(f"reference bridge ADD on {name} failed: {out.stdout} {out.stderr}")
        ips.append(json.loads(out.stdout)["ips"][0]["address"].split("/")[0])
    return ips


def run(args, skiff, cni, sw, n1, n2, p1, p2, ref_pods, work):
    # Underlay: a switch namespace with a bridge, two nodes on it by veths.
    for ns in (sw, n1, n2, p1, p2, *ref_pods):
        add_ns(ns)
    sh("ip", "-n", sw, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", sw, "addr", "add", "192.168.71.254/24", "dev", "br0")
    sh("ip", "-n", sw, "link", "set", "br0", "up")
    nodes = [(n1, "node1", "192.168.71.1", "10.244.1.0/24"), (n2, "node2", "192.168.71.2", "10.244.2.0/24")]
    for i, (ns, _, ip, _) in enumerate(nodes, 1):
        sh("ip", "-n", sw, "link", "add", f"port{i}", "type", "veth", "peer", "name", "eth0", "netns", ns)
        sh("ip", "-n", sw, "link", "set", f"port{i}", "master", "br0")
        sh("ip", "-n", sw, "link", "set", f"port{i}", "up")
        sh("ip", "-n", ns, "link", "set", "eth0", "mtu", "1500")
        sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", "eth0", "nodad")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        nsx(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")

    # The control plane in the switch namespace; Node objects with podCIDRs.
    data = os.path.join(work, "server")
    spawn(sw, [skiff, "server", "--data-dir", data, "--listen", "192.168.71.254:6443",
               "--advertise-address", "192.168.71.254"], os.path.join(work, "server.log"))
    kubeconfig = os.path.join(data, "admin.kubeconfig")
    for _ in range(300):
        if os.path.exists(kubeconfig) and nsx(sw, "kubectl", "--kubeconfig", kubeconfig, "get", "ns", check=False).returncode == 0:
            break
        time.sleep(0.2)
    else:
        raise RuntimeError("skiff server did not come up: " + open(os.path.join(work, "server.log")).read()[-1500:])
    for _, name, _, cidr in nodes:
        manifest = json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
                               "spec": {"podCIDR": cidr, "podCIDRs": [cidr]}})
        nsx(sw, "kubectl", "--kubeconfig", kubeconfig, "apply", "-f", "-", input=manifest)

    # The overlay on each node. The namespaces share the host's file system, so the CNI config
    # list and plugin install that `skiff overlay` does for a real node are switched off.
    extra = []
    if "--cni-conf-dir" in sh(skiff, "overlay", "--help", check=False).stdout:
        extra = ["--cni-conf-dir", "", "--cni-bin-dir", ""]
    if args.direct_routing:
        extra.append("--direct-routing")
    for ns, name, ip, _ in nodes:
        spawn(ns, [skiff, "overlay", "--kubeconfig", kubeconfig, "--node-name", name, "--public-ip", ip,
                   "--cluster-cidr", "10.244.0.0/16", *extra], os.path.join(work, f"overlay-{name}.log"))
    deadline = time.time() + 60
    while True:
        r1 = nsx(n1, "ip", "route", "show", *([] if args.direct_routing else ["dev", "skiff.1"]), check=False).stdout
        r2 = nsx(n2, "ip", "route", "show", *([] if args.direct_routing else ["dev", "skiff.1"]), check=False).stdout
        if "10.244.2.0/24" in r1 and "10.244.1.0/24" in r2:
            break
        if time.time() > deadline:
            raise RuntimeError("overlay routes did not appear: " + open(os.path.join(work, "overlay-node1.log")).read()[-1500:])
        time.sleep(0.2)

    # Pods attached by the real skiff-cni, run in each node namespace.
    pod_ips = {}
    for (ns, name, _, cidr), pod in zip(nodes, (p1, p2)):
        conf = json.dumps({"cniVersion": "1.0.0", "name": "pods", "type": "skiff-cni", "bridge": "cni0",
                           "isGateway": True, "hairpinMode": True, "mtu": 1450,
                           "ipam": {"subnet": cidr, "dataDir": os.path.join(work, "ipam-" + name)}})
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "bench-" + name,
               "CNI_NETNS": "/run/netns/" + pod, "CNI_IFNAME": "eth0", "CNI_PATH": os.path.dirname(cni)}
        out = subprocess.run(["ip", "netns", "exec", ns, cni], input=conf, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise RuntimeError(f"skiff-cni ADD on {name} failed: {out.stdout} {out.stderr}")
        pod_ips[pod] = json.loads(out.stdout)["ips"][0]["address"].split("/")[0]
    ip1, ip2 = pod_ips[p1], pod_ips[p2]
    rp1, rp2 = ref_pods
    rip1, rip2 = reference_overlay(nodes, ref_pods, work, args.direct_routing)

    # Reachability first (also fills the ARP caches).
    ping(n1, "192.168.71.2", 3, 0.2)
    ping(p1, ip2, 3, 0.2)
    ping(rp1, rip2, 3, 0.2)

    mtus = {"node eth0": json.loads(nsx(n1, "ip", "-j", "link", "show", "eth0").stdout)[0]["mtu"],
            "skiff.1": json.loads(nsx(n1, "ip", "-j", "link", "show", "skiff.1").stdout)[0]["mtu"],
            "pod eth0": json.loads(nsx(p1, "ip", "-j", "link", "show", "eth0").stdout)[0]["mtu"]}
    offl = {"node1 eth0 (underlay veth)": offloads(n1, "eth0"), "node1 skiff.1 (vxlan)": offloads(n1, "skiff.1"),
            "node1 cni0 (bridge)": offloads(n1, "cni0"), "pod1 eth0 (pod veth)": offloads(p1, "eth0")}

    # iperf3 servers: node2 on its underlay address, pod2 on its pod address.
    spawn(n2, ["iperf3", "-s", "-B", "192.168.71.2"], os.path.join(work, "iperf-node.log"))
    spawn(p2, ["iperf3", "-s", "-B", ip2], os.path.join(work, "iperf-pod.log"))
    spawn(rp2, ["iperf3", "-s", "-B", rip2], os.path.join(work, "iperf-ref.log"))
    time.sleep(0.5)

    clients = {"node": (n1, "192.168.71.2"), "pod": (p1, ip2), "ref": (rp1, rip2)}
    tput = {"node": [], "pod": [], "ref": []}
    vxlan_bytes = []
    for r in range(args.rounds):
        # Who goes first rotates, so a slow start of the round does not always hit one path.
        order = list(clients)[r % 3:] + list(clients)[:r % 3]
        for path in order:
            tx0, _ = link_stats(n1, "skiff.1")
            ub0, up0 = link_stats(n1, "eth0")
            res = iperf(*clients[path], args.seconds)
            tx1, _ = link_stats(n1, "skiff.1")
            ub1, up1 = link_stats(n1, "eth0")
            # Sent through node1's underlay veth: packets (skbs: GSO super-packets count once) and bytes.
            res["underlay_skbs_per_s"] = (up1 - up0) / (args.seconds + 1)
            res["underlay_bytes_per_skb"] = (ub1 - ub0) / max(1, up1 - up0)
            if path == "pod":
                vxlan_bytes.append(tx1 - tx0)
            tput[path].append(res)
            print(f"round {r + 1}: {path} {res['gbps']:.2f} Gbit/s, retransmits {res['retransmits']}, "
                  f"machine CPU busy {100 * res['cpu_busy']:.0f}% (softirq {100 * res['cpu_softirq']:.0f}%)", file=sys.stderr)
    # Pod traffic really crossed the VXLAN device (or, with --direct-routing, did not).
    if not args.direct_routing and min(vxlan_bytes) <= 0:
        raise RuntimeError("pod-to-pod traffic did not go through skiff.1")
    if args.direct_routing and max(vxlan_bytes) > 1_000_000:
        raise RuntimeError("with --direct-routing, pod-to-pod traffic still went through skiff.1")

    lat = {"node": [], "pod": [], "ref": []}
    per_round = max(1, args.pings // args.rounds)
    for r in range(args.rounds):
        for path, (ns, target) in clients.items():
            lat[path] += ping(ns, target, per_round, 0.01)

    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": git_commit(), "machine": machine(),
            "skiff": skiff, "skiff_cni": cni, "pod_ips": [ip1, ip2], "ref_pod_ips": [rip1, rip2], "mtu": mtus, "offloads": offl,
            "throughput": tput, "vxlan_tx_bytes_per_pod_run": vxlan_bytes, "latency_ms": lat,
            "rounds": args.rounds, "seconds": args.seconds, "direct_routing": args.direct_routing,
            "command": " ".join([os.path.relpath(__file__)] + sys.argv[1:])}


def print_report(rep, args):
    paths = ("node", "pod", "ref")
    g = {p: [x["gbps"] for x in rep["throughput"][p]] for p in paths}
    lat = rep["latency_ms"]
    med = {p: statistics.median(g[p]) for p in paths}
    rtt = {p: statistics.median(lat[p]) for p in paths}
    summary = {
        "throughput_gbps": {"node_median": med["node"], "pod_median": med["pod"], "ref_median": med["ref"],
                            "ratio_pod_over_node": med["pod"] / med["node"],
                            "ratio_ref_over_node": med["ref"] / med["node"],
                            "ratio_pod_over_ref": med["pod"] / med["ref"]},
        "rtt_ms": {"node_median": rtt["node"], "pod_median": rtt["pod"], "ref_median": rtt["ref"],
                   "node_p90": pct(lat["node"], 0.9), "pod_p90": pct(lat["pod"], 0.9), "ref_p90": pct(lat["ref"], 0.9),
                   "ratio_pod_over_node": rtt["pod"] / rtt["node"]},
    }
    rep["summary"] = summary
    if args.json:
        print(json.dumps(rep, indent=2))
        return
    t = summary["throughput_gbps"]
    mode = "direct routing, no encapsulation" if rep["direct_routing"] else "VXLAN"
    how = "direct" if rep["direct_routing"] else "VXLAN"
    print(f"Overlay throughput and latency ({mode}); {rep['date']}, commit {rep['commit']}")
    print(f"machine: {rep['machine']}")
    print(f"MTUs: {rep['mtu']}; pods {rep['pod_ips'][0]} (node1) → {rep['pod_ips'][1]} (node2); "
          f"reference pods {rep['ref_pod_ips'][0]} → {rep['ref_pod_ips'][1]}")
    print()
    print(f"| metric | node → node (underlay) | pod → pod (skiff {how}) | pod → pod (reference {how}, iproute2) "
          f"| skiff ÷ node | reference ÷ node | skiff ÷ reference | target |")
    print("|---|---|---|---|---|---|---|---|")
    ok = "met" if t["ratio_pod_over_node"] >= 0.9 else "not met"
    print(f"| TCP throughput, median of {len(g['node'])} × {rep['seconds']} s (Gbit/s) | {med['node']:.2f} | "
          f"{med['pod']:.2f} | {med['ref']:.2f} | {t['ratio_pod_over_node']:.2f}× | {t['ratio_ref_over_node']:.2f}× | "
          f"{t['ratio_pod_over_ref']:.2f}× | skiff ≥ 0.9× node: {ok} |")
    print("| each run (Gbit/s) | " + " | ".join(" / ".join(f"{x:.2f}" for x in g[p]) for p in paths) + " | | | | |")
    print("| retransmits per run | " + " | ".join(" / ".join(str(x["retransmits"]) for x in rep["throughput"][p])
                                                for p in paths) + " | | | | |")

    def m(p, key):
        return statistics.median(x[key] for x in rep["throughput"][p])

    print("| whole-machine CPU busy during the run, of which softirq (median) | "
          + " | ".join(f"{100 * m(p, 'cpu_busy'):.0f}%, {100 * m(p, 'cpu_softirq'):.0f}%" for p in paths) + " | | | | |")
    print("| node1 eth0 (underlay) tx: skbs/s, bytes per skb (median) | "
          + " | ".join(f"{m(p, 'underlay_skbs_per_s'):,.0f}, {m(p, 'underlay_bytes_per_skb'):,.0f}" for p in paths)
          + " | | | | |")
    print(f"| ping RTT median / p90, {len(lat['node'])} pings at 10 ms (ms) | "
          + " | ".join(f"{rtt[p]:.3f} / {pct(lat[p], 0.9):.3f}" for p in paths)
          + f" | {rtt['pod'] / rtt['node']:.2f}× | {rtt['ref'] / rtt['node']:.2f}× | {rtt['pod'] / rtt['ref']:.2f}× | |")
    print(f"| added RTT, median (µs) | | {1000 * (rtt['pod'] - rtt['node']):.0f} | {1000 * (rtt['ref'] - rtt['node']):.0f} "
          "| | | | |")
    print()
    print("Offloads (ethtool -k):")
    keys = OFFLOAD_KEYS
    devs = list(rep["offloads"])
    print("| feature | " + " | ".join(devs) + " |")
    print("|---|" + "---|" * len(devs))
    for k in keys:
        print(f"| {k} | " + " | ".join(rep["offloads"][d].get(k, "—") for d in devs) + " |")
    print()
    print(f"command: {rep['command']}")


if __name__ == "__main__":
    main()
