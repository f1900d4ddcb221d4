#!/usr/bin/env python3
"""Cluster DNS against Knot DNS with dnsperf, in one run: N Services (ClusterIP, one named port)
with E endpoints each are created through the real API server; `skiff dns` serves them from
its informers, and Knot (Debian `knot`) serves a zone file with the same A records. dnsperf
sends the same query file (random Service names, A) to each, alternating, first flat out (QPS),
then at half of Knot's QPS (latency percentiles at that load). Skiff's memory (VmHWM, VmRSS) is
read once everything is loaded.

    bench/dns-perf.py --skiff .build-bench/release/skiff --services 10000 --endpoints 10

Everything runs in a network namespace made for the run; processes, namespace and temp dir are
removed at the end, pass or fail.
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchapi import BenchCluster, run, status_kib  # noqa: E402

SKIFF_PORT, KNOT_PORT = 5301, 5302


def dnsperf(ns, port, queries, seconds, clients, rate=None):
    cmd = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries, "-l", str(seconds), "-c", str(clients),
           "-T", "1", "-t", "2", "-v"]
    if rate:
        cmd += ["-Q", str(rate)]
    # -v prints one line per answer (tens of thousands a second): into a file, read afterwards,
    # so that no reader competes for the CPUs with the servers during the run.
    with tempfile.TemporaryFile(mode="w+") as out:
        subprocess.run(["ip", "netns", "exec", ns, *cmd], stdout=out, stderr=subprocess.DEVNULL,
                       timeout=seconds + 60)
        out.seek(0)
        stdout = out.read()
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", stdout).group(1))
    lost = re.search(r"Queries lost:\s+(\d+)", stdout).group(1)
    # "> NOERROR name A 0.000123": latency in seconds last.
    lat = sorted(float(line.split()[-1]) * 1000 for line in stdout.splitlines()
                 if line.startswith("> ") and re.match(r"[\d.]+$", line.split()[-1]))
    rcodes = {}
    for line in stdout.splitlines():
        if line.startswith("> "):
            rcodes[line.split()[1]] = rcodes.get(line.split()[1], 0) + 1

    def pct(q):
        return round(lat[min(len(lat) - 1, int(q * len(lat)))], 3) if lat else None
    return {"qps": qps, "lost": int(lost), "p50_ms": pct(0.5), "p99_ms": pct(0.99), "rcodes": rcodes}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--services", type=int, default=10000)
    ap.add_argument("--endpoints", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3, help="runs per server and load; the median is reported")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--wrap", default="", help="a profiler command to run skiff dns under, e.g. 'heaptrack -o /tmp/ht'")
    ap.add_argument("--perf", default="", help="record a perf profile of skiff dns during its first full-speed run into this file")
    args = ap.parse_args()

    cluster = BenchCluster(args.skiff, "skiff-bench-dns")
    ns, work, post = cluster.ns, cluster.work, cluster.post
    kubeconfig = cluster.kubeconfig
    try:
        def service(i):
            return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}", "namespace": "default"},
                    "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}

        def endpoint_slice(i):
            base = 10 << 24 | 128 << 16
            eps = []
            for j in range(args.endpoints):
                v = base + i * args.endpoints + j
                eps.append({"addresses": [f"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}"],
                            "conditions": {"ready": True}, "nodeName": "node-b",
                            "targetRef": {"kind": "Pod", "namespace": "default", "name": f"svc-{i}-{j}"}})
            return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"name": f"svc-{i}-1", "namespace": "default",
                                 "labels": {"kubernetes.io/service-name": f"svc-{i}"}},
                    "addressType": "IPv4", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                    "endpoints": eps}

        start = time.time()
        chunks = [range(s, min(s + 250, args.services)) for s in range(0, args.services, 250)]
        cluster_ips = {}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for created in pool.map(lambda c: post("/api/v1/namespaces/default/services", [service(i) for i in c]), chunks):
                for s in created:
                    cluster_ips[s["metadata"]["name"]] = s["spec"]["clusterIP"]
            list(pool.map(lambda c: post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                                         [endpoint_slice(i) for i in c]), chunks))
        print(f"created {args.services} services and {args.services * args.endpoints} endpoints "
              f"in {time.time() - start:.1f}s", file=sys.stderr)

        dns = cluster.start(*args.wrap.split(), args.skiff, "dns", "--kubeconfig", kubeconfig,
                            "--listen", f"127.0.0.1:{SKIFF_PORT}", "--no-forward", "--no-search-completion",
                            "--health-bind-address", "127.0.0.1:8080", "--metrics-bind-address", "", log="dns.log")
        start = time.time()
        while run(ns, "curl", "-s", "http://127.0.0.1:8080/ready").stdout != "OK":
            if time.time() - start > 300:
                raise SystemExit("skiff dns not ready: " + open(os.path.join(work, "dns.log")).read()[-2000:])
            time.sleep(0.2)
        sync_s = time.time() - start
        time.sleep(2)
        hwm, rss = status_kib(dns.pid, "VmHWM"), status_kib(dns.pid, "VmRSS")
        anon, file = status_kib(dns.pid, "RssAnon"), status_kib(dns.pid, "RssFile")

        # Knot: the same names in a zone file.
        zone = os.path.join(work, "cluster.local.zone")
        with open(zone, "w") as f:
            f.write("$ORIGIN cluster.local.\n$TTL 5\n"
                    "@ SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5\n@ NS ns.dns\nns.dns A 10.96.0.10\n")
            for name, ip in cluster_ips.items():
                f.write(f"{name}.default.svc A {ip}\n")
        conf = os.path.join(work, "knot.conf")
        with open(conf, "w") as f:
            f.write(f"server:\n  listen: 127.0.0.1@{KNOT_PORT}\n  rundir: {work}\n  user: root\n"
                    f"database:\n  storage: {work}/knotdb\n"
                    f"log:\n  - target: stderr\n    any: warning\n"
                    f"zone:\n  - domain: cluster.local\n    file: {zone}\n    storage: {work}\n")
        cluster.start("knotd", "-c", conf, log="knot.log")
        for _ in range(100):
            if run(ns, "dig", "@127.0.0.1", "-p", str(KNOT_PORT), "+short", "svc-0.default.svc.cluster.local").stdout.strip():
                break
            time.sleep(0.1)
        for port in (SKIFF_PORT, KNOT_PORT):
            got = run(ns, "dig", "@127.0.0.1", "-p", str(port), "+short", "svc-1.default.svc.cluster.local").stdout.strip()
            assert got == cluster_ips["svc-1"], (port, got)

        queries = os.path.join(work, "queries.txt")
        names = list(cluster_ips)
        with open(queries, "w") as f:
            for _ in range(100000):
                f.write(f"{random.choice(names)}.default.svc.cluster.local A\n")

        results = {"skiff": [], "knot": []}
        for attempt in range(args.rounds):
            for who, port in (("skiff", SKIFF_PORT), ("knot", KNOT_PORT)):
                profiler = None
                if args.perf and who == "skiff" and attempt == 0:
                    profiler = subprocess.Popen(["perf", "record", "-g", "-o", args.perf, "-p", str(dns.pid)],
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                results[who].append(dnsperf(ns, port, queries, args.seconds, args.clients))
                if profiler:
                    profiler.send_signal(signal.SIGINT)
                    profiler.wait()
        knot_qps = sorted(r["qps"] for r in results["knot"])[len(results["knot"]) // 2]
        half = int(knot_qps / 2)
        at_half = {"skiff": [], "knot": []}
        for _ in range(args.rounds):
            for who, port in (("skiff", SKIFF_PORT), ("knot", KNOT_PORT)):
                at_half[who].append(dnsperf(ns, port, queries, args.seconds, args.clients, rate=half))
        hwm2, rss2 = status_kib(dns.pid, "VmHWM"), status_kib(dns.pid, "VmRSS")

        def median(rs, key):
            vals = sorted(r[key] for r in rs if r[key] is not None)
            return vals[len(vals) // 2] if vals else None
        skiff_qps, knot_qps = median(results["skiff"], "qps"), median(results["knot"], "qps")
        print(json.dumps({
            "services": args.services, "endpoints_per_service": args.endpoints,
            "skiff_ready_after_s": round(sync_s, 2),
            "skiff_vmhwm_mib_loaded": round(hwm / 1024, 1), "skiff_vmrss_mib_loaded": round(rss / 1024, 1),
            "skiff_rss_anon_mib_loaded": round(anon / 1024, 1), "skiff_rss_file_mib_loaded": round(file / 1024, 1),
            "skiff_vmhwm_mib_after_load": round(hwm2 / 1024, 1), "skiff_vmrss_mib_after_load": round(rss2 / 1024, 1),
            "max_qps": {"skiff": skiff_qps, "knot": knot_qps, "ratio": round(skiff_qps / knot_qps, 3)},
            "at_half_knot_qps": {"rate": half,
                                 "skiff_p50_ms": median(at_half["skiff"], "p50_ms"), "skiff_p99_ms": median(at_half["skiff"], "p99_ms"),
                                 "knot_p50_ms": median(at_half["knot"], "p50_ms"), "knot_p99_ms": median(at_half["knot"], "p99_ms")},
            "runs": {"max": results, "at_half": at_half},
        }, indent=1))
    finally:
        cluster.close()


if __name__ == "__main__":
    main()
