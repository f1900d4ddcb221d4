#!/usr/bin/env python3
"""EndpointSlice latency: the time from a Pod becoming Ready (its status written, as an agent
would) to its address showing ready in the Service's EndpointSlice, as a watcher of slices sees
it (issue 6: p99 <= 100 ms). `skiff server` runs with its controllers in a network namespace
made for the run; S Services select P Pods each; the Pods get addresses first (not ready), and
once every one of them is in a slice, R of them are made Ready one at a time, each timed from just before its status write to the
watch event of the slice that shows it ready.

    bench/endpointslice-latency.py --skiff .build-bench/release/skiff --services 100 --pods 10 --rounds 300

Everything (namespace, processes, temp dir) is removed at the end, pass or fail.
"""
import argparse
import concurrent.futures
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchapi import BenchCluster, run  # noqa: E402

# Runs in the namespace: watches slices in a thread, makes Pods ready one at a time.
MEASURE_SCRIPT = r"""
import json, ssl, sys, threading, time, urllib.request
token, rounds, total, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.stdin.read())
ctx = ssl._create_unverified_context()
def req(method, path, body=None, ctype="application/json"):
    r = urllib.request.Request("https://127.0.0.1:6443" + path, method=method,
                               data=None if body is None else json.dumps(body).encode())
    r.add_header("Authorization", "Bearer " + token)
    r.add_header("Content-Type", ctype)
    return urllib.request.urlopen(r, context=ctx, timeout=60)
# Timing starts once the controllers have caught up with the set-up (every Pod listed, not ready).
deadline = time.monotonic() + 300
while True:
    listing = json.loads(req("GET", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices").read())
    if sum(len(s.get("endpoints") or []) for s in listing["items"]) >= total or time.monotonic() > deadline:
        break
    time.sleep(0.5)
rv = listing["metadata"]["resourceVersion"]
seen = {}
cond = threading.Condition()
def watch():
    stream = req("GET", f"/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?watch=1&resourceVersion={rv}")
    for line in stream:
        now = time.monotonic()
        ev = json.loads(line)
        for e in ev["object"].get("endpoints") or []:
            if e.get("conditions", {}).get("ready"):
                with cond:
                    seen.setdefault(e["addresses"][0], now)
                    cond.notify_all()
threading.Thread(target=watch, daemon=True).start()
time.sleep(0.5)
out = []
for name, ip in names[:rounds]:
    status = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    start = time.monotonic()
    req("PATCH", f"/api/v1/namespaces/default/pods/{name}/status", status, "application/strategic-merge-patch+json").read()
    with cond:
        ok = cond.wait_for(lambda: ip in seen, timeout=10)
    out.append((seen[ip] - start) * 1000 if ok else None)
print(json.dumps(out))
"""


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--services", type=int, default=100)
    ap.add_argument("--pods", type=int, default=10, help="Pods per Service")
    ap.add_argument("--rounds", type=int, default=300)
    args = ap.parse_args()
    cluster = BenchCluster(args.skiff, "skiff-bench-eps")
    try:
        total = args.services * args.pods
        services = [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{s}", "namespace": "default"},
                     "spec": {"selector": {"app": f"app-{s}"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
                    for s in range(args.services)]
        pods = [{"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": f"pod-{i}", "namespace": "default", "labels": {"app": f"app-{i % args.services}"}},
                 "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}} for i in range(total)]
        ips = [f"10.{128 + i // 65536}.{(i // 256) % 256}.{i % 256}" for i in range(total)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda c: cluster.post("/api/v1/namespaces/default/services", services[c.start:c.stop]),
                          [range(s, min(s + 100, args.services)) for s in range(0, args.services, 100)]))
            list(pool.map(lambda c: cluster.post("/api/v1/namespaces/default/pods", pods[c.start:c.stop]),
                          [range(s, min(s + 250, total)) for s in range(0, total, 250)]))
            list(pool.map(lambda c: cluster.patch(
                [(f"/api/v1/namespaces/default/pods/pod-{i}/status",
                  {"status": {"phase": "Running", "podIP": ips[i], "podIPs": [{"ip": ips[i]}],
                              "conditions": [{"type": "Ready", "status": "False"}]}}) for i in c]),
                [range(s, min(s + 250, total)) for s in range(0, total, 250)]))
        # Spread the timed Pods over the Services.
        order = [(f"pod-{i}", ips[i]) for i in sorted(range(total), key=lambda i: (i // args.services, i % args.services))]
        p = run(cluster.ns, "python3", "-c", MEASURE_SCRIPT, cluster.token, str(args.rounds), str(total), input=json.dumps(order[:args.rounds]))
        if p.returncode != 0:
            raise SystemExit("measuring failed: " + p.stderr[-2000:])
        latencies = json.loads(p.stdout)
        missed = sum(1 for x in latencies if x is None)
        got = [x for x in latencies if x is not None]
        print(f"| Services × Pods | rounds | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | missed (10 s) | target p99 ≤ 100 ms |")
        print("|---|---|---|---|---|---|---|---|")
        print(f"| {args.services} × {args.pods} | {len(latencies)} | {pct(got, 50):.1f} | {pct(got, 90):.1f} | {pct(got, 99):.1f} | "
              f"{max(got):.1f} | {missed} | {'met' if missed == 0 and pct(got, 99) <= 100 else 'not met'} |")
    finally:
        cluster.close()


if __name__ == "__main__":
    main()
