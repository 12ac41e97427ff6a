"""``demo`` (the demo database and server) and ``simulate`` (the whole pipeline headless)."""

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..errors import DomainError
from ..extensions import db
from ..programs.years import read_program, scenario
from .common import upgrade_schema


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="只建库和装入演示数据，不启动服务器")
@click.option("--reset", is_flag=True, help="清空现有演示数据库后重建")
@click.option(
    "--today",
    default=scenario()["intake_at"].date().isoformat(),
    show_default=True,
    help="演示时钟的日期；默认在申报截止日期之前，以便试用推荐、退回等操作",
)
@with_appcontext
def demo_command(host, port, no_serve, reset, today):
    """Create the demo database (SQLite by default) with demo users and applications, then serve."""
    from datetime import date

    from ..clock import offset_to
    from ..demo import DEMO_PASSWORD, DEMO_USERS, expert_with_work, load_demo

    try:
        day = date.fromisoformat(today)
    except ValueError:
        click.echo("错误：--today 应为 YYYY-MM-DD 格式的日期。", err=True)
        sys.exit(2)
    if current_app.config["APP_MODE"] == "production":
        click.echo("错误：演示只能在 REVIEW_APP_ENV=development 下运行。", err=True)
        sys.exit(2)
    if not current_app.config.get("FROZEN_NOW"):
        current_app.config["CLOCK_OFFSET"] = offset_to(day)
        os.environ["REVIEW_APP_TODAY"] = today  # the queue consumer keeps the same clock

    if reset:
        db.drop_all()
        from sqlalchemy import text

        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade_schema()
    created = load_demo()
    db.session.commit()
    click.echo("演示数据已就绪。" if created else "演示数据已存在，直接使用。")
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    for username, role, label in DEMO_USERS:
        click.echo(f"  {username:<14} {role:<12} {label}")
    busy = expert_with_work()
    if busy:
        click.echo(f"  {busy:<14} {'expert':<12} 有待评分任务的专家（可直接试用打分）")
    click.echo(f"演示时钟：今天是 {today}（申报截止日期 {read_program()['deadline']}）。")
    if no_serve:
        return
    consumer = _start_consumer()
    click.echo(f"服务器地址：http://{host}:{port}/  （按 Ctrl+C 停止）")
    try:
        from werkzeug.serving import run_simple

        # Flask refuses app.run() inside its own CLI; serve with werkzeug directly.
        run_simple(host, port, current_app._get_current_object(), threaded=True)
    finally:
        if consumer is not None:
            consumer.terminate()


def _start_consumer():
    """Start a Huey consumer beside the demo server (embedded SQLite queue)."""
    import subprocess

    try:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "review_app.cli", "worker", "--workers", "1"],
        )
    except OSError:  # pragma: no cover - the page still works, jobs wait in the queue
        click.echo("未能启动后台任务进程；后台任务将排队等待。", err=True)
        return None


@click.command("simulate")
@click.option(
    "--applications",
    "n_applications",
    default=200,
    show_default=True,
    type=int,
    help="申报数（其中最多 16 家为领航级）",
)
@click.option("--experts", "n_experts", default=150, show_default=True, type=int, help="专家数")
@click.option("--seed", default=1, show_default=True, type=int, help="随机种子（结果可复现）")
@click.option(
    "--out",
    "out_dir",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="导出文件和 summary.json 的目录",
)
@click.option(
    "--database",
    "database_url",
    default=None,
    help="数据库地址（须为空库）；默认在输出目录新建 simulation.sqlite3",
)
@click.option(
    "--workers",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="进程数（0 为每个CPU核一个，1 为不另开进程）；结果与进程数无关",
)
def simulate_command(n_applications, n_experts, seed, out_dir, database_url, workers):
    """Run the whole pipeline headless on generated data and print a JSON summary."""
    import json

    from .. import create_app
    from ..assignment.solver import Infeasible
    from ..simulate import MIN_EXPERTS, run_simulation

    if n_applications < 2 or n_experts < MIN_EXPERTS:
        click.echo(f"错误：至少需要 2 份申报和 {MIN_EXPERTS} 位专家（领航级一份申报就需要 24 位"
                   "不同的综合组专家，每个重点环节组要能回避同地市）。", err=True)  # fmt: skip
        sys.exit(2)
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        target = out / "simulation.sqlite3"
        target.unlink(missing_ok=True)
        database_url = f"sqlite:///{target}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "simulation",
         # generated accounts only: a cheap hash keeps hundreds of them fast
         "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False,
         "WORKER_PROCESSES": workers},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "simulation"},
    )  # fmt: skip
    with app.app_context():
        upgrade_schema()
        try:
            result = run_simulation(n_applications, n_experts, seed, out, app.config)
        except (ValueError, DomainError, Infeasible) as err:
            db.session.rollback()
            click.echo(f"错误：{getattr(err, 'message', err)}", err=True)
            sys.exit(2)
        result["database"] = database_url
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
