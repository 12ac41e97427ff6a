"""Where the time of the expert pages goes (a script, not a test).

Profiles, in-process with Flask's test client (no gunicorn, no network), the cycle that
``bench/web_bench.py`` drives: GET /dashboard/, GET the scoring form, POST 保存草稿, as one
simulated expert, on a database filled by ``review-app simulate`` (PostgreSQL or SQLite).
Prints the mean time per request, the SQL statements per request and the cProfile top 25
(with ``WEB_PROFILE_SQL=1`` in the environment, also the statements of one cycle; with
``WEB_PROFILE_TIMES=1``, first the times of as many cycles without the profiler).

Run from the project root, on a simulated database whose reviews ``web_bench.py`` reopened:
``python bench/web_profile.py postgresql+psycopg://postgres@127.0.0.1:5432/<db> [cycles]``.
"""

import cProfile
import io
import os
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, select  # noqa: E402

from review_app import create_app  # noqa: E402
from review_app.assignment.models import Assignment  # noqa: E402
from review_app.auth.models import User  # noqa: E402
from review_app.experts.models import Expert  # noqa: E402
from review_app.extensions import db  # noqa: E402

PASSWORD = "Sim@2026-not-for-production"  # noqa: S105 - the simulation's generated accounts
URL = sys.argv[1]
CYCLES = int(sys.argv[2]) if len(sys.argv) > 2 else 30


def token(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def form_fields(html: str) -> dict:
    form = html[html.index('id="score-form"') :]
    form = form[: form.index("</form>")]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = value.group(1) if value else ""
    comment = re.search(r"<textarea[^>]*name=\"comment\"[^>]*>(.*?)</textarea>", form, re.S)
    fields["comment"] = comment.group(1).strip() if comment else ""
    fields["action"] = "save"
    return fields


def main() -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": URL, "RATELIMIT_ENABLED": False},
        env={"REVIEW_APP_ENV": "production", "SECRET_KEY": "web-profile-" + "x" * 32},
    )
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        row = db.session.execute(
            select(User.username, Assignment.id)
            .join(Expert, Expert.user_id == User.id)
            .join(Assignment, Assignment.expert_id == Expert.id)
            .where(Assignment.status == "assigned", User.username.like("sim-expert-%"))
            .order_by(Assignment.id)
            .limit(1)
        ).one()
    username, assignment_id = row
    path = f"/expert/assignments/{assignment_id}/score"
    client = app.test_client()
    base = "https://localhost"  # production cookies are Secure (and CSRF wants a Referer)
    html = client.get("/login", base_url=base).get_data(as_text=True)
    r = client.post("/login", base_url=base, headers={"Referer": f"{base}/login"}, data={"csrf_token": token(html), "username": username,
                                                    "password": PASSWORD})  # fmt: skip
    assert r.status_code == 302, r.status_code

    def cycle(times: dict) -> None:
        for label, call in (
            ("GET /dashboard/", lambda: client.get("/dashboard/", base_url=base)),
            ("GET score form", lambda: client.get(path, base_url=base)),
        ):
            n0, t0 = len(statements), time.perf_counter()
            resp = call()
            assert resp.status_code == 200, (label, resp.status_code)
            times.setdefault(label, []).append((time.perf_counter() - t0, len(statements) - n0))
        fields = form_fields(resp.get_data(as_text=True))
        n0, t0 = len(statements), time.perf_counter()
        resp = client.post(path, base_url=base, data=fields, headers={"Referer": base + path})
        assert resp.status_code == 302, ("POST", resp.status_code)
        times.setdefault("POST save draft", []).append(
            (time.perf_counter() - t0, len(statements) - n0)
        )

    cycle({})  # warm-up
    if os.environ.get("WEB_PROFILE_SQL"):  # print the statements of one cycle
        n0 = len(statements)
        cycle({})
        for sql in statements[n0:]:
            print("  SQL:", " ".join(sql.split())[:160])
    times: dict = {}
    profiler = cProfile.Profile()
    if os.environ.get("WEB_PROFILE_TIMES"):  # wall time without the profiler's overhead
        plain: dict = {}
        for _ in range(CYCLES):
            cycle(plain)
        for label, values in plain.items():
            values = sorted(t for t, _ in values)
            print(
                f"  {label:<18} {1000 * sum(values) / len(values):6.1f} ms/request mean, "
                f"{1000 * values[len(values) // 2]:6.1f} ms median (no profiler)"
            )
    profiler.enable()
    for _ in range(CYCLES):
        cycle(times)
    profiler.disable()
    print(f"{username}, assignment {assignment_id}, {CYCLES} cycles on {URL.split('@')[-1]}")
    for label, values in times.items():
        mean = sum(t for t, _ in values) / len(values)
        sql = sum(n for _, n in values) / len(values)
        print(f"  {label:<18} {1000 * mean:6.1f} ms/request (under the profiler), "
              f"{sql:.0f} SQL statements/request")  # fmt: skip
    stats = pstats.Stats(profiler)
    total = max(v[3] for f, v in stats.stats.items() if f[2] == "cycle")
    print(f"\n--- components (cumulative, overlapping) of {total:.2f}s ---")
    for label, file_part, func in (
        ("SQL round trips (Connection._execute_context)", "engine/base.py", "_execute_context"),
        ("  of which waiting on PostgreSQL/psycopg", "psycopg", "wait"),
        ("ORM lazy loads (_emit_lazyload)", "strategies.py", "_emit_lazyload"),
        ("templates (flask render_template)", "flask/templating.py", "render_template"),
        ("dashboard view", "dashboard/views.py", "home"),
        ("scoring view (GET + POST)", "scoring/views.py", "score"),
        ("scoring.service.save", "scoring/service.py", "save"),
        ("audit record", "audit/service.py", "record"),
        ("commit", "orm/session.py", "commit"),
        ("flask-login user loader", "review_app/__init__.py", "load_user"),
    ):
        ct = max((v[3] for f, v in stats.stats.items() if f[2] == func and file_part in f[0]),
                 default=0.0)  # fmt: skip
        print(f"  {ct:6.2f}s {100 * ct / total:5.1f}%  {label}")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(25)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"\n--- top 25 by {order} ---")
        print("\n".join(lines[start : start + 26]))


if __name__ == "__main__":
    main()
