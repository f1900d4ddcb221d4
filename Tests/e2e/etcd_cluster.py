"""A real etcd cluster on loopback for the e2e tests: Debian's /usr/bin/etcd (3.4), one
process per member, each with its own data directory, on ports probed free. Members can be
killed and restarted on the same data; `close()` stops them all and removes the directory."""
import json
import os
import shutil
import signal
import socket
import subprocess
import time

ETCD = "/usr/bin/etcd"


def free_ports(count):
    """Ports nothing listens on now: bound to port 0 together (so they differ), then released."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Member:
    def __init__(self, name, client_port, peer_port, data_dir, log_path):
        self.name = name
        self.client_port = client_port
        self.peer_port = peer_port
        self.data_dir = data_dir
        self.log_path = log_path
        self.proc = None

    @property
    def endpoint(self):
        return f"127.0.0.1:{self.client_port}"

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None


class EtcdCluster:
    """`size` members on 127.0.0.1 under `directory` (created here, removed by close())."""

    def __init__(self, directory, size=3, token="skiff-e2e"):
        self.directory = str(directory)
        self.token = token
        os.makedirs(self.directory, exist_ok=True)
        ports = free_ports(2 * size)
        self.members = [Member(f"m{i}", ports[2 * i], ports[2 * i + 1],
                               os.path.join(self.directory, f"m{i}"), os.path.join(self.directory, f"m{i}.log"))
                        for i in range(size)]

    @property
    def endpoints(self):
        return [m.endpoint for m in self.members]

    @property
    def datastore(self):
        """The `--datastore` flag value naming every member."""
        return "etcd://" + ",".join(self.endpoints)

    def _initial_cluster(self):
        return ",".join(f"{m.name}=http://127.0.0.1:{m.peer_port}" for m in self.members)

    def start(self, i):
        """Starts (or restarts, on the data it has) member i; does not wait for it."""
        m = self.members[i]
        assert not m.running, f"{m.name} already runs"
        log = open(m.log_path + ".stderr", "ab")
        m.proc = subprocess.Popen(
            [ETCD, "--name", m.name, "--data-dir", m.data_dir,
             "--listen-client-urls", f"http://127.0.0.1:{m.client_port}",
             "--advertise-client-urls", f"http://127.0.0.1:{m.client_port}",
             "--listen-peer-urls", f"http://127.0.0.1:{m.peer_port}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{m.peer_port}",
             "--initial-cluster", self._initial_cluster(), "--initial-cluster-state", "new",
             "--initial-cluster-token", self.token,
             "--experimental-watch-progress-notify-interval", "1s",
             "--logger", "zap", "--log-outputs", m.log_path],
            stdout=log, stderr=log, start_new_session=True)
        log.close()

    def start_all(self, timeout=60):
        for i, m in enumerate(self.members):
            if not m.running:
                self.start(i)
        self.wait_healthy(timeout=timeout)
        return self

    def kill(self, i, sig=signal.SIGKILL):
        """Stops member i with `sig` and waits for it to be gone."""
        m = self.members[i]
        if m.proc is not None:
            if m.proc.poll() is None:
                m.proc.send_signal(sig)
                try:
                    m.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    m.proc.kill()
                    m.proc.wait()
            m.proc = None

    def stop_all(self, sig=signal.SIGKILL):
        for i in range(len(self.members)):
            self.kill(i, sig)

    def wait_healthy(self, timeout=60):
        """Waits until every running member says {"health":"true"} (it has a leader)."""
        deadline = time.time() + timeout
        for m in self.members:
            if m.proc is None:
                continue
            while True:
                if m.proc.poll() is not None:
                    raise RuntimeError(f"etcd member {m.name} exited ({m.proc.returncode}): " + self.log_tail(m))
                answer = self._curl_health(m)
                if answer and '"health":"true"' in answer.replace(" ", ""):
                    break
                if time.time() > deadline:
                    raise RuntimeError(f"etcd member {m.name} not healthy after {timeout}s; last: {answer!r}\n" + self.log_tail(m))
                time.sleep(0.1)

    def etcdctl(self, *args, members=None):
        """Runs etcdctl (v3 API) against the given members (default: the running ones)."""
        chosen = [m for m in self.members if m.running] if members is None else [self.members[i] for i in members]
        env = dict(os.environ, ETCDCTL_API="3")
        p = subprocess.run(["etcdctl", "--endpoints", ",".join(m.endpoint for m in chosen), "--dial-timeout", "3s",
                            "--command-timeout", "10s", *args], env=env, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"etcdctl {' '.join(args)} failed: {p.stdout}{p.stderr}")
        return p.stdout

    def _status(self):
        """[(member index, member id, leader id)] of the running members."""
        answer = json.loads(self.etcdctl("endpoint", "status", "-w", "json"))
        index = {m.endpoint: i for i, m in enumerate(self.members)}
        return [(index[s["Endpoint"]], s["Status"]["header"]["member_id"], s["Status"]["leader"]) for s in answer]

    def leader(self):
        """Index of the member that is raft leader now."""
        status = self._status()
        ids = {member_id: i for i, member_id, _ in status}
        return ids[status[0][2]]

    def make_leader(self, i):
        """Moves raft leadership to member i (etcdctl move-leader, sent to the leader)."""
        status = self._status()
        current = self.leader()
        if current != i:
            [target] = [member_id for j, member_id, _ in status if j == i]
            self.etcdctl("move-leader", format(target, "x"), members=[current])
            self.wait_healthy()
        assert self.leader() == i

    @staticmethod
    def _curl_health(m):
        p = subprocess.run(["curl", "-s", "-m", "2", f"http://{m.endpoint}/health"], capture_output=True, text=True)
        return p.stdout if p.returncode == 0 else None

    @staticmethod
    def log_tail(m, lines=30):
        try:
            with open(m.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        self.stop_all()
        shutil.rmtree(self.directory, ignore_errors=True)
