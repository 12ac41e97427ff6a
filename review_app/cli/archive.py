"""``review-app archive --program YEAR --out DIR`` writes a program's archive (归档);
``review-app archive verify DIR`` checks one: exit 0 when every file and the audit head match,
1 naming the first difference."""

import sys
from pathlib import Path

import click

from ..errors import DomainError
from ..extensions import db
from .common import _fail


@click.group("archive", invoke_without_command=True)
@click.option("--program", "year", type=click.IntRange(1900, 9999), help="培育批次年份")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), help="输出目录")
@click.pass_context
def archive_group(ctx, year, out):
    """Write a program's archive into a new folder (files, manifest.json, the audit head)."""
    from ..archive import service

    if ctx.invoked_subcommand is not None:
        return
    if year is None or out is None:
        click.echo("错误：请指定 --program 年份 和 --out 输出目录。", err=True)
        sys.exit(2)
    try:
        program = service.program_of_year(year)
        manifest = service.write_archive(program, out)
        db.session.commit()
    except DomainError as err:
        _fail(err)
    head = manifest["audit_head"]
    click.echo(f"已归档 {len(manifest['files'])} 个文件到 {out}（审计链头 #{head['id']} "
               f"{head['hash'][:16]}…）。")  # fmt: skip


@archive_group.command("verify")
@click.argument("root", type=click.Path(file_okay=False, path_type=Path))
@click.option("--offline", is_flag=True, help="不与数据库核对审计链头")
def verify_command(root: Path, offline: bool):
    """Recompute every hash of an archive and check its audit head against the database."""
    from ..archive import service

    with_database = not offline and service.database_holds_a_chain()
    verdict = service.verify_archive(root, with_database=with_database)
    if not verdict.ok:
        click.echo(f"核验未通过：{verdict.problem}", err=True)
        sys.exit(1)
    note = "，审计链头与数据库一致" if with_database else "（未与数据库核对审计链头）"
    click.echo(f"核验通过：{verdict.checked} 个文件的哈希全部一致{note}。")
