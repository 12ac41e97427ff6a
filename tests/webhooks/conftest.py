"""Fixtures of the webhook tests: a local HTTP receiver on 127.0.0.1 (allow-listed, since
loopback is refused otherwise) and a fake DNS, so no test depends on the network."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PUBLIC = "93.184.215.14"  # a public address; nothing is ever sent to it


class Receiver:
    """What the local server received, and the status codes it answers with (then 200)."""

    def __init__(self):
        self.requests = []  # (path, headers, body)
        self.codes = []
        self.lock = threading.Lock()


@pytest.fixture()
def local_receiver():
    """A receiver on 127.0.0.1, not allow-listed (for the refusals)."""
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with rec.lock:
                rec.requests.append((self.path, dict(self.headers), body))
                code = rec.codes.pop(0) if rec.codes else 200
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.port = server.server_address[1]
    rec.url = f"http://127.0.0.1:{rec.port}/hook"
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture()
def allow_loopback(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", ("127.0.0.1",))


@pytest.fixture()
def receiver(local_receiver, allow_loopback):
    """The local receiver with 127.0.0.1 allow-listed (WEBHOOK_ALLOWED_HOSTS)."""
    return local_receiver


class FakeDns:
    """Names of the tests resolve to what ``names`` says (a list, or a callable returning one);
    anything else (IP literals, localhost) goes to the real resolver. ``lookups`` counts."""

    def __init__(self, real):
        self.real = real
        self.names = {"example.com": [PUBLIC], "hooks.example.org": [PUBLIC]}
        self.lookups: dict[str, int] = {}

    def __call__(self, host, port, *args, **kwargs):
        key = host.decode() if isinstance(host, bytes) else host
        if key not in self.names:
            return self.real(host, port, *args, **kwargs)
        self.lookups[key] = self.lookups.get(key, 0) + 1
        answer = self.names[key]
        answer = answer() if callable(answer) else answer
        if not answer:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
             (a, port, 0, 0) if ":" in a else (a, port))
            for a in answer
        ]  # fmt: skip


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake
