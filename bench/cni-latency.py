#!/usr/bin/env python3
"""CNI ADD and DEL latency per pod: skiff-cni against Debian's reference `bridge` + `host-local`
(containernetworking-plugins), side by side in one run.

    swift build -c release --scratch-path .build-bench --product skiff-cni
    bench/cni-latency.py --skiff-cni .build-bench/release/skiff-cni            # 100 pods each
    bench/cni-latency.py --skiff-cni .build-bench/release/skiff-cni --pods 300 --json

Needs root. Everything happens in a throwaway "node" network namespace: the plugins are exec'ed
there, as a container runtime on the node execs them (this script re-runs itself inside the node
namespace with `ip netns exec NODE`, and that inner copy times each exec). Pods are network
namespaces created beforehand (not timed). Each plugin has its own bridge, subnet and IPAM data
directory. The two plugins alternate pod by pod (who goes first alternates too), so machine noise
hits both: N ADDs each, then N DELs each (DEL carries the ADD result as prevResult, as libcni
sends it). The time of one invocation is the wall time of `subprocess.run` around the plugin's
exec, from fork to exit, with the config on stdin and the result read from stdout: what a
runtime pays.

Every namespace and temp file is removed at the end, pass or fail. The root namespace is never
touched (no links, routes or rules are made there).
"""
import argparse
import atexit
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REFERENCE_BRIDGE = "/usr/lib/cni/bridge"
REFERENCE_DIR = "/usr/lib/cni"


# ----------------------------------------------------------------------------------------------
# Inner side: runs inside the node namespace and times the plugins.

def plugin_config(name, plugin_type, bridge, subnet, data_dir, mtu, ipam_type=None):
    ipam = {"subnet": subnet, "dataDir": data_dir, "routes": [{"dst": "0.0.0.0/0"}]}
    if ipam_type:
        ipam = {"type": ipam_type, **ipam}
    # Debian's plugins speak CNI up to 1.0.0, so both get 1.0.0.
    return {"cniVersion": "1.0.0", "name": name, "type": plugin_type, "bridge": bridge,
            "isGateway": True, "hairpinMode": True, "mtu": mtu, "ipam": ipam}


def invoke(binary, command, container_id, netns, config):
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND": command, "CNI_CONTAINERID": container_id,
           "CNI_NETNS": netns, "CNI_IFNAME": "eth0", "CNI_PATH": REFERENCE_DIR}
    data = json.dumps(config).encode()
    start = time.perf_counter()
    p = subprocess.run([binary], input=data, capture_output=True, env=env)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        raise RuntimeError(f"{binary} {command} {container_id} failed ({p.returncode}): "
                           f"{p.stdout.decode()[-1000:]} {p.stderr.decode()[-1000:]}")
    return elapsed, p.stdout


def inner(spec):
    plugins = spec["plugins"]
    pods = spec["pods"]
    n = len(pods)
    for pl in plugins:
        pl["config"] = plugin_config(**pl["config_args"])

    def ids(pl, i):
        return f"{pl['tag']}-{i:05d}", "/run/netns/" + pods[i][pl["tag"]]

    # Warm-up, untimed: one ADD+DEL each (creates the bridge, warms the page cache).
    for pl in plugins:
        cid, netns = f"{pl['tag']}-warmup", "/run/netns/" + spec["warmup"][pl["tag"]]
        _, out = invoke(pl["binary"], "ADD", cid, netns, pl["config"])
        invoke(pl["binary"], "DEL", cid, netns, dict(pl["config"], prevResult=json.loads(out)))

    # A trivial exec from this same process, for the floor of what an exec costs here.
    floor = []
    for _ in range(50):
        start = time.perf_counter()
        subprocess.run(["/bin/true"], capture_output=True)
        floor.append(time.perf_counter() - start)

    times = {pl["tag"]: {"ADD": [], "DEL": []} for pl in plugins}
    results = {pl["tag"]: [None] * n for pl in plugins}
    for command in ("ADD", "DEL"):
        for i in range(n):
            order = plugins if i % 2 == 0 else list(reversed(plugins))
            for pl in order:
                cid, netns = ids(pl, i)
                if command == "ADD":
                    t, out = invoke(pl["binary"], "ADD", cid, netns, pl["config"])
                    res = json.loads(out)
                    if not res.get("ips"):
                        raise RuntimeError(f"{pl['tag']} ADD {cid}: no ips in result: {out[:500]!r}")
                    results[pl["tag"]][i] = res
                else:
                    t, _ = invoke(pl["binary"], "DEL", cid, netns, dict(pl["config"], prevResult=results[pl["tag"]][i]))
                times[pl["tag"]][command].append(t)
        if command == "ADD":
            # Checked, untimed: every pod holds a distinct address, and each bridge has N ports.
            for pl in plugins:
                addrs = {r["ips"][0]["address"] for r in results[pl["tag"]]}
                if len(addrs) != n:
                    raise RuntimeError(f"{pl['tag']}: {len(addrs)} distinct addresses for {n} pods")
                ports = subprocess.run(["ip", "-j", "link", "show", "master", pl["config"]["bridge"]],
                                       capture_output=True, text=True, check=True).stdout
                count = len(json.loads(ports or "[]"))
                if count != n:
                    raise RuntimeError(f"{pl['tag']}: bridge has {count} ports after {n} ADDs")
    # After the DELs: no ports left on either bridge, no veths at all.
    left = json.loads(subprocess.run(["ip", "-j", "link", "show", "type", "veth"], capture_output=True, text=True,
                                     check=True).stdout or "[]")
    if left:
        raise RuntimeError(f"{len(left)} veths left after DEL: {[l['ifname'] for l in left][:10]}")
    json.dump({"times": times, "floor": floor}, sys.stdout)


# ----------------------------------------------------------------------------------------------
# Outer side: namespaces, temp dirs, the report.

def pct(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(values):
    ms = [v * 1000 for v in values]
    return {"median": statistics.median(ms), "p90": pct(ms, 0.9), "mean": statistics.fmean(ms),
            "min": min(ms), "max": max(ms)}


def machine():
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Linux {platform.release()}"


def git_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        c = subprocess.run(["git", "-C", here, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", here, "diff", "--quiet", "HEAD"]).returncode != 0
        return c + (" (+ uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


class Cleanup:
    def __init__(self):
        self.namespaces = []
        self.dirs = []
        self.children = []
        self.done = False

    def run(self):
        if self.done:
            return
        self.done = True
        for p in self.children:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)


def outer(args):
    if os.geteuid() != 0:
        raise SystemExit("cni-latency: needs root (it creates network namespaces)")
    skiff = os.path.abspath(args.skiff_cni)
    for b in (skiff, REFERENCE_BRIDGE, REFERENCE_DIR + "/host-local"):
        if not os.access(b, os.X_OK):
            raise SystemExit(f"cni-latency: {b} is not executable (reference: apt-get install containernetworking-plugins)")
    cleanup = Cleanup()
    atexit.register(cleanup.run)

    def on_signal(signum, _frame):
        cleanup.run()
        os._exit(130)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    tag = "%06x" % random.getrandbits(24)
    prefix = f"skiff-bench-cni-{tag}"
    work = tempfile.mkdtemp(prefix="skiff-bench-cni-", dir=args.work_dir)
    cleanup.dirs.append(work)
    n = args.pods
    # A node's podCIDR is a /24; more pods than fit need a wider pool.
    subnets = ("10.244.1.0/24", "10.244.2.0/24") if n <= 250 else ("10.250.0.0/16", "10.251.0.0/16")
    try:
        node = prefix + "-node"
        subprocess.run(["ip", "netns", "add", node], check=True)
        cleanup.namespaces.append(node)
        subprocess.run(["ip", "-n", node, "link", "set", "lo", "up"], check=True)
        t0 = time.time()
        pods = []
        warmup = {}
        for side in ("s", "r"):
            name = f"{prefix}-{side}w"
            subprocess.run(["ip", "netns", "add", name], check=True)
            cleanup.namespaces.append(name)
            warmup[side] = name
        for i in range(n):
            entry = {}
            for side in ("s", "r"):
                name = f"{prefix}-{side}{i}"
                subprocess.run(["ip", "netns", "add", name], check=True)
                cleanup.namespaces.append(name)
                entry[side] = name
            pods.append(entry)
        print(f"made {2 * n + 3} namespaces in {time.time() - t0:.1f}s", file=sys.stderr)
        plugins = [
            {"tag": "s", "binary": skiff,
             "config_args": dict(name="bench-skiff", plugin_type="skiff-cni", bridge="cnb-skiff", subnet=subnets[0],
                                 data_dir=work + "/ipam-skiff", mtu=args.mtu)},
            {"tag": "r", "binary": REFERENCE_BRIDGE,
             "config_args": dict(name="bench-ref", plugin_type="bridge", bridge="cnb-ref", subnet=subnets[1],
                                 data_dir=work + "/ipam-ref", mtu=args.mtu, ipam_type="host-local")},
        ]
        spec_path = os.path.join(work, "spec.json")
        with open(spec_path, "w") as f:
            json.dump({"plugins": plugins, "pods": pods, "warmup": warmup}, f)
        child = subprocess.Popen(["ip", "netns", "exec", node, sys.executable, os.path.abspath(__file__),
                                  "--inner", spec_path], stdout=subprocess.PIPE, start_new_session=True)
        cleanup.children.append(child)
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"cni-latency: the run inside the node namespace failed ({child.returncode})")
        data = json.loads(out)
        # IPAM state after the DELs: no address is still allocated on either side.
        for side in ("skiff", "ref"):
            d = os.path.join(work, f"ipam-{side}", f"bench-{side}")
            held = [x for x in os.listdir(d) if x[0].isdigit() and not x.startswith("last")] if os.path.isdir(d) else []
            if held:
                raise SystemExit(f"cni-latency: {side} still holds {held[:5]} after DEL")
    finally:
        cleanup.run()

    s, r = data["times"]["s"], data["times"]["r"]
    rows = {}
    for cmd in ("ADD", "DEL"):
        rows[cmd] = {"skiff": summary(s[cmd]), "reference": summary(r[cmd])}
    floor = summary(data["floor"])
    report = {"pods": n, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": git_commit(),
              "machine": machine(), "skiff_cni": skiff, "reference": REFERENCE_BRIDGE + " + host-local",
              "results": rows, "trivial_exec_ms": floor,
              "command": " ".join([os.path.relpath(__file__)] + sys.argv[1:])}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"CNI latency, {n} pods per plugin, alternating pod by pod; {report['date']}, commit {report['commit']}")
    print(f"machine: {report['machine']}")
    print(f"skiff: {skiff}; reference: {REFERENCE_BRIDGE} + host-local")
    print()
    print("| verb | stat | skiff-cni (ms) | bridge + host-local (ms) | skiff ÷ reference | target |")
    print("|---|---|---|---|---|---|")
    for cmd in ("ADD", "DEL"):
        for stat in ("median", "p90", "mean"):
            a, b = rows[cmd]["skiff"][stat], rows[cmd]["reference"][stat]
            ratio = a / b
            target = ("met" if ratio <= 0.5 else "not met") if stat == "median" else ""
            print(f"| {cmd} | {stat} | {a:.2f} | {b:.2f} | {ratio:.2f}× | {'≤ 0.5×: ' + target if target else ''} |")
    print()
    print(f"exec of /bin/true from the same Python process: median {floor['median']:.2f} ms, p90 {floor['p90']:.2f} ms")
    print(f"command: {report['command']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skiff-cni", default=".build-bench/release/skiff-cni", help="the skiff-cni binary (release build)")
    ap.add_argument("--pods", type=int, default=100, help="pods per plugin (ADDed, then DELed)")
    ap.add_argument("--mtu", type=int, default=1450)
    ap.add_argument("--work-dir", default="/tmp", help="where the temp dir with the IPAM data goes (disk, not tmpfs)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--inner", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        with open(args.inner) as f:
            inner(json.load(f))
    else:
        outer(args)


if __name__ == "__main__":
    main()
