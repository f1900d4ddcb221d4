"""What the benchmarks share: a throwaway network namespace running the real `skiff server`,
and bulk creation of objects through its API (POSTs from a helper inside the namespace, since
the server listens on the namespace's loopback only)."""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time


def run(ns, *cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True, **kw)


def status_kib(pid, key):
    """A /proc/PID/status field (VmHWM, VmRSS, RssAnon, RssFile) in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


POST_SCRIPT = (
    "import json, ssl, sys, urllib.request\n"
    "ctx = ssl._create_unverified_context()\n"
    "out = []\n"
    "for line in sys.stdin:\n"
    "    path, body = (line.split(' ', 1) if sys.argv[3] == 'PATCH' else (sys.argv[1], line))\n"
    "    req = urllib.request.Request('https://127.0.0.1:6443' + path, data=body.encode(), method=sys.argv[3])\n"
    "    req.add_header('Content-Type', sys.argv[4])\n"
    "    req.add_header('Authorization', 'Bearer ' + sys.argv[2])\n"
    "    out.append(urllib.request.urlopen(req, context=ctx, timeout=30).read().decode())\n"
    "print(json.dumps(out))\n")


class BenchCluster:
    """A namespace with `skiff server` on 127.0.0.1:6443; `close()` removes everything."""

    def __init__(self, skiff, prefix, server_args=()):
        self.ns = f"{prefix}-%08x" % random.getrandbits(32)
        self.work = tempfile.mkdtemp(prefix=prefix + "-")
        self.procs = []
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        try:
            run(self.ns, "ip", "link", "set", "lo", "up", check=True)
            self.start(skiff, "server", "--data-dir", self.work, "--listen", "127.0.0.1:6443", *server_args, log="server.log")
            self.kubeconfig = os.path.join(self.work, "admin.kubeconfig")
            for _ in range(600):
                if os.path.exists(self.kubeconfig) and run(self.ns, "curl", "-sk", "https://127.0.0.1:6443/readyz").stdout == "ok":
                    break
                time.sleep(0.1)
            self.token = open(os.path.join(self.work, "admin-token")).read().strip()
        except BaseException:
            self.close()
            raise

    def start(self, *cmd, log):
        """A process in the namespace, its stderr in `log` under the work dir."""
        p = subprocess.Popen(["ip", "netns", "exec", self.ns, *cmd], stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(self.work, log), "w"), start_new_session=True)
        self.procs.append(p)
        return p

    def log(self, name):
        return open(os.path.join(self.work, name)).read()

    def post(self, path, objs):
        """Creates `objs` at `path`; returns the created objects."""
        p = run(self.ns, "python3", "-c", POST_SCRIPT, path, self.token, "POST", "application/json",
                input="\n".join(json.dumps(o) for o in objs) + "\n")
        if p.returncode != 0:
            raise SystemExit("create failed: " + p.stderr[-2000:])
        return [json.loads(o) for o in json.loads(p.stdout)]

    def patch(self, patches, content_type="application/merge-patch+json"):
        """Applies `patches`, a list of (path, patch object)."""
        p = run(self.ns, "python3", "-c", POST_SCRIPT, "", self.token, "PATCH", content_type,
                input="\n".join(f"{path} {json.dumps(body)}" for path, body in patches) + "\n")
        if p.returncode != 0:
            raise SystemExit("patch failed: " + p.stderr[-2000:])

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)
        shutil.rmtree(self.work, ignore_errors=True)
