# ruff: noqa: S603, S607, S108, S106, SIM102, SIM115 - a local bench script driving local processes
"""Latency and throughput of the expert pages under gunicorn + PostgreSQL (a script, not a test).

What it does, end to end:
1. creates an empty PostgreSQL database and fills it with ``review-app simulate
   --applications 200 --experts 150 --database …`` (skipped with ``--reuse-db NAME``);
2. reopens one submitted review per simulated expert with SQL (review back to ``draft``, its
   assignment back to ``assigned``) so every expert has a form it may save;
3. starts ``gunicorn -w 2`` (sync workers; ``--threads N``: gthread workers) on the app in
   production mode
   (``REVIEW_APP_ENV=production``, ``RATELIMIT_ENABLED=0`` so that 150 logins from one address
   are not throttled; production cookies are ``Secure``, so the client keeps the session cookie
   from ``Set-Cookie`` itself although it talks plain HTTP);
4. drives simulated experts (threads in this process, ``http.client``, keep-alive when the
   server allows it), each logged in as its own ``sim-expert-NNN`` and cycling
   GET /dashboard/ → GET /expert/assignments/<id>/score → POST 保存草稿 with the CSRF token
   (the 302 is not followed; the next cycle's GET reads the form again), and the same
   concurrency against ``/healthz`` (the liveness route: no database, no session; the
   readiness check that touches the database is ``/readyz``);
5. prints p50/p95/p99 and requests/s per scenario, the ratio to /healthz, then stops gunicorn
   and drops the database (unless ``--keep-db`` or ``--reuse-db``).

gunicorn serves ``bench/floor_app.py``: the app plus two measuring routes, a signed-in no-op
and the bare layout, driven at 16 concurrent experts too, to show what any signed-in page costs
on this stack before its own work.

Targets: expert pages p95 < 100 ms at 16 concurrent without think time and throughput >= 30%
of /healthz at the same concurrency; 150 experts with 1–3 s think time p95 < 100 ms.

Run from the project root: ``python bench/web_bench.py`` (about 10 minutes, most of it the
simulation). ``--duration`` sets the seconds per scenario.
"""

import argparse
import http.client
import os
import random
import signal
import subprocess
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "Sim@2026-not-for-production"  # noqa: S105 - the simulation's generated accounts
HOST = "127.0.0.1"


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-d", db, "-At", "-v", "ON_ERROR_STOP=1",
         "-c", sql], check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


# ------------------------------------------------------------------------------ HTTP client


class FormParser(HTMLParser):
    """The fields of the form with id ``score-form`` (or of the first form)."""

    def __init__(self, form_id: str | None = None):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done:
            if self.form_id is None or a.get("id") == self.form_id:
                self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


class Client:
    """One simulated browser: a connection (reopened when the server closes it) and cookies."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "web_bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        for attempt in (1, 2):
            try:
                start = time.perf_counter()
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                took = time.perf_counter() - start
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":  # kept whatever the Secure flag says
                k, _, v = value.split(";", 1)[0].partition("=")
                self.cookies[k.strip()] = v.strip()
        if resp.will_close:
            self.conn.close()
        return resp.status, payload.decode("utf-8", "replace"), took

    def login(self, username: str) -> None:
        status, html, _ = self.request("GET", "/login")
        parser = FormParser()
        parser.feed(html)
        fields = dict(parser.fields)
        fields.update(username=username, password=PASSWORD)
        status, html, _ = self.request("POST", "/login", fields)
        if status != 302:
            raise RuntimeError(f"login of {username} answered {status}")


# ------------------------------------------------------------------------------ scenarios


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def add(self, kind: str, took: float, ok: bool) -> None:
        with self.lock:
            self.samples.setdefault(kind, []).append(took)
            if not ok:
                self.errors[kind] = self.errors.get(kind, 0) + 1


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def run_healthz(port: int, users: int, duration: float) -> dict:
    rec = Recorder()
    stop = time.perf_counter() + duration

    def worker():
        c = Client(port)
        while time.perf_counter() < stop:
            status, _, took = c.request("GET", "/healthz")
            rec.add("healthz", took, status == 200)

    return _drive(worker, users, rec)


def run_floor(sessions: list[tuple[Client, int]], path: str, duration: float) -> dict:
    """Each signed-in expert GETs ``path`` (a ``floor_app`` route) without think time."""
    rec = Recorder()
    stop = time.perf_counter() + duration

    def worker(client: Client, _assignment_id: int):
        while time.perf_counter() < stop:
            status, _, took = client.request("GET", path)
            rec.add(f"GET {path}", took, status == 200)

    return _drive(
        None, len(sessions), rec, [threading.Thread(target=worker, args=s) for s in sessions]
    )


def run_experts(port: int, sessions: list[tuple[Client, int]], duration: float,
                think: tuple[float, float] | None) -> dict:  # fmt: skip
    rec = Recorder()
    stop = time.perf_counter() + duration

    def worker(client: Client, assignment_id: int):
        rng = random.Random(assignment_id)
        if think:  # spread the first requests like real arrivals
            time.sleep(rng.uniform(0, think[1]))
        path = f"/expert/assignments/{assignment_id}/score"
        while time.perf_counter() < stop:
            status, _, took = client.request("GET", "/dashboard/")
            rec.add("GET /dashboard/", took, status == 200)
            if think:
                time.sleep(rng.uniform(*think))
            status, html, took = client.request("GET", path)
            rec.add("GET score form", took, status == 200)
            if think:
                time.sleep(rng.uniform(*think))
            form = FormParser("score-form")
            form.feed(html)
            fields = dict(form.fields)
            fields["action"] = "save"
            status, _, took = client.request("POST", path, fields)
            rec.add("POST save draft", took, status == 302)
            if think:
                time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=worker, args=s) for s in sessions]
    return _drive(None, len(threads), rec, threads)


def _drive(worker, users, rec, threads=None) -> dict:
    threads = threads or [threading.Thread(target=worker) for _ in range(users)]
    cpu0, t0 = os.times(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    all_samples = [x for v in rec.samples.values() for x in v]
    return {
        "wall": wall,
        "rps": len(all_samples) / wall,
        "all": all_samples,
        "by_kind": rec.samples,
        "errors": rec.errors,
        "client_cpu": (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / wall,
    }


def line(label: str, samples: list[float], wall: float, errors: int = 0) -> str:
    ms = [1000 * s for s in samples]
    return (f"  {label:<34} n={len(ms):6d}  p50 {pct(ms, 50):7.1f} ms  p95 {pct(ms, 95):7.1f} ms"
            f"  p99 {pct(ms, 99):7.1f} ms  {len(ms) / wall:7.1f} req/s"
            + (f"  errors {errors}" if errors else ""))  # fmt: skip


def report(title: str, r: dict) -> None:
    print(f"{title} ({r['wall']:.0f}s; load generator used {100 * r['client_cpu']:.0f}% of a core)")
    for kind, samples in r["by_kind"].items():
        print(line(kind, samples, r["wall"], r["errors"].get(kind, 0)))
    if len(r["by_kind"]) > 1:
        print(line("all expert requests", r["all"], r["wall"], sum(r["errors"].values())))


# ------------------------------------------------------------------------------ setup


def prepare_database(name: str) -> None:
    psql(f'CREATE DATABASE "{name}"')
    start = time.perf_counter()
    out = Path("/tmp") / f"{name}_out"
    subprocess.run(
        [str(VENV_BIN / "review-app"), "simulate", "--applications", "200", "--experts", "150",
         "--out", str(out), "--database", f"{PG}/{name}"],
        check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    print(f"simulated 200 applications / 150 experts into {name} in "
          f"{time.perf_counter() - start:.0f}s")  # fmt: skip


def upgrade(db: str) -> None:
    """Apply the migrations (the tree may have moved on since the database was simulated)."""
    code = ("from review_app import create_app; from review_app.cli import upgrade_schema; "
            "app = create_app(); ctx = app.app_context(); ctx.push(); upgrade_schema()")  # fmt: skip
    env = dict(os.environ, REVIEW_APP_ENV="development", SECRET_KEY="x", DATABASE_URL=f"{PG}/{db}")
    subprocess.run([str(VENV_BIN / "python"), "-c", code], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def reopen_reviews(db: str) -> list[tuple[str, int]]:
    """One submitted review per simulated expert back to draft; (username, assignment id)."""
    rows = psql(
        """
        WITH pick AS (
          SELECT DISTINCT ON (a.expert_id) a.id AS assignment_id, u.username
          FROM assignment a JOIN review r ON r.assignment_id = a.id
          JOIN expert e ON e.id = a.expert_id JOIN "user" u ON u.id = e.user_id
          WHERE u.username LIKE 'sim-expert-%' AND r.status = 'submitted'
          ORDER BY a.expert_id, a.id
        ), r AS (
          UPDATE review SET status = 'draft', submitted_at = NULL
          WHERE assignment_id IN (SELECT assignment_id FROM pick) RETURNING assignment_id
        ), a AS (
          UPDATE assignment SET status = 'assigned'
          WHERE id IN (SELECT assignment_id FROM pick) RETURNING id
        )
        SELECT username, assignment_id FROM pick ORDER BY username
        """,
        db,
    )
    return [(u, int(a)) for u, a in (row.split("|") for row in rows.split())]


def start_server(db: str, port: int, threads: int = 1, **extra_env: str) -> subprocess.Popen:
    env = dict(os.environ, REVIEW_APP_ENV="production", SECRET_KEY="web-bench-" + "x" * 32,
               DATABASE_URL=f"{PG}/{db}", RATELIMIT_STORAGE_URI="memory://",
               RATELIMIT_ENABLED="0", **extra_env)  # fmt: skip
    proc = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", "2", "--threads", str(threads), "-b", f"{HOST}:{port}",
         "--log-level", "warning", "--pythonpath", str(ROOT / "bench"), "floor_app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(f"/tmp/web_bench_{port}.log", "w"),
        start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not answer; see /tmp/web_bench_{port}.log")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--reuse-db", help="an already simulated database (kept afterwards)")
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (more than 1: the gthread worker)",
    )
    args = ap.parse_args()
    db = args.reuse_db or f"bench_web_{os.getpid()}"
    if not args.reuse_db:
        prepare_database(db)
    proc = None
    try:
        upgrade(db)
        experts = reopen_reviews(db)
        print(f"{len(experts)} experts with a reopened draft to save")
        proc = start_server(db, args.port, args.threads)
        kind = "sync" if args.threads == 1 else f"gthread, {args.threads} threads each"
        print(f"gunicorn -w 2 ({kind}) on :{args.port}, PostgreSQL database {db}, 2 cores shared "
              "with the load generator")  # fmt: skip

        sessions: list[tuple[Client, int]] = []
        t0 = time.perf_counter()
        for username, assignment_id in experts:
            c = Client(args.port)
            c.login(username)
            sessions.append((c, assignment_id))
        print(f"logged in {len(sessions)} experts in {time.perf_counter() - t0:.1f}s")

        results = {}
        for users in (16, 64):
            results[("healthz", users)] = hz = run_healthz(args.port, users, args.duration)
            report(f"/healthz, {users} concurrent, no think time", hz)
            if users == 16:  # what any signed-in page costs before its own work
                for path in ("/_bench/signed-in", "/_bench/layout"):
                    results[path] = r = run_floor(sessions[:users], path, args.duration)
                    report(f"{path} (floor_app), {users} concurrent experts, no think time", r)
                    print(f"  {path} throughput / healthz throughput: "
                          f"{100 * r['rps'] / hz['rps']:.1f}%")  # fmt: skip
            results[("experts", users)] = r = run_experts(
                args.port, sessions[:users], args.duration, None
            )
            report(f"expert pages, {users} concurrent experts, no think time", r)
            ratio = r["rps"] / hz["rps"]
            print(f"  expert-pages throughput / healthz throughput at {users}: {100 * ratio:.1f}%")
        n = len(sessions)
        think_duration = max(args.duration, 60.0)
        r = run_experts(args.port, sessions, think_duration, (1.0, 3.0))
        report(f"expert pages, {n} experts with 1–3 s think time", r)

        print("\ntargets:")
        r16 = results[("experts", 16)]
        p95 = pct([1000 * s for s in r16["all"]], 95)
        ratio = r16["rps"] / results[("healthz", 16)]["rps"]
        p95t = pct([1000 * s for s in r["all"]], 95)
        print(f"  16 concurrent, no think: p95 {p95:.0f} ms < 100 ms: "
              f"{'MET' if p95 < 100 else 'MISSED'}")  # fmt: skip
        print(f"  16 concurrent, throughput {100 * ratio:.0f}% of healthz >= 30%: "
              f"{'MET' if ratio >= 0.3 else 'MISSED'}")  # fmt: skip
        print(f"  {n} experts with think time: p95 {p95t:.0f} ms < 100 ms: "
              f"{'MET' if p95t < 100 else 'MISSED'}")  # fmt: skip
        hz16 = results[("healthz", 16)]["rps"]
        print("for comparison, at 16 concurrent: a signed-in no-op "
              f"{100 * results['/_bench/signed-in']['rps'] / hz16:.0f}% of /healthz, the bare "
              f"layout {100 * results['/_bench/layout']['rps'] / hz16:.0f}%")  # fmt: skip
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if not args.reuse_db and not args.keep_db:
            psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            print(f"dropped database {db}")


if __name__ == "__main__":
    main()
