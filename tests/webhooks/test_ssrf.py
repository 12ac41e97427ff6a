"""Webhook SSRF (issue 17, point 1): a callback URL reaching loopback, private, link-local,
unique-local, multicast, reserved or unspecified addresses (however spelled), or carrying
credentials, is refused at registration with nothing stored, and again at each delivery with
"地址不允许" and no request sent; the post goes to the address checked (a name that rebinds
reaches nothing else); the log never tells an open port from a closed one; an allow-listed
receiver works."""

import ipaddress
import re
import shutil
import socket
import ssl
import subprocess  # noqa: S404
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.config import ConfigError, load_config
from review_app.errors import InvalidInput
from review_app.extensions import db
from review_app.webhooks import egress, service
from review_app.webhooks.models import Webhook, WebhookDelivery
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, login, post_form
from .conftest import PUBLIC

SECRET = "s3cret-for-tests-0123456789"

REFUSED_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://[::1]:5101/",
    "http://0x7f000001:5101/",
    "http://2130706433:5101/",
    "http://127.1:5101/",
    "http://localhost:5101/",
    "http://LOCALHOST.:5101/",
    "http://[::ffff:127.0.0.1]:5101/",
    "http://[::ffff:7f00:1]:5101/",
    "http://[::]:5101/",
    "http://0.0.0.0:5101/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://100.64.0.1/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://ｌｏｃａｌｈｏｓｔ:5101/",  # full-width letters: IDNA maps them to localhost
    "http://127.0.0.1.:5101/",
    "http://0177.0.0.1/",
    "http://017700000001/",
    "http://0/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[fe80::1%25eth0]/",
    "http://10.0.0.1#@example.com/",
    "http://example.com\\@127.0.0.1/",
    "http://intranet.example.com/hook",  # fake DNS: a private address
    "http://mixed.example.com/hook",  # fake DNS: one public and one loopback address
    "https://user:pass@example.com/hook",
    "https://token@example.com/hook",
    "http://:@example.com/hook",
]


@pytest.fixture(autouse=True)
def _names(dns):
    dns.names["intranet.example.com"] = ["10.20.30.40"]
    dns.names["mixed.example.com"] = [PUBLIC, "127.0.0.1"]


def _counts():
    return (
        db.session.scalar(select(func.count(Webhook.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )


def _insert(url: str) -> Webhook:
    """A webhook row written directly (an old row, or one written around the service)."""
    webhook = Webhook(url=url, secret=SECRET, description="", active=True)
    db.session.add(webhook)
    db.session.commit()
    return webhook


def _one_delivery(webhook: Webhook) -> WebhookDelivery:
    fire(f.application(), "endorse", f.user("prefecture"), now=BEFORE_DEADLINE)
    db.session.commit()
    service.deliver_due()
    db.session.expire_all()
    return db.session.execute(
        select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
    ).scalar_one()  # fmt: skip


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_forbidden_url_is_refused_at_registration_and_nothing_stored(app, url):
    coordinator = f.user("coordinator")
    db.session.commit()
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        service.register(url, SECRET, "", coordinator)
    assert "回调地址" in err.value.message
    assert "127.0.0.1" not in err.value.message and "10.20" not in err.value.message
    db.session.rollback()
    assert _counts() == before


def test_unresolvable_name_is_refused(app, dns):
    dns.names["gone.example.com"] = []
    with pytest.raises(InvalidInput) as err:
        service.register("https://gone.example.com/hook", SECRET, "", f.user("coordinator"))
    assert "无法解析" in err.value.message


def test_public_name_is_accepted(app):
    webhook = service.register("https://hooks.example.org/a?b=1", SECRET, "", f.user("coordinator"))
    assert webhook.url == "https://hooks.example.org/a?b=1"


def test_page_refuses_the_metadata_address(app, client):
    coordinator = f.user("coordinator")
    db.session.commit()
    login(client, coordinator.username)
    before = _counts()
    page = post_form(client, "/webhooks/", {"url": "http://169.254.169.254/latest/", "secret": ""},
                     token_page="/webhooks/")  # fmt: skip
    assert "回调地址不允许" in page.get_data(as_text=True)
    assert _counts() == before


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "0x7f000001", "127.1", "[::ffff:127.0.0.1]", "[::1]"]
)
def test_forbidden_row_is_refused_at_delivery_and_nothing_sent(app, local_receiver, host):
    webhook = _insert(f"http://{host}:{local_receiver.port}/hook")
    delivery = _one_delivery(webhook)
    assert local_receiver.requests == []
    assert "地址不允许" in delivery.log and delivery.last_status_code is None
    assert delivery.status == "pending" and delivery.attempts == 1  # retried, checked each time


def test_credentials_in_a_stored_url_are_refused_at_delivery(app, receiver):
    webhook = _insert(f"http://user:pw@127.0.0.1:{receiver.port}/hook")
    assert "地址不允许" in _one_delivery(webhook).log
    assert receiver.requests == []


def test_dns_rebinding_public_at_registration_loopback_at_delivery(app, local_receiver, dns):
    dns.names["rebind.example.com"] = [PUBLIC]
    url = f"http://rebind.example.com:{local_receiver.port}/hook"
    webhook = service.register(url, SECRET, "", f.user("coordinator"))
    db.session.commit()
    dns.names["rebind.example.com"] = ["127.0.0.1"]
    delivery = _one_delivery(webhook)
    assert "地址不允许" in delivery.log
    assert local_receiver.requests == []


def test_post_goes_to_the_address_checked_with_the_original_host(app, receiver, dns):
    """One lookup per attempt: the name answers 127.0.0.1 (allow-listed) once, then a private
    address that a second lookup by the HTTP client would have reached."""
    answers = iter([["127.0.0.1"]])
    dns.names["pinned.example.com"] = lambda: next(answers, ["10.9.9.9"])
    webhook = _insert(f"http://pinned.example.com:{receiver.port}/hook?x=1")
    delivery = _one_delivery(webhook)
    assert delivery.status == "sent", delivery.log
    assert dns.lookups["pinned.example.com"] == 1
    ((path, headers, _body),) = receiver.requests
    assert path == "/hook?x=1"
    assert headers["Host"] == f"pinned.example.com:{receiver.port}"


def _server(behaviour):
    """A TCP server on 127.0.0.1 that accepts and then misbehaves; returns (port, stop)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()
    held = []

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            if behaviour == "garbage":
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
                conn.close()
            elif behaviour == "close":
                conn.close()
            else:  # "silent": keep it open, say nothing
                held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def close():
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()

    return listener.getsockname()[1], close


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_log_does_not_tell_an_open_port_from_a_closed_one(app, allow_loopback, monkeypatch):
    monkeypatch.setattr(service, "TIMEOUT_SECONDS", 0.5)
    ports, stops = {"closed": _closed_port()}, []
    for behaviour in ("close", "garbage", "silent"):
        ports[behaviour], stop = _server(behaviour)
        stops.append(stop)
    try:
        hooks = {kind: _insert(f"http://127.0.0.1:{port}/hook") for kind, port in ports.items()}
        fire(f.application(), "endorse", f.user("prefecture"), now=BEFORE_DEADLINE)
        db.session.commit()
        assert service.deliver_due(now=BEFORE_DEADLINE)["retry"] == 4
    finally:
        for stop in stops:
            stop()
    db.session.expire_all()
    logs = {}
    for kind, webhook in hooks.items():
        delivery = db.session.execute(
            select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
        ).scalar_one()  # fmt: skip
        assert delivery.last_status_code is None
        assert delivery.next_attempt_at == BEFORE_DEADLINE + timedelta(minutes=1)
        logs[kind] = re.sub(r"^\S+ \S+ UTC ", "", delivery.log)
    assert len(set(logs.values())) == 1, logs
    (line,) = set(logs.values())
    assert service.NO_ANSWER in line
    for word in ("refused", "Refused", "timed out", "Timeout", "Error", "reset", "拒绝", "超时"):
        assert word not in line


@pytest.mark.parametrize("entry", ["127.0.0.1", "127.0.0.0/8", "localhost"])
def test_allow_listed_loopback_receiver_is_delivered(app, local_receiver, monkeypatch, entry):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", ("10.0.0.0/8", entry))
    url = f"http://localhost:{local_receiver.port}/hook"
    webhook = service.register(url, SECRET, "", f.user("coordinator"))
    db.session.commit()
    assert _one_delivery(webhook).status == "sent"
    assert len(local_receiver.requests) == 1
    # the allow-list lets through what it names, nothing else
    with pytest.raises(InvalidInput):
        service.register("http://169.254.169.254/", SECRET, "", f.user("coordinator"))


def test_allowed_hosts_setting(tmp_path: Path):
    env = {"REVIEW_APP_ENV": "testing", "SECRET_KEY": "x"}
    assert load_config(tmp_path, env)["WEBHOOK_ALLOWED_HOSTS"] == ()
    config = load_config(tmp_path, env | {"WEBHOOK_ALLOWED_HOSTS": " hooks.lan, 10.1.0.0/16,"})
    assert config["WEBHOOK_ALLOWED_HOSTS"] == ("hooks.lan", "10.1.0.0/16")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path, env | {"WEBHOOK_ALLOWED_HOSTS": "hooks.lan, bad host!"})
    assert "WEBHOOK_ALLOWED_HOSTS" in str(err.value)


@pytest.mark.parametrize(
    "address, forbidden",
    [("8.8.8.8", False), ("2606:4700::1111", False), ("127.0.0.1", True), ("::1", True),
     ("::ffff:169.254.169.254", True), ("64:ff9b::7f00:1", True), ("2002:a00:1::", True),
     ("fec0::1", True), ("192.0.2.1", True), ("198.18.0.1", True), ("ff05::2", True)],
)  # fmt: skip
def test_is_forbidden(address, forbidden):
    assert egress.is_forbidden(ipaddress.ip_address(address)) is forbidden


def _certificates(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for ``name`` signed by it (openssl CLI)."""
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.pem", "s.key", "s.csr",
                                                       "s.pem"))  # fmt: skip
    ext = folder / "ext.cnf"
    ext.write_text(f"subjectAltName=DNS:{name}\nbasicConstraints=CA:FALSE\n")
    for cmd in (
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
         "-days", "2", "-subj", "/CN=review test CA"],
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={name}"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
         "-days", "2", "-extfile", ext],
    ):  # fmt: skip
        subprocess.run(["openssl", *map(str, cmd)], check=True, capture_output=True)  # noqa: S603,S607
    return ca, cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_pins_the_address_and_verifies_the_original_name(
    app, receiver, dns, monkeypatch, tmp_path
):
    """Connects to 127.0.0.1 (the address checked) and checks the certificate against the
    URL's name; a certificate for another name is a neutral failure."""
    ca, cert, key = _certificates(tmp_path, "secure.example.com")
    monkeypatch.setattr(egress, "CA_CERTS", str(ca))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    dns.names["secure.example.com"] = ["127.0.0.1"]
    dns.names["other.example.com"] = ["127.0.0.1"]
    try:
        good = _insert(f"https://secure.example.com:{port}/hook")
        bad = _insert(f"https://other.example.com:{port}/hook")
        fire(f.application(), "endorse", f.user("prefecture"), now=BEFORE_DEADLINE)
        db.session.commit()
        assert service.deliver_due() == {"sent": 1, "retry": 1, "failed": 0}
    finally:
        server.shutdown()
        server.server_close()
    assert len(receiver.requests) == 1
    assert receiver.requests[0][1]["Host"] == f"secure.example.com:{port}"
    db.session.expire_all()
    assert good.deliveries[0].status == "sent"
    assert service.NO_ANSWER in bad.deliveries[0].log


def _handler(rec):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            rec.requests.append((self.path, dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler
