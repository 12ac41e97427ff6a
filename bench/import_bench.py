"""Timings of the 申报书 import against a bare python-docx read (a script, not a test).

Generates N filled 申报书 (.docx) with the simulation's generator, then times on the same bytes:
1. bare python-docx: ``Document(BytesIO(data))`` and the text of every paragraph and table cell;
2. the parse step alone: ``review_app.intake.parser.parse_docx``;
3. the full import: ``review_app.intake.service.import_docx`` into a fresh SQLite database,
   one commit per file (as the upload job does).
Target: the full import within 2x of the bare read. All three are timed without a profiler
(a profiler slows Python-heavy code more than python-docx's C parts, which would make the ratio
look worse than it is). When it misses, N more documents are imported under cProfile and the
profile is printed (top 15 by cumulative and by internal time).

Run from the project root: ``python bench/import_bench.py [N]`` (default 40).
"""

import cProfile
import io
import pstats
import sys
import tempfile
import time
from datetime import datetime
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from review_app import create_app  # noqa: E402
from review_app.auth.service import create_user  # noqa: E402
from review_app.cli import upgrade_schema  # noqa: E402
from review_app.extensions import db  # noqa: E402
from review_app.intake.parser import parse_docx  # noqa: E402
from review_app.intake.service import import_docx  # noqa: E402
from review_app.intake.template import filled_template  # noqa: E402
from review_app.programs.models import Prefecture  # noqa: E402
from review_app.programs.service import current_program, load_reference_data  # noqa: E402
from review_app.simulate import Simulation  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
TARGET_RATIO = 2.0
PREFECTURE = "洛阳市"


def bare_read(data: bytes) -> int:
    document = docx.Document(BytesIO(data))
    chars = sum(len(p.text) for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                chars += len(cell.text)
    return chars


def timed(label: str, fn, docs) -> float:
    start = time.perf_counter()
    for data in docs:
        fn(data)
    took = time.perf_counter() - start
    print(f"{label:<42} {len(docs)} docs in {took:6.2f}s  {len(docs) / took:7.1f} docs/s  "
          f"{1000 * took / len(docs):7.1f} ms/doc")  # fmt: skip
    return took


def fresh_app(path: Path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x",
         "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "x"},
    )  # fmt: skip
    app.config["FROZEN_NOW"] = datetime(2026, 3, 20, 2, 0)
    return app


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="import_bench_"))
    app = fresh_app(tmp / "bench.sqlite3")
    with app.app_context():
        upgrade_schema()
        load_reference_data()
        db.session.commit()
        program = current_program()
        prefecture = db.session.execute(
            select(Prefecture).where(Prefecture.name == PREFECTURE)
        ).scalar_one()
        officer = create_user("bench-officer", "Bench@2026-x", "prefecture", prefecture=PREFECTURE)
        db.session.commit()

        sim = Simulation(2 * N, 150, 1, tmp)
        used: set[str] = set()
        start = time.perf_counter()

        def generate(serials) -> list[tuple[bytes, str]]:
            out = []
            for serial in serials:
                track = "leading" if serial % 10 == 0 else "excellent"
                parsed = sim._parsed(serial, track, prefecture, used)
                out.append((filled_template(track, parsed), f"{parsed.enterprise.name}申报书.docx"))
            return out

        docs = generate(range(1, N + 1))
        generated = time.perf_counter() - start
        sizes = [len(d) for d, _ in docs]
        print(f"generated {N} 申报书 ({N // 10} 领航级) in {generated:.2f}s; "
              f"{sum(sizes) / N / 1024:.0f} KiB each on average")  # fmt: skip
        raw = [d for d, _ in docs]

        # warm-up (imports, regex compilation, SQLAlchemy mapper configuration)
        bare_read(raw[0])
        parse_docx(raw[0])

        bare = timed("(1) bare python-docx read", bare_read, raw)
        parse = timed("(2) parse_docx (parse step alone)", parse_docx, raw)

        queue = iter(docs)

        def full(_data):
            data, name = next(queue)
            import_docx(program, prefecture, data, name, officer)
            db.session.commit()

        whole = timed("(3) import_docx (full import, SQLite)", full, raw)
        ratio_parse = parse / bare
        ratio = whole / bare
        print(
            f"ratio parse/bare = {ratio_parse:.2f}x; ratio full/bare = {ratio:.2f}x "
            f"(target <= {TARGET_RATIO:.1f}x): {'MET' if ratio <= TARGET_RATIO else 'MISSED'}"
        )
        if ratio <= TARGET_RATIO:
            return
        queue = iter(generate(range(N + 1, 2 * N + 1)))
        profiler = cProfile.Profile()
        profiler.enable()
        timed("(3') the same under cProfile (other documents)", full, raw)
        profiler.disable()
    if ratio > TARGET_RATIO:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.strip_dirs().sort_stats(order).print_stats(15)
            print(f"\n--- cProfile of the full import, top 15 by {order} ---")
            lines = out.getvalue().splitlines()
            start = next(i for i, line in enumerate(lines) if "ncalls" in line)
            print("\n".join(lines[start : start + 16]))
        breakdown(pstats.Stats(profiler), whole)


def _name(func) -> str:
    path, line, name = func
    return f"{Path(path).parent.name}/{Path(path).name}:{line}({name})" if line else name


def breakdown(stats: pstats.Stats, whole: float) -> None:
    """Where import_docx's time goes: its direct callees, and who calls the top self-time
    functions."""
    table = stats.stats  # func -> (cc, nc, tt, ct, callers)
    for name, limit in (("import_docx", 10), ("submit_application", 6)):
        top = next(f for f in table if f[2] == name and f[0].endswith("service.py"))
        total = table[top][3]
        print(f"\n--- {name} ({total:.2f}s under the profiler): direct callees ---")
        rows = [(c[top][3], f) for f, (_, _, _, _, c) in table.items() if top in c]
        for ct, f in sorted(rows, reverse=True)[:limit]:
            print(f"  {ct:6.2f}s {100 * ct / total:5.1f}%  {_name(f)}")
    sql = sum(v[3] for f, v in table.items() if f[2] == "do_execute" or f[2] == "do_commit")
    print(f"  (time inside the SQLite driver, execute + commit: {sql:.2f}s)")
    print("\n--- callers of the three largest self times ---")
    for f, entry in sorted(table.items(), key=lambda kv: -kv[1][2])[:3]:
        callers = sorted(entry[4].items(), key=lambda kv: -kv[1][2])[:3]
        who = ", ".join(f"{_name(c)} {v[2]:.2f}s" for c, v in callers)
        print(f"  {_name(f)} self {entry[2]:.2f}s <- {who}")


if __name__ == "__main__":
    main()
