"""The ``review-app`` command: Flask's CLI plus the project's own commands.

Domain refusals print a Chinese message on stderr and exit with code 2; so does any error that
escapes a command (an unusable database, a file), through one handler (``ReviewAppGroup``,
``cli_errors``). ``parse``, ``redact``, ``template`` and ``rubric check`` need no environment.
"""

import os
import secrets
import sys
from pathlib import Path

import click
from flask import current_app, has_app_context
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from .cli_errors import debug_wanted, describe
from .config import ConfigError
from .errors import DomainError
from .extensions import db
from .programs.years import DEFAULT_YEAR, code_year, read_program, scenario


def _create_app():
    from . import create_app

    try:
        return create_app()
    except ConfigError as err:
        click.echo(f"配置错误：{err}", err=True)
        sys.exit(2)


class ReviewAppGroup(FlaskGroup):
    """Flask's group with one error handler for every command: a Chinese message and exit 2
    (1 for the unexpected) instead of a traceback (see ``cli_errors``)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.exceptions.ClickException:
            raise
        except Exception as err:
            if debug_wanted(bool(ctx.params.get("show_traceback"))) or (
                isinstance(err, BrokenPipeError)
            ):
                raise
            message, code = describe(err)
            click.echo(message, err=True)
            ctx.exit(code)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The app's commands when it can be built; otherwise the ones that need no app, after
        saying why (FlaskGroup would print a traceback)."""
        self._load_plugin_commands()
        names = set(click.Group.list_commands(self, ctx))
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except SystemExit:  # the configuration error was printed
            pass
        except Exception as err:  # noqa: BLE001 - the help still lists what runs without it
            click.echo(describe(err)[0], err=True)
        else:
            names.update(app.cli.list_commands(ctx))
        return sorted(names)


@click.group(cls=ReviewAppGroup, create_app=_create_app, add_version_option=False)
@click.option(
    "--traceback", "show_traceback", is_flag=True, help="出错时显示完整的 Python 回溯信息"
)
def main(show_traceback):
    """河南省卓越级领航级智能工厂培育评审系统 (review-app)."""


def _fail(err: DomainError):
    db.session.rollback()
    click.echo(f"错误：{err.message}", err=True)
    sys.exit(2)


def upgrade_schema() -> None:
    """Apply Alembic migrations up to head (creates the schema on an empty database)."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the schema and load reference data (idempotent)."""
    from .audit import service as audit
    from .programs.service import load_reference_data

    upgrade_schema()
    try:
        summary = load_reference_data()
        if summary.prefectures_added or summary.programs_added or summary.quotas_set:
            audit.record(
                "reference.load",
                "program",
                "reference",
                actor_label="cli",
                after=vars(summary),
            )
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(
        "数据库已就绪：新增地市{prefectures_added}个，新增批次{programs_added}个，"
        "新增类别{tracks_added}个，更新名额{quotas_set}项。".format(**vars(summary))
    )


@click.group("user")
def user_group():
    """Manage user accounts."""


@user_group.command("create")
@click.option("--username", required=True)
@click.option(
    "--role", required=True, help="coordinator/prefecture/expert/inspector/applicant/admin"
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--display-name", default="")
@click.option("--prefecture", default=None, help="地市名称（地市账号必填），如：洛阳市")
@click.option("--enterprise-uscc", default=None, help="申报企业账号关联的统一社会信用代码")
@with_appcontext
def user_create(username, role, password, display_name, prefecture, enterprise_uscc):
    """Create a user account."""
    from sqlalchemy import select

    from .auth.service import create_user
    from .enterprises.models import Enterprise
    from .errors import InvalidInput

    try:
        enterprise_id = None
        if enterprise_uscc:
            enterprise_id = db.session.execute(
                select(Enterprise.id).where(Enterprise.uscc == enterprise_uscc.upper())
            ).scalar_one_or_none()
            if enterprise_id is None:
                raise InvalidInput(f"未找到统一社会信用代码为 {enterprise_uscc} 的企业。")
        user = create_user(
            username,
            password,
            role,
            display_name=display_name,
            prefecture=prefecture,
            enterprise_id=enterprise_id,
            actor_label="cli",
        )
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(f"已创建用户 {user.username}（{user.role_name}）。")


@click.group("audit")
def audit_group():
    """The audit chain."""


@audit_group.command("verify")
@click.option(
    "--head", "expected_head", default=None, help="与之前记录的链头哈希比对，可发现尾部删除"
)
@with_appcontext
def audit_verify(expected_head):
    """Verify the hash chain; exit 1 naming the first broken event."""
    from .audit.service import verify

    report = verify()
    if not report.ok:
        click.echo(
            f"审计链断裂：第一个异常事件 id={report.broken_id}（{report.problem}）；"
            f"此前 {report.count} 条事件完好。",
            err=True,
        )
        sys.exit(1)
    if expected_head and expected_head != report.head and not _head_in_chain(expected_head):
        click.echo(f"审计链与记录的链头 {expected_head} 不符：该事件已被删除或改动。", err=True)
        sys.exit(1)
    click.echo(f"审计链完整：{report.count} 条事件，链头 {report.head}")


def _head_in_chain(head: str) -> bool:
    from sqlalchemy import select

    from .audit.models import AuditEvent

    return (
        db.session.execute(select(AuditEvent.id).where(AuditEvent.hash == head)).first() is not None
    )


@click.group("draw")
def draw_group():
    """The expert draw (专家抽取)."""


@draw_group.command("verify")
@click.argument("run_id", type=int)
@with_appcontext
def draw_verify(run_id):
    """Recompute a recorded draw from its seed and pool snapshot; exit 1 when it differs."""
    from .draws.models import DrawRun
    from .draws.service import verify_run

    run = db.session.get(DrawRun, run_id)
    if run is None:
        click.echo(f"没有第 {run_id} 号抽取记录。", err=True)
        sys.exit(2)
    problems = verify_run(run)
    if problems:
        click.echo(f"第 {run_id} 号抽取复核不一致：", err=True)
        for p in problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(1)
    click.echo(
        f"第 {run_id} 号抽取复核一致：种子“{run.seed}”，专家库快照 {run.snapshot_hash}，"
        f"重算得到同样的 {len(run.drawn)} 名专家和 {len(run.backups)} 名备选。"
    )


@click.group("outbox")
def outbox_group():
    """The outbox: deliver released messages, compose reminders."""


@outbox_group.command("deliver")
@with_appcontext
def outbox_deliver():
    """Deliver the released messages that are due (what the queue does every two minutes)."""
    from .outbox.service import deliver_due, delivery_configured

    if not delivery_configured():
        click.echo("未配置邮件服务器（SMTP_HOST），消息保留在发件箱中。", err=True)
    out = deliver_due()
    click.echo(
        f"已送达 {out['sent']} 条，稍后重试 {out['retry']} 条，失败 {out['failed']} 条，"
        f"中断待核实 {out['uncertain']} 条，未投递 {out['skipped']} 条。"
    )


@outbox_group.command("remind")
@with_appcontext
def outbox_remind():
    """Expire unanswered invitations and compose today's review reminders (hourly task)."""
    from .draws.service import expire_overdue
    from .outbox.reminders import schedule_reminders

    expired = expire_overdue()
    made = schedule_reminders()
    db.session.commit()
    click.echo(
        f"逾期邀请 {expired} 份；新提醒：即将到期 {made['review_due']} 条，逾期 {made['review_overdue']} 条。"
    )


@click.group("jobs")
def jobs_group():
    """Long jobs (我的任务)."""


@jobs_group.command("recover")
@with_appcontext
def jobs_recover():
    """Resume or fail the jobs whose worker died (what the worker does every five minutes)."""
    from .jobs.tasks import recover

    report = recover()
    resumed = "、".join(f"#{job_id}" for job_id, _ in report.resumed) or "无"
    failed = "、".join(f"#{job_id}" for job_id in report.failed) or "无"
    click.echo(f"中断的任务：重新排队 {len(report.resumed)} 个（{resumed}），"
               f"标记失败 {len(report.failed)} 个（{failed}）。")  # fmt: skip


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
    import os
    from datetime import date

    from .clock import offset_to
    from .demo import DEMO_PASSWORD, DEMO_USERS, expert_with_work, load_demo

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


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=int)
def worker_command(workers):
    """Run a Huey consumer for the long jobs (SQLite queue by default, Redis with HUEY_URL)."""
    from .jobs import tasks  # noqa: F401  (registers the tasks)
    from .jobs.queue import huey
    from .outbox import tasks as outbox_tasks  # noqa: F401  (periodic: delivery, reminders)
    from .webhooks import tasks as webhook_tasks  # noqa: F401  (periodic: webhook delivery)

    consumer = huey.create_consumer(workers=workers, worker_type="thread")
    consumer.run()


def _read_application_or_exit(path: Path):
    """Check and parse a 申报书 file; exit 2 with a Chinese message when it cannot be read."""
    from .intake.filecheck import check_docx
    from .intake.parsed import UnreadableFile
    from .intake.parser import parse_docx

    try:
        data = path.read_bytes()
        check_docx(data, path.name)
        return parse_docx(data)
    except OSError as err:
        click.echo(f"错误：无法读取文件 {path}：{err.strerror}", err=True)
        sys.exit(2)
    except UnreadableFile as err:
        click.echo(f"错误：{err.message}", err=True)
        sys.exit(2)


@click.command("parse")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--track-min-level", "min_level", type=int, default=None, hidden=True)
def parse_command(path: Path, min_level):
    """Parse a 申报书 (.docx) and print it as one JSON object, with the format-check problems."""
    import json

    from .intake.service import merge_problems
    from .intake.validate import validate

    parsed = _read_application_or_exit(path)
    existing, level = _database_context(parsed, min_level)
    problems = parsed.problems + validate(
        parsed, min_maturity_level=level or 2, existing_usccs=existing
    )
    result = parsed.to_json()
    result["problems"] = merge_problems(problems)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


def _database_context(parsed, min_level) -> tuple[set[str], int | None]:
    """Applications already filed and the track's minimum level, when a database is there;
    nothing otherwise: ``parse`` needs no environment (no secret, no database)."""
    if has_app_context():
        return _read_context(parsed, min_level)
    app = _app_for_reading()
    if app is None:
        return set(), min_level
    with app.app_context():
        return _read_context(parsed, min_level)


def _app_for_reading():
    """The configured app for a command that serves no request and signs nothing, so it needs
    no SECRET_KEY; None when the configuration or the database is not there."""
    from sqlalchemy.engine import make_url

    from . import create_app

    env = dict(os.environ)
    env["SECRET_KEY"] = env.get("SECRET_KEY") or secrets.token_hex(16)  # signs nothing
    try:
        app = create_app(env=env)
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    except Exception:  # noqa: BLE001 - no usable configuration: check the file alone
        return None
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return None  # connecting would create an empty database file
    return app


def _read_context(parsed, min_level) -> tuple[set[str], int | None]:
    from .intake.service import existing_usccs
    from .programs.service import current_program

    try:
        program = current_program()
        existing = existing_usccs(program)
        if min_level is None and parsed.track in ("excellent", "leading"):
            min_level = program.track(parsed.track).min_maturity_level
        return existing, min_level
    except Exception:  # noqa: BLE001 - no database yet: check the file alone
        db.session.rollback()
        return set(), min_level


@click.command("redact")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--term", "terms", multiple=True, help="另需隐去的词语（品牌、产品名等），可重复")
def redact_command(path: Path, terms):
    """Redact a 申报书 (.docx) and print its anonymised sections as JSON; exit 1 on leaks."""
    import json
    from dataclasses import asdict

    from .anonymise.leakscan import scan_sections
    from .anonymise.redact import identity_from_parsed, redact_sections, with_short_forms
    from .applications.service import ANON_PREFIX, random_code_body

    parsed = _read_application_or_exit(path)
    identity = with_short_forms(
        identity_from_parsed(parsed, extra_terms=list(terms)), parsed.sections.values()
    )
    results = redact_sections(parsed.sections, identity)
    leaks = scan_sections({key: r.text for key, r in results.items()}, identity)
    prefix = ANON_PREFIX.get(parsed.track or "excellent")
    output = {
        "code": f"{prefix}-{code_year(DEFAULT_YEAR)}-{random_code_body()}",
        "sections": {key: r.text for key, r in results.items()},
        "replacements": [
            {"section": key, "original": r.original, "token": r.token}
            for key, result in results.items()
            for r in result.replacements
        ],
        "leaks": [asdict(leak) for leak in leaks],
    }
    click.echo(json.dumps(output, ensure_ascii=False, indent=2))
    sys.exit(1 if leaks else 0)


@click.group("program")
def program_group():
    """Programs (培育批次): create a year from an earlier one."""


@program_group.command("create")
@click.option("--year", "year", required=True, type=click.IntRange(2000, 2999), help="新批次的年份")
@click.option("--from", "source_year", required=True, type=click.IntRange(2000, 2999),
              help="复制其设置的批次年份")  # fmt: skip
@click.option("--rubric-dir", default=None, type=click.Path(file_okay=False),
              help="新评分细则文件写入的目录（默认：随程序发布的 rubrics/）")  # fmt: skip
@with_appcontext
def program_create(year, source_year, rubric_dir):
    """Copy a program's settings, tracks, quotas and rubrics into a new year."""
    from .programs.create import create_program

    try:
        program = create_program(year, source_year, rubric_dir)
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(f"已创建培育批次 {program.name}（{program.code}），截止日期 {program.deadline}。")
    click.echo("地市名额自上一批次复制，请确认后再开放申报。")
    for track in program.tracks:
        click.echo(f"  {track.name}：评分细则 {track.rubric_file}")


@click.group("rubric")
def rubric_group():
    """Rubric files (评分细则)."""


@rubric_group.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def rubric_check(path: Path):
    """Validate a rubric TOML file; exit 2 naming the file and key of the first error."""
    from .scoring.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(path)
    except RubricError as err:
        click.echo(f"错误：{err}", err=True)
        sys.exit(2)
    click.echo(
        f"{path.name}：{len(rubric.sections)}个评分章节，"
        f"{sum(len(s.criteria) for s in rubric.sections)}项评分要点，权重合计{rubric.total_weight:g}。"
    )


@click.command("template")
@click.option("--track", type=click.Choice(["excellent", "leading"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def template_command(track: str, output: Path):
    """Write a blank 申报书 template (.docx) in the layout of 附件1."""
    from .intake.template import blank_template

    output.write_bytes(blank_template(track))
    click.echo(f"已生成空白申报书：{output}")


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(out):
    """Back up the whole database to OUT (SQLite copy or pg_dump custom format); prints the
    audit chain the backup holds."""
    from .backup import BackupError, backup

    db.session.remove()
    try:
        info = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(out))
    except BackupError as err:
        click.echo(f"错误：{err}", err=True)
        sys.exit(2)
    click.echo(f"已备份（{info.kind}）：{info.path}，{info.size} 字节，sha256 {info.sha256}")
    report = info.audit
    click.echo(
        f"审计链：{report.count} 条事件，链头 {report.head}"
        + ("" if report.ok else "（链已断裂！）")
    )


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="确认用备份覆盖当前数据库的全部内容")
@with_appcontext
def restore_command(source, yes):
    """Replace the database's whole content with a backup made by ``review-app backup``."""
    from .audit.service import verify
    from .backup import BackupError, restore

    if not yes:
        click.echo("错误：恢复会覆盖当前数据库的全部内容；确认请加 --yes。", err=True)
        sys.exit(2)
    db.session.remove()
    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(source))
    except BackupError as err:
        click.echo(f"错误：{err}", err=True)
        sys.exit(2)
    report = verify()
    click.echo(f"已恢复：{source}")
    click.echo(
        f"审计链：{report.count} 条事件，链头 {report.head}"
        + ("，完整。" if report.ok else "，已断裂！")
    )
    if not report.ok:
        sys.exit(1)


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
def simulate_command(n_applications, n_experts, seed, out_dir, database_url):
    """Run the whole pipeline headless on generated data and print a JSON summary."""
    import json

    from . import create_app
    from .assignment.solver import Infeasible
    from .simulate import MIN_EXPERTS, run_simulation

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
         "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False},
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


# Commands that touch no database and no session run without any environment (no SECRET_KEY,
# no DATABASE_URL): attached to the group itself, FlaskGroup finds them without building the app.
# ``simulate`` builds its own app on its own database.
APP_FREE_COMMANDS = (parse_command, redact_command, template_command, rubric_group,
                     simulate_command)  # fmt: skip
APP_COMMANDS = (init_command, user_group, audit_group, demo_command, worker_command,
                backup_command, restore_command, draw_group, outbox_group, jobs_group,
                program_group)  # fmt: skip


def register_commands(app) -> None:
    """Attach the project's commands to ``app.cli`` (so ``flask`` and ``review-app`` agree)."""
    for command in APP_COMMANDS + APP_FREE_COMMANDS:
        app.cli.add_command(command)


for _command in APP_FREE_COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":
    main()
