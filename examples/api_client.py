"""A client of the review system's JSON API using only ``requests`` (and the standard library
for the webhook receiver): what the province's other systems do.

    python examples/api_client.py --base http://127.0.0.1:5000 \
        --prefecture-token rvw_… --coordinator-token rvw_… --expert-token rvw_… \
        [--webhook-port 8765 --webhook-secret S]

1. lists its prefecture's submitted applications (prefecture officer's token);
2. endorses the first one (推荐; a read-and-write token);
3. reads the confirmed ranking of the 卓越级 track (coordinator's token);
4. with ``--webhook-port``, receives the signed webhook for the change (the coordinator
   registered ``http://<this host>:<port>/`` with the secret on the Webhook page; a host on the
   intranet or this machine must be listed in the server's ``WEBHOOK_ALLOWED_HOSTS``, e.g.
   ``WEBHOOK_ALLOWED_HOSTS=127.0.0.1``) and checks its HMAC-SHA256 signature;
5. with the expert's token, lists its assignments and reads their anonymised sections.

Exit code 0 when every step did what it should, 1 otherwise. Prints one line per step.
"""

import argparse
import hashlib
import hmac
import http.server
import json
import sys
import threading
import time

import requests


def api(base: str, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, base.rstrip("/") + path, timeout=30,
                            headers={"Authorization": f"Bearer {token}"}, **kwargs)  # fmt: skip


def signature_ok(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    timestamp = headers.get("X-Review-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                                    hashlib.sha256).hexdigest()  # fmt: skip
    return hmac.compare_digest(expected, headers.get("X-Review-Signature", ""))


def receive_webhook(port: int, secret: str, wait: float, ready: threading.Event | None = None):
    """Serve one POST on ``port``; return (payload, signature ok) or None after ``wait``."""
    got = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            got["payload"] = json.loads(body)
            got["ok"] = signature_ok(secret, self.headers, body)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    server.timeout = 0.5
    if ready is not None:
        ready.set()
    deadline = time.monotonic() + wait
    while "payload" not in got and time.monotonic() < deadline:
        server.handle_request()
    server.server_close()
    return (got["payload"], got["ok"]) if got else None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True)
    p.add_argument("--prefecture-token", required=True)
    p.add_argument("--coordinator-token", required=True)
    p.add_argument("--expert-token", required=True)
    p.add_argument("--webhook-port", type=int)
    p.add_argument("--webhook-secret", default="")
    p.add_argument("--webhook-wait", type=float, default=120.0)
    args = p.parse_args(argv)
    ok = True

    listing = api(args.base, args.prefecture_token, "GET", "/api/v1/applications",
                  params={"state": "submitted"}).json()  # fmt: skip
    items = listing["items"]
    names = "、".join(f"{a['anon_code']} {a['enterprise']['name']}" for a in items)
    print(f"1 本地市待推荐的申报 {len(items)} 份：{names}")
    if not items:
        return 1

    received = {}
    ready = threading.Event()
    if args.webhook_port:
        thread = threading.Thread(
            target=lambda: received.update(
                result=receive_webhook(
                    args.webhook_port, args.webhook_secret, args.webhook_wait, ready
                )
            ),  # fmt: skip
            daemon=True,
        )
        thread.start()
        ready.wait(5)
    first = items[0]
    answer = api(args.base, args.prefecture_token, "POST",
                 f"/api/v1/applications/{first['id']}/transitions",
                 json={"trigger": "endorse"})  # fmt: skip
    body = answer.json()
    if answer.status_code == 200:
        print(f"2 已推荐 {first['anon_code']}：{body['state_name']}（推荐顺序 "
              f"{body['application']['priority_rank']}）")  # fmt: skip
    else:
        print(f"2 推荐被拒绝（{answer.status_code} {body.get('code')}）：{body.get('detail')}")
        ok = False

    decision = api(args.base, args.coordinator_token, "GET", "/api/v1/tracks/excellent/decision")
    if decision.status_code == 200:
        rows = decision.json()["rows"]
        top = "；".join(f"{r['rank']} {r['anon_code']} {r['final_score']}" for r in rows[:3])
        admitted = sum(r["outcome"] == "admitted" for r in rows)
        print(f"3 卓越级已确认的排名：{len(rows)} 家，入库 {admitted} 家；前三：{top}")
    else:
        print(f"3 读取入库决定：{decision.status_code} {decision.json().get('detail')}")
        ok = False

    if args.webhook_port:
        thread.join(args.webhook_wait + 5)
        result = received.get("result")
        if result is None:
            print("4 未收到 Webhook")
            ok = False
        else:
            payload, signed = result
            print(f"4 收到 Webhook：{payload['application']['anon_code']} "
                  f"{payload['from_state']} → {payload['to_state']}，签名"
                  f"{'有效' if signed else '无效'}")  # fmt: skip
            ok = ok and signed and payload["application"]["id"] == first["id"]

    mine = api(args.base, args.expert_token, "GET", "/api/v1/assignments").json()
    texts = []
    for item in mine:
        detail = api(args.base, args.expert_token, "GET", f"/api/v1/assignments/{item['id']}")
        if detail.status_code == 200:
            text = detail.json()["section"]["anonymised_text"] or ""
            texts.append(f"{item['anon_code']}·{item['section']['title']}（{len(text)}字）")
    refused = api(args.base, args.expert_token, "GET", "/api/v1/applications")
    print(f"5 专家的评审任务 {len(mine)} 项：{'、'.join(texts)}；申报列表：{refused.status_code}")
    ok = ok and refused.status_code == 403 and "enterprise" not in json.dumps(mine)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
