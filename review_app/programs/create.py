"""A new program (year) copied from an earlier one: ``review-app program create``.

The copy takes the settings, tracks, capacities and quotas (the quotas marked to be confirmed:
``settings["quotas_to_confirm"]``) and writes each track's rubric under the new year's name with
its ``[meta]`` updated. One verb: flushes and audits; the caller commits or rolls back.
"""

import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ..audit import service as audit
from ..errors import InvalidInput
from ..extensions import db
from ..paths import RUBRICS
from ..scoring.service import rubric_file_for
from .models import Program, ProgramQuota, Track

_META_LINE = re.compile(r'^(program|version)\s*=\s*"[^"]*"', re.MULTILINE)


def _program_of_year(year: int) -> Program | None:
    return db.session.execute(
        select(Program).where(Program.year == year).order_by(Program.id.desc()).limit(1)
    ).scalar_one_or_none()


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _renamed(text: str, old_year: int, new_year: int, fallback: str) -> str:
    return text.replace(str(old_year), str(new_year)) if str(old_year) in text else fallback


def _rubric_text(text: str, code: str, year: int) -> str:
    """The rubric's text with ``[meta]`` naming the new program and version ``<year>.1``."""
    values = {"program": code, "version": f"{year}.1"}
    return _META_LINE.sub(lambda m: f'{m.group(1)} = "{values[m.group(1)]}"', text, count=2)


def create_program(year: int, source_year: int, rubric_dir: Path | None = None) -> Program:
    """Copy the ``source_year`` program as the ``year`` program. Refuses (InvalidInput) when the
    year exists, the source is missing, or a rubric file of the new year is already there."""
    source = _program_of_year(source_year)
    if source is None:
        raise InvalidInput(f"找不到{source_year}年的培育批次，无法复制。")
    if _program_of_year(year) is not None:
        raise InvalidInput(f"{year}年的培育批次已存在。")
    folder = Path(rubric_dir) if rubric_dir is not None else RUBRICS
    code = _renamed(source.code, source_year, year, f"{source.code}-{year}")
    files = {}
    for track in source.tracks:
        target = folder / f"{track.code}-{year}.toml"
        if target.exists():
            raise InvalidInput(f"评分细则文件 {target.name} 已存在，未覆盖。")
        text = rubric_file_for(track.code, source).read_text(encoding="utf-8")
        files[track.code] = (target, _rubric_text(text, code, year))
    program = Program(
        code=code,
        name=_renamed(source.name, source_year, year, f"{year}年{source.name}"),
        year=year,
        deadline=_shift(source.deadline, year - source_year),
        settings={**(source.settings or {}), "quotas_to_confirm": True},
    )
    for track in source.tracks:
        target = files[track.code][0]
        stored = f"rubrics/{target.name}" if folder == RUBRICS else str(target)
        program.tracks.append(
            Track(
                code=track.code, name=track.name, capacity=track.capacity,
                min_score=track.min_score, min_maturity_level=track.min_maturity_level,
                rubric_file=stored, requires_national_excellent=track.requires_national_excellent,
            )
        )  # fmt: skip
    for quota in source.quotas:
        program.quotas.append(
            ProgramQuota(
                prefecture_id=quota.prefecture_id, track_code=quota.track_code, quota=quota.quota
            )
        )
    db.session.add(program)
    db.session.flush()
    audit.record(
        "program.created", "program", program.id, actor_label="cli",
        after={
            "code": program.code, "year": year, "from": source.code,
            "deadline": program.deadline.isoformat(),
            "rubric_files": [t.rubric_file for t in program.tracks],
            "quotas_to_confirm": True,
        },
    )  # fmt: skip
    for target, text in files.values():  # last: a refusal above writes no file
        target.write_text(text, encoding="utf-8")
    return program
