"""Commands that read or write files and need no environment: ``parse``, ``redact``, ``similar``,
``rubric check``, ``template``."""

import os
import secrets
import sys
from pathlib import Path

import click
from flask import has_app_context

from ..extensions import db
from ..programs.years import DEFAULT_YEAR, code_year, figure_years

YEAR_OPTION = click.option(
    "--year", type=click.IntRange(1900, 9999), default=DEFAULT_YEAR, show_default=True,
    help="申报书所属培育批次的年份（决定近三年财务数据的年份与匿名编号）",
)  # fmt: skip


def _read_application_or_exit(path: Path, year: int = DEFAULT_YEAR):
    """Check and parse a 申报书 file of the ``year`` program; exit 2 with a Chinese message when
    it cannot be read."""
    from ..intake.filecheck import check_docx
    from ..intake.parsed import UnreadableFile
    from ..intake.parser import parse_docx

    try:
        data = path.read_bytes()
        check_docx(data, path.name)
        return parse_docx(data, figure_years(year))
    except OSError as err:
        click.echo(f"错误：无法读取文件 {path}：{err.strerror}", err=True)
        sys.exit(2)
    except UnreadableFile as err:
        click.echo(f"错误：{err.message}", err=True)
        sys.exit(2)


@click.command("parse")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--track-min-level", "min_level", type=int, default=None, hidden=True)
@YEAR_OPTION
def parse_command(path: Path, min_level, year: int):
    """Parse a 申报书 (.docx) and print it as one JSON object, with the format-check problems."""
    import json

    from ..intake.service import merge_problems
    from ..intake.validate import validate

    parsed = _read_application_or_exit(path, year)
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

    from .. import create_app

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
    from ..intake.service import existing_usccs
    from ..programs.service import current_program

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
@YEAR_OPTION
def redact_command(path: Path, terms, year: int):
    """Redact a 申报书 (.docx) and print its anonymised sections as JSON; exit 1 on leaks."""
    import json
    from dataclasses import asdict

    from ..anonymise.leakscan import scan_sections
    from ..anonymise.redact import identity_from_parsed, redact_sections, with_short_forms
    from ..applications.service import ANON_PREFIX, random_code_body

    parsed = _read_application_or_exit(path, year)
    identity = with_short_forms(
        identity_from_parsed(parsed, extra_terms=list(terms)), parsed.sections.values()
    )
    results = redact_sections(parsed.sections, identity)
    leaks = scan_sections({key: r.text for key, r in results.items()}, identity)
    prefix = ANON_PREFIX.get(parsed.track or "excellent")
    output = {
        "code": f"{prefix}-{code_year(year)}-{random_code_body()}",
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


@click.group("rubric")
def rubric_group():
    """Rubric files (评分细则)."""


@rubric_group.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def rubric_check(path: Path):
    """Validate a rubric TOML file; exit 2 naming the file and key of the first error."""
    from ..scoring.rubric import RubricError, load_rubric

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
@YEAR_OPTION
def template_command(track: str, output: Path, year: int):
    """Write a blank 申报书 template (.docx) in the layout of 附件1."""
    from ..intake.template import blank_template

    output.write_bytes(blank_template(track, year))
    click.echo(f"已生成空白申报书：{output}")


@click.command("similar")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))  # fmt: skip
def similar_command(paths: tuple[Path, ...]):
    """Compare 申报书 files (.docx) for shared passages (雷同检测) and print one JSON object:
    {"pairs": [{"a", "b", "section", "section_b", "score", "shared_chars", "passages"}]}, the
    passages as [start_a, start_b, length] in the sections' texts. No database needed."""
    import json

    from ..similarity.candidates import Doc
    from ..similarity.detect import find_pairs

    docs, where = [], []
    for path in paths:
        parsed = _read_application_or_exit(path)
        for key, text in parsed.sections.items():
            docs.append(Doc(text or "", str(path)))
            where.append((str(path), key))
    pairs = []
    for found in find_pairs(docs):
        (a, key_a), (b, key_b) = where[found.a], where[found.b]
        c = found.comparison
        pairs.append({"a": a, "b": b, "section": key_a, "section_b": key_b, "score": c.score,
                      "shared_chars": c.shared_chars,
                      "passages": [p.triple() for p in c.passages]})  # fmt: skip
    click.echo(json.dumps({"pairs": pairs}, ensure_ascii=False, indent=2))
