"""Loading reference data (prefectures, the default program, 附件3 quotas) idempotently."""

import csv
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select

from ..errors import InvalidInput
from ..extensions import db
from .models import Prefecture, Program, ProgramQuota, Track
from .years import read_program

EXPECTED_QUOTA_TOTAL = 200  # 附件3: 合计 200


@dataclass(frozen=True)
class PrefectureRow:
    order: int
    name: str
    division_code: str
    excellent_quota: int
    note: str


def read_prefectures(text: str | None = None) -> list[PrefectureRow]:
    """Parse prefectures.csv (the project's copy of 附件3)."""
    if text is None:
        text = resources.files("review_app.data").joinpath("prefectures.csv").read_text("utf-8")
    rows = [
        PrefectureRow(
            int(r["order"]), r["name"].strip(), r["division_code"].strip(),
            int(r["excellent_quota"]), (r.get("note") or "").strip(),
        )
        for r in csv.DictReader(text.splitlines())
    ]  # fmt: skip
    total = sum(r.excellent_quota for r in rows)
    if len(rows) != 19 or total != EXPECTED_QUOTA_TOTAL:
        raise InvalidInput(
            f"prefectures.csv 应有19个地市、名额合计200，实际{len(rows)}个、{total}。"
        )
    return rows


@dataclass
class LoadSummary:
    prefectures_added: int = 0
    programs_added: int = 0
    tracks_added: int = 0
    quotas_set: int = 0


def load_reference_data() -> LoadSummary:
    """Create or update the prefectures, the program, its tracks and quotas. Idempotent."""
    summary = LoadSummary()
    by_name = {p.name: p for p in db.session.execute(select(Prefecture)).scalars()}
    for row in read_prefectures():
        pref = by_name.get(row.name)
        if pref is None:
            pref = Prefecture(name=row.name)
            db.session.add(pref)
            by_name[row.name] = pref
            summary.prefectures_added += 1
        pref.division_code = row.division_code
        pref.sort_order = row.order
        pref.note = row.note
    db.session.flush()

    spec = read_program()
    program = db.session.execute(
        select(Program).where(Program.code == spec["code"])
    ).scalar_one_or_none()
    if program is None:
        program = Program(code=spec["code"], settings={})
        db.session.add(program)
        summary.programs_added += 1
    program.name = spec["name"]
    program.year = spec["year"]
    program.deadline = spec["deadline"]
    # Keep settings a coordinator changed; add the defaults that are missing.
    program.settings = {**spec.get("settings", {}), **(program.settings or {})}
    existing_tracks = {t.code: t for t in program.tracks}
    for t in spec["tracks"]:
        track = existing_tracks.get(t["code"])
        if track is None:
            track = Track(code=t["code"])
            program.tracks.append(track)
            summary.tracks_added += 1
        track.name = t["name"]
        track.capacity = t["capacity"]
        track.min_maturity_level = t["min_maturity_level"]
        track.requires_national_excellent = t["requires_national_excellent"]
        track.rubric_file = t.get("rubric_file")
    db.session.flush()

    existing_quotas = {(q.prefecture_id, q.track_code): q for q in program.quotas}
    for row in read_prefectures():
        pref = by_name[row.name]
        quota = existing_quotas.get((pref.id, "excellent"))
        if quota is None:
            quota = ProgramQuota(prefecture_id=pref.id, track_code="excellent")
            program.quotas.append(quota)
        if quota.quota != row.excellent_quota:
            quota.quota = row.excellent_quota
            summary.quotas_set += 1
    db.session.flush()
    return summary


CURRENT_ORDER = (Program.year.desc(), Program.id.desc())  # the program in force comes first


def current_program_id():
    """The current program's id as a scalar subquery, for one-statement checks."""
    return select(Program.id).order_by(*CURRENT_ORDER).limit(1).scalar_subquery()


def current_program() -> Program:
    """The program in force: the most recent year."""
    program = db.session.execute(
        select(Program).order_by(*CURRENT_ORDER).limit(1)
    ).scalar_one_or_none()
    if program is None:
        raise InvalidInput("尚未初始化培育批次，请先运行 review-app init。")
    return program
