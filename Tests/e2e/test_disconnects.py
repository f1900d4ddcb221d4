"""Clients that vanish mid-watch or mid-request cost the server nothing lasting."""
import os
import socket
import ssl
import time


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_abandoned_watches_and_requests_release_everything(make_server):
    # The API alone: the controllers open their own loopback watches while they start, which
    # would move the descriptor count this test compares.
    server = make_server("--controllers=-*")
    pid = server.proc.pid
    server.request("GET", "/api/v1/namespaces/default/configmaps")  # warm up lazily opened resources
    before = open_fds(pid)
    ctx = ssl.create_default_context(cafile=os.path.join(server.data_dir, "tls", "ca.crt"))
    token = server.token()
    sockets = []
    for _ in range(60):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port)), server_hostname="127.0.0.1")
        s.sendall(f"GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {token}\r\n\r\n".encode())
        sockets.append(s)
    for _ in range(20):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port)), server_hostname="127.0.0.1")
        s.sendall(f"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {token}\r\nContent-Length: 1000\r\n\r\n{{\"apiVersion\":".encode())
        sockets.append(s)
    time.sleep(1.0)
    assert open_fds(pid) >= before + 60
    for s in sockets:
        s.close()
    deadline = time.time() + 15
    while time.time() < deadline and open_fds(pid) > before:
        time.sleep(0.2)
    assert open_fds(pid) <= before
    # Nothing half-written was stored, and the server still serves.
    status, body, _ = server.request("GET", "/api/v1/namespaces/default/configmaps")
    assert status == 200 and body["items"] == []
