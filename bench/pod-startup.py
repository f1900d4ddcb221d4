#!/usr/bin/env python3
"""Pod startup latency on one node (issue 7): the real `skiff server` and `skiff agent` (with
its embedded overlay, proxy and DNS) in network namespaces as the end-to-end tests build them
(Tests/e2e/overlay_cluster.py), a busybox image already on the node; P Pods created at once,
bound to the node by the scheduler, each timed from its creationTimestamp to the watch event
that shows it Running, and to the one that shows it Ready (a readiness probe-free container,
so Ready = started). Also the agent's peak memory (VmHWM) with the P Pods running.

    bench/pod-startup.py --skiff .build-bench/release/skiff --pods 30

No kubelet can be installed here, so the peer is upstream's SLO (p99 ≤ 5 s for
stateless Pods with the image present); the issue's target is p99 ≤ 1 s.
Everything (namespaces, processes, mounts, files) is removed at the end, pass or fail.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "e2e"))


def parse_time(text):
    return time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--pods", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ["SKIFF_BIN"] = os.path.abspath(args.skiff)
    from test_pods import AgentNode  # noqa: E402  (uses SKIFF_BIN)

    node = AgentNode()
    try:
        c = node.cluster
        token = open(os.path.join(c.dir, "server", "admin-token")).read().strip()
        # Creation times are second-resolution metadata; the watch gives our own sub-second clock.
        created, running, ready = {}, {}, {}
        done = threading.Event()

        def watch():
            p = subprocess.Popen(["ip", "netns", "exec", c.switch, "kubectl", "--kubeconfig", c.kubeconfig, "get", "pods",
                                  "--watch", "--output-watch-events", "-o", "json"], stdout=subprocess.PIPE, text=True)
            buf = ""
            depth = 0
            for ch in iter(lambda: p.stdout.read(1), ""):
                buf += ch
                depth += ch == "{"
                depth -= ch == "}"
                if depth == 0 and buf.strip():
                    event = json.loads(buf)
                    buf = ""
                    pod = event["object"]
                    name = pod["metadata"]["name"]
                    now = time.time()
                    if pod.get("status", {}).get("phase") == "Running":
                        running.setdefault(name, now)
                    if any(x["type"] == "Ready" and x["status"] == "True" for x in pod.get("status", {}).get("conditions", [])):
                        ready.setdefault(name, now)
                    if len(ready) >= args.pods:
                        break
            p.kill()
            done.set()

        t = threading.Thread(target=watch, daemon=True)
        t.start()
        time.sleep(1)
        manifests = "".join(
            json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "namespace": "default"},
                        "spec": {"terminationGracePeriodSeconds": 1,
                                 "containers": [{"name": "c", "image": "busybox:test", "imagePullPolicy": "Never",
                                                 "command": ["sleep", "3600"]}]}}) + "\n" for i in range(args.pods))
        start = time.time()
        for line in manifests.splitlines():
            name = json.loads(line)["metadata"]["name"]
            created[name] = time.time()
            c.kubectl("create", "-f", "-", input=line)
        done.wait(timeout=300)
        if len(ready) < args.pods:
            late = sorted(set(created) - set(ready))
            raise SystemExit(f"only {len(ready)} of {args.pods} Pods were seen Ready by the watch (not: {late}); now:\n"
                             + c.kubectl("get", "pods", "-o", "wide") + "\n"
                             + "".join(c.kubectl("describe", "pod", n)[-1200:] for n in late[:3])
                             + "\nagent log:\n" + open(os.path.join(c.dir, "agent.log")).read()[-3000:])
        to_running = [running[n] - created[n] for n in created]
        to_ready = [ready[n] - created[n] for n in created]
        with open(f"/proc/{node.agent.pid}/status") as f:
            hwm = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
        row = {"pods": args.pods, "running_p50": percentile(to_running, 50), "running_p99": percentile(to_running, 99),
               "ready_p50": percentile(to_ready, 50), "ready_p99": percentile(to_ready, 99), "all_ready_s": max(ready.values()) - start,
               "agent_vmhwm_mib": hwm}
        if args.json:
            print(json.dumps(row))
        else:
            print("| Pods at once | create → Running p50 / p99 (s) | create → Ready p50 / p99 (s) | ÷ upstream SLO 5 s (p99 Ready) | "
                  "all Ready after (s) | agent VmHWM (MiB) | target p99 ≤ 1 s |")
            print("|---|---|---|---|---|---|---|")
            print(f"| {row['pods']} | {row['running_p50']:.2f} / {row['running_p99']:.2f} | {row['ready_p50']:.2f} / {row['ready_p99']:.2f} | "
                  f"{row['ready_p99'] / 5:.2f}× | {row['all_ready_s']:.2f} | {hwm:.1f} | {'met' if row['ready_p99'] <= 1 else 'not met'} |")
        # Clean removal of the Pods before tearing the node down.
        c.kubectl("delete", "pods", "--all", "--wait=true", "--timeout=120s")
    finally:
        node.close()


if __name__ == "__main__":
    main()
