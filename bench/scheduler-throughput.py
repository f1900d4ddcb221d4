#!/usr/bin/env python3
"""Scheduler throughput: pods/s to bind P Pods onto N nodes (issue 6; upstream's scheduler_perf
asks >= 680 pods/s for 10k Pods on 5k nodes). `skiff server` runs without its scheduler in a
network namespace made for the run (and, as scheduler_perf, without the controllers); N Nodes (4 CPU, 32Gi, 110 Pods, Ready) and P Pods (100m
CPU, 500Mi each, as scheduler_perf's default Pod) are created first; then `skiff controllers
--controllers scheduler` starts, and the time from its start until no Pod is left unbound
(listing and watching included) gives the rate.

    bench/scheduler-throughput.py --skiff .build-bench/release/skiff --nodes 1000 5000 --pods 10000

Everything (namespace, processes, temp dir) is removed at the end, pass or fail.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchapi import BenchCluster, run  # noqa: E402

UPSTREAM_REFERENCE = 680.0   # scheduler_perf's threshold for SchedulingBasic 5000 nodes / 10k pods

# Follows the Pods through one watch (as the scheduler's own informer would) rather than
# polling lists: a list with a field selector costs the server a scan of every Pod, which
# would be charged to the scheduler's rate.
COUNT_SCRIPT = (
    "import json, ssl, sys, time, urllib.request\n"
    "ctx = ssl._create_unverified_context()\n"
    "start = float(sys.argv[2])\n"
    "def get(path, timeout=30):\n"
    "    req = urllib.request.Request('https://127.0.0.1:6443' + path)\n"
    "    req.add_header('Authorization', 'Bearer ' + sys.argv[1])\n"
    "    return urllib.request.urlopen(req, context=ctx, timeout=timeout)\n"
    "listed = json.loads(get('/api/v1/pods').read())\n"
    "unbound = {p['metadata']['name'] for p in listed['items'] if not p['spec'].get('nodeName')}\n"
    "rv = listed['metadata']['resourceVersion']\n"
    "stream = get('/api/v1/pods?watch=1&allowWatchBookmarks=false&resourceVersion=' + rv, timeout=660)\n"
    "while unbound and time.time() - start < 600:\n"
    "    line = stream.readline()\n"
    "    if not line: break\n"
    "    if not line.strip(): continue\n"
    "    obj = json.loads(line)['object']\n"
    "    if obj.get('spec', {}).get('nodeName'): unbound.discard(obj['metadata']['name'])\n"
    "print(time.time() - start if not unbound else -len(unbound))\n")


def node(i):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": f"node-{i}", "labels": {"kubernetes.io/hostname": f"node-{i}"}}}


def node_status():
    r = {"cpu": "4", "memory": "32Gi", "pods": "110"}
    return {"status": {"allocatable": r, "capacity": r, "conditions": [{"type": "Ready", "status": "True"}]}}


def pod(i):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"pod-{i}", "namespace": "default"},
            "spec": {"containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10",
                                     "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}}}]}}


def chunks(n, size):
    return [range(s, min(s + size, n)) for s in range(0, n, size)]


def cpu_seconds(pid):
    """utime + stime of a process and its threads, in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(skiff, nodes, pods, wrap=()):
    # As scheduler_perf: the API server and the scheduler only. (With every controller the
    # node lifecycle controller would, rightly, find these agent-less nodes silent after 50 s.)
    cluster = BenchCluster(skiff, "skiff-bench-sched", server_args=["--controllers=-*"])
    try:
        t = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda c: cluster.post("/api/v1/nodes", [node(i) for i in c]), chunks(nodes, 250)))
            print(f"{nodes} nodes created in {time.time() - t:.1f}s", file=sys.stderr)
            list(pool.map(lambda c: cluster.patch([(f"/api/v1/nodes/node-{i}/status", node_status()) for i in c]), chunks(nodes, 250)))
            print(f"node status written at {time.time() - t:.1f}s", file=sys.stderr)
            list(pool.map(lambda c: cluster.post("/api/v1/namespaces/default/pods", [pod(i) for i in c]), chunks(pods, 250)))
            print(f"{pods} pods created at {time.time() - t:.1f}s", file=sys.stderr)
        server = cluster.procs[0].pid
        server_cpu = cpu_seconds(server)
        start = time.time()
        scheduler = cluster.start(*wrap, skiff, "controllers", "--kubeconfig", cluster.kubeconfig, "--controllers", "scheduler",
                                  "--leader-elect=false", "--log-level", "warning", log="scheduler.log")
        p = run(cluster.ns, "python3", "-c", COUNT_SCRIPT, cluster.token, str(start))
        cpu = (cpu_seconds(scheduler.pid), cpu_seconds(server) - server_cpu)
        if p.returncode != 0 or not p.stdout.strip():
            raise SystemExit("counting unbound pods failed: " + p.stderr[-2000:])
        seconds = float(p.stdout.strip())
        if seconds < 0:
            raise SystemExit(f"{-int(seconds)} pods still unbound after 600 s; log:\n" + cluster.log("scheduler.log")[-3000:])
        return seconds, cpu
    finally:
        cluster.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--nodes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--wrap", default="", help="a profiler command to run the scheduler under, e.g. 'perf record -g -o /tmp/p'")
    args = ap.parse_args()
    rows = []
    for n in args.nodes:
        seconds, (scheduler_cpu, server_cpu) = measure(args.skiff, n, args.pods, args.wrap.split())
        rows.append({"nodes": n, "pods": args.pods, "seconds": round(seconds, 2), "pods_per_s": round(args.pods / seconds, 1),
                     "scheduler_cpu_s": round(scheduler_cpu, 1), "server_cpu_s": round(server_cpu, 1)})
    if args.json:
        print(json.dumps(rows))
        return
    print("| nodes | pods | start → all bound (s) | pods/s | ÷ upstream's 680 pods/s | CPU-s scheduler / API server | target ≥ 1,000 pods/s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['nodes']:,} | {r['pods']:,} | {r['seconds']} | {r['pods_per_s']:,} | {r['pods_per_s'] / UPSTREAM_REFERENCE:.2f}× | {r['scheduler_cpu_s']} / {r['server_cpu_s']} | "
              f"{'met' if r['pods_per_s'] >= 1000 else 'not met'} |")


if __name__ == "__main__":
    main()
