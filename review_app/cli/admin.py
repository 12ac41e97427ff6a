"""Commands that administer an installation: schema, accounts, audit chain, draws, outbox,
jobs, the queue worker, programs, backup and restore."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..errors import DomainError
from ..extensions import db
from .common import _fail, upgrade_schema


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the schema and load reference data (idempotent)."""
    from ..audit import service as audit
    from ..programs.service import load_reference_data

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

    from ..auth.service import create_user
    from ..enterprises.models import Enterprise
    from ..errors import InvalidInput

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
    from ..audit.service import verify

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

    from ..audit.models import AuditEvent

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
    from ..draws.models import DrawRun
    from ..draws.service import verify_run

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
    from ..outbox.service import deliver_due, delivery_configured

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
    from ..draws.service import expire_overdue
    from ..outbox.reminders import schedule_reminders

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
    from ..jobs.tasks import recover

    report = recover()
    resumed = "、".join(f"#{job_id}" for job_id, _ in report.resumed) or "无"
    failed = "、".join(f"#{job_id}" for job_id in report.failed) or "无"
    click.echo(f"中断的任务：重新排队 {len(report.resumed)} 个（{resumed}），"
               f"标记失败 {len(report.failed)} 个（{failed}）。")  # fmt: skip


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=int)
def worker_command(workers):
    """Run a Huey consumer for the long jobs (SQLite queue by default, Redis with HUEY_URL)."""
    from ..archive import tasks as archive_tasks  # noqa: F401  (归档)
    from ..jobs import tasks  # noqa: F401  (registers the tasks)
    from ..jobs.queue import huey
    from ..outbox import tasks as outbox_tasks  # noqa: F401  (periodic: delivery, reminders)
    from ..webhooks import tasks as webhook_tasks  # noqa: F401  (periodic: webhook delivery)

    consumer = huey.create_consumer(workers=workers, worker_type="thread")
    consumer.run()


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
    from ..programs.create import create_program

    try:
        program = create_program(year, source_year, rubric_dir)
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(f"已创建培育批次 {program.name}（{program.code}），截止日期 {program.deadline}。")
    click.echo("地市名额自上一批次复制，请确认后再开放申报。")
    for track in program.tracks:
        click.echo(f"  {track.name}：评分细则 {track.rubric_file}")


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(out):
    """Back up the whole database to OUT (SQLite copy or pg_dump custom format); prints the
    audit chain the backup holds."""
    from ..backup import BackupError, backup

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
    from ..audit.service import verify
    from ..backup import BackupError, restore

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
