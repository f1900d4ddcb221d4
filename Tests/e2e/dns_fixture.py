"""Fixtures for `skiff dns` end to end: the real API server (conftest's `server`), the real
`skiff dns` next to it on free loopback ports (UDP and TCP on one port), a fake upstream DNS
server in Python on loopback, and query helpers (dnspython for exact assertions, `dig` and
`kdig` as real clients).

Needs: dnspython (pip), dig (Debian bind9-dnsutils), kdig (Debian knot-dnsutils).
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.reversename
import dns.rrset
import pytest

from conftest import free_port, skiff_binary

ZONE = "cluster.local."


# --------------------------------------------------------------------------------------------
# Ports and polling


def free_dual_port(host="127.0.0.1"):
    """A port free for both UDP and TCP on `host` (the DNS server listens on both)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind((host, 0))
            port = t.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                try:
                    u.bind((host, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no port free for both UDP and TCP")


def wait_for(check, what, timeout=5.0, interval=0.05):
    """Polls `check` until it returns a truthy value (returned); fails with `what` after `timeout`."""
    deadline = time.time() + timeout
    last = None
    while True:
        try:
            last = check()
            if last:
                return last
        except (OSError, dns.exception.DNSException) as e:  # a timeout while the server catches up
            last = e
        if time.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# The fake upstream


class FakeUpstream:
    """A small authoritative-looking DNS server on loopback, UDP and TCP on one port.

    Answers:
      example.org.        A     192.0.2.10   TTL 30   (AAAA, TXT...: NODATA with SOA)
      www.example.org.    A     192.0.2.20   TTL 30   (target of an ExternalName Service)
      short.example.org.  A     192.0.2.11   TTL 1    (cache expiry)
      nx.example.org. and anything else unknown: NXDOMAIN with the example.org. SOA (minimum 30)
      big.example.org.    TXT   BIG_TXT_COUNT strings (about 6 KB): over UDP always TC with an
                          empty answer, over TCP the full answer
      slow.example.org., slow*.example.org.: never answered (forward timeouts, in-flight bound)
    Counts every query it receives in `queries` as (transport, qname lowercased, type text).
    """

    BIG_TXT_COUNT = 30
    BIG_TXT_LEN = 200  # bytes per string: 30 x ~212 bytes, larger than any UDP payload we allow

    def __init__(self, host="127.0.0.1", port=None):
        self.host = host
        self.port = port or free_dual_port(host)
        self.queries = []
        self.lock = threading.Lock()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((host, self.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((host, self.port))
        self.tcp.listen(64)
        self.closed = False
        self.threads = [threading.Thread(target=self._serve_udp, daemon=True),
                        threading.Thread(target=self._serve_tcp, daemon=True)]
        for t in self.threads:
            t.start()

    @property
    def address(self):
        return f"{self.host}:{self.port}"

    def count(self, qname, qtype=None, transport=None):
        qname = qname.lower().rstrip(".") + "."
        with self.lock:
            return sum(1 for (tr, n, t) in self.queries
                       if n == qname and (qtype is None or t == qtype) and (transport is None or tr == transport))

    @staticmethod
    def big_strings():
        return [(f"{i:03d}-" + "x" * FakeUpstream.BIG_TXT_LEN)[:FakeUpstream.BIG_TXT_LEN]
                for i in range(FakeUpstream.BIG_TXT_COUNT)]

    def answer(self, wire, transport):
        """The response bytes for one query, or None to stay silent."""
        try:
            q = dns.message.from_wire(wire)
        except Exception:
            return None
        if not q.question:
            return None
        question = q.question[0]
        name = question.name.to_text().lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        with self.lock:
            self.queries.append((transport, name, rdtype))
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA | dns.flags.RA
        soa = dns.rrset.from_text("example.org.", 30, "IN", "SOA",
                                  "ns.example.org. hostmaster.example.org. 1 3600 600 86400 30")
        records = {
            ("example.org.", "A"): ("192.0.2.10", 30),
            ("www.example.org.", "A"): ("192.0.2.20", 30),
            ("short.example.org.", "A"): ("192.0.2.11", 1),
        }
        known = {"example.org.", "www.example.org.", "short.example.org.", "big.example.org."}
        if name.startswith("slow") and name.endswith(".example.org."):
            return None
        if name == "big.example.org." and rdtype == "TXT":
            if transport == "udp":
                r.flags |= dns.flags.TC
                return r.to_wire()
            r.answer.append(dns.rrset.from_text_list(question.name, 30, "IN", "TXT",
                                                     [f'"{s}"' for s in self.big_strings()]))
            return r.to_wire(max_size=65535)
        if (name, rdtype) in records:
            value, ttl = records[(name, rdtype)]
            r.answer.append(dns.rrset.from_text(question.name, ttl, "IN", rdtype, value))
        elif name in known:
            r.authority.append(soa)  # NODATA
        else:
            r.set_rcode(dns.rcode.NXDOMAIN)
            r.authority.append(soa)
        return r.to_wire(max_size=65535)

    def _serve_udp(self):
        while not self.closed:
            try:
                wire, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            out = self.answer(wire, "udp")
            if out is not None:
                try:
                    self.udp.sendto(out, peer)
                except OSError:
                    pass

    def _serve_tcp(self):
        while not self.closed:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            threading.Thread(target=self._serve_conn, args=(conn,), daemon=True).start()

    def _serve_conn(self, conn):
        with conn:
            conn.settimeout(10)
            try:
                while True:
                    head = recv_exact(conn, 2)
                    if head is None:
                        return
                    wire = recv_exact(conn, struct.unpack("!H", head)[0])
                    if wire is None:
                        return
                    out = self.answer(wire, "tcp")
                    if out is not None:
                        conn.sendall(struct.pack("!H", len(out)) + out)
            except OSError:
                return

    def close(self):
        self.closed = True
        for s in (self.udp, self.tcp):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


# --------------------------------------------------------------------------------------------
# `skiff dns`


def require_dns_command():
    """Fails clearly when the binary has no `dns` subcommand yet (rather than a confusing timeout)."""
    binary = skiff_binary()
    p = subprocess.run([binary, "help", "dns"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0 or "skiff dns" not in p.stdout:
        raise RuntimeError(f"`skiff dns` does not exist in {binary} yet (`skiff help dns` shows: "
                           f"{(p.stdout + p.stderr).strip().splitlines()[:3]}); build it first: swift build")


class DnsServer:
    """One `skiff dns` process against an API server's kubeconfig, on free loopback ports."""

    def __init__(self, kubeconfig, extra_args=(), upstreams=(), port=None):
        self.kubeconfig = kubeconfig
        self.extra_args = list(extra_args)
        self.upstreams = list(upstreams)
        self.host = "127.0.0.1"
        self.port = port or free_dual_port()
        self.health_port = free_port()
        self.metrics_port = free_port()
        self.dir = tempfile.mkdtemp(prefix="skiff-e2e-dns-")
        self.log_path = os.path.join(self.dir, "dns.log")
        self.proc = None

    def argv(self):
        argv = [skiff_binary(), "dns", "--kubeconfig", self.kubeconfig, "--listen", f"{self.host}:{self.port}",
                "--health-bind-address", f"127.0.0.1:{self.health_port}",
                "--metrics-bind-address", f"127.0.0.1:{self.metrics_port}"]
        for u in self.upstreams:
            argv += ["--upstream", u]
        return argv + self.extra_args

    def start(self, wait_ready=True, timeout=30):
        require_dns_command()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=log, start_new_session=True)
        path = "/ready" if wait_ready else "/health"
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"skiff dns exited ({self.proc.returncode}) before {path} answered 200:\n"
                                   + self.log())
            if self.http(path)[0] == 200:
                return self
            time.sleep(0.05)
        raise RuntimeError(f"skiff dns: {path} did not answer 200 within {timeout}s:\n" + self.log())

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """Kills the whole process group (pass or fail)."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- HTTP endpoints

    def http(self, path, port=None):
        """(status, body) of GET on the health port (or `port`); (0, error) when nothing listens."""
        port = port or (self.metrics_port if path == "/metrics" else self.health_port)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
                return r.status, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")
        except (OSError, urllib.error.URLError) as e:
            return 0, str(e)

    def metrics(self):
        status, body = self.http("/metrics")
        assert status == 200, body
        return parse_prometheus(body)

    # ---- Queries

    def query(self, name, rdtype="A", tcp=False, edns=None, payload=1232, timeout=2.0, flags=None, sock=None):
        """One query with dnspython; returns the parsed response (TC answers are returned, not raised).

        edns=None sends no OPT record; edns=0 sends EDNS0 with `payload`."""
        q = dns.message.make_query(name, rdtype, use_edns=edns if edns is not None else False, payload=payload)
        if flags is not None:
            q.flags = flags
        return self.send(q, tcp=tcp, timeout=timeout, sock=sock)

    def send(self, q, tcp=False, timeout=2.0, sock=None):
        if tcp:
            return dns.query.tcp(q, self.host, port=self.port, timeout=timeout, sock=sock)
        return dns.query.udp(q, self.host, port=self.port, timeout=timeout, raise_on_truncation=False)

    def raw_udp(self, wire, timeout=1.0):
        """Sends raw bytes over UDP; returns the raw reply or None when none comes within `timeout`."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(wire, (self.host, self.port))
            try:
                return s.recv(65535)
            except socket.timeout:
                return None

    def tcp_connect(self, timeout=5.0):
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        s.settimeout(timeout)
        return s

    def dig(self, *args, timeout=15):
        """Runs the real `dig` against this server; returns stdout."""
        p = subprocess.run(["dig", f"@{self.host}", "-p", str(self.port), "+time=2", "+tries=1", *args],
                           capture_output=True, text=True, timeout=timeout)
        assert p.returncode == 0, f"dig {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
        return p.stdout

    def kdig(self, *args, timeout=15):
        """Runs the real `kdig` (Knot) against this server; returns stdout."""
        p = subprocess.run(["kdig", f"@{self.host}", "-p", str(self.port), "+time=2", "+retry=0", *args],
                           capture_output=True, text=True, timeout=timeout)
        assert p.returncode == 0, f"kdig {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
        return p.stdout


# --------------------------------------------------------------------------------------------
# Response helpers


def rcode(r):
    return dns.rcode.to_text(r.rcode())


def records(r, rdtype, section="answer", name=None):
    """The rdata texts of `rdtype` in a section (optionally only at owner `name`), sorted."""
    t = dns.rdatatype.from_text(rdtype)
    out = []
    for rrset in getattr(r, section):
        if rrset.rdtype == t and (name is None or rrset.name == dns.name.from_text(name)):
            out.extend(rd.to_text() for rd in rrset)
    return sorted(out)


def ttls(r, section="answer"):
    return {rrset.ttl for rrset in getattr(r, section) if rrset.rdtype != dns.rdatatype.OPT}


def soa_in_authority(r):
    return [rrset for rrset in r.authority if rrset.rdtype == dns.rdatatype.SOA]


def srv_records(r):
    """SRV answers as (priority, weight, port, target) tuples, sorted."""
    return sorted((rd.priority, rd.weight, rd.port, rd.target.to_text().lower())
                  for rrset in r.answer if rrset.rdtype == dns.rdatatype.SRV for rd in rrset)


def reverse_name(ip):
    return dns.reversename.from_address(ip).to_text()


def parse_prometheus(text):
    """{(name, frozenset(labels.items())): value} of a Prometheus text exposition."""
    out = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        if not m:
            continue
        labels = frozenset(label_re.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def metric_sum(metrics, name, **labels):
    """Sum of a metric's samples whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in metrics.items() if n == name and want <= set(ls))


# --------------------------------------------------------------------------------------------
# pytest fixtures


@pytest.fixture
def upstream():
    u = FakeUpstream()
    try:
        yield u
    finally:
        u.close()


@pytest.fixture
def make_dns(server, upstream):
    """Starts `skiff dns` against the test's API server; forwards to the fake upstream unless
    `upstreams=` says otherwise (pass [] with "--no-forward"). All are killed at the end."""
    made = []

    def make(*extra_args, upstreams=None, wait_ready=True, port=None):
        d = DnsServer(server.kubeconfig, extra_args,
                      upstreams=[upstream.address] if upstreams is None else upstreams, port=port)
        made.append(d)
        return d.start(wait_ready=wait_ready)

    try:
        yield make
    finally:
        for d in made:
            d.stop()


@pytest.fixture
def dns_server(make_dns):
    """`skiff dns` with default flags (zone cluster.local, TTL 5) forwarding to the fake upstream."""
    return make_dns()

