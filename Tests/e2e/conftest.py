"""Fixtures that run the real `skiff server` binary on loopback and point kubectl at it."""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def skiff_binary():
    if os.environ.get("SKIFF_BIN"):
        return os.environ["SKIFF_BIN"]
    for config in ("debug", "release"):
        path = os.path.join(REPO, ".build", config, "skiff")
        if os.path.exists(path):
            return path
    raise RuntimeError("build skiff first: swift build")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `skiff server` process on a data directory; can be killed and restarted."""

    def __init__(self, data_dir, port, extra_args=()):
        self.data_dir = data_dir
        self.port = port
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = os.path.join(data_dir, "server.log")

    @property
    def kubeconfig(self):
        return os.path.join(self.data_dir, "admin.kubeconfig")

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"

    def start(self):
        os.makedirs(self.data_dir, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [skiff_binary(), "server", "--data-dir", self.data_dir, "--listen", f"127.0.0.1:{self.port}", *self.extra_args],
            stdout=log, stderr=log, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("skiff server exited: " + open(self.log_path).read())
            try:
                if self.request("GET", "/readyz", auth=False)[0] == 200 and os.path.exists(self.kubeconfig):
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("skiff server did not become ready")

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def token(self):
        with open(os.path.join(self.data_dir, "admin-token")) as f:
            return f.read().strip()

    def ssl_context(self):
        return ssl.create_default_context(cafile=os.path.join(self.data_dir, "tls", "ca.crt"))

    def request(self, method, path, body=None, content_type="application/json", auth=True, headers=None):
        """Raw HTTPS request; returns (status, parsed JSON or text, headers)."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        if auth:
            req.add_header("Authorization", "Bearer " + self.token())
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, context=self.ssl_context(), timeout=30) as resp:
                raw = resp.read()
                status, hdrs = resp.status, resp.headers
        except urllib.error.HTTPError as e:
            raw, status, hdrs = e.read(), e.code, e.headers
        try:
            return status, json.loads(raw), hdrs
        except ValueError:
            return status, raw.decode(errors="replace"), hdrs

    def kubectl(self, *args, check=True, input=None, timeout=60):
        """Runs the real kubectl against this server; returns stdout (raises on failure when check)."""
        env = dict(os.environ, KUBECONFIG=self.kubeconfig)
        p = subprocess.run(["kubectl", *args], env=env, input=input, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p if not check else p.stdout


@pytest.fixture
def make_server():
    """Starts servers with extra flags; all are stopped and removed at the end."""
    made = []

    def make(*extra_args):
        s = Server(tempfile.mkdtemp(prefix="skiff-e2e-"), free_port(), extra_args)
        made.append(s)
        return s.start()

    try:
        yield make
    finally:
        for s in made:
            s.kill()
            shutil.rmtree(s.data_dir, ignore_errors=True)


@pytest.fixture
def server(make_server):
    return make_server()
