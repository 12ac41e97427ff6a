"""Who may file which 申报书: a prefecture officer files only enterprises of their own prefecture,
and an enterprise applies once per program. Refused attempts are kept for the coordinator.

The scope rule: the declared 所在地市 must be the uploader's prefecture; and where the credit
code's division (characters 3-8) decides a prefecture, it must fit the uploader's (410000, codes
of no prefecture and 济源's older codes decide nothing: the declared 所在地市 rules then;
航空港区 enterprises carry Zhengzhou 4101xx codes). The coordinator is not scoped.

A duplicate gets one neutral message that names neither the other prefecture nor the fact that
the enterprise applied (``NEUTRAL``). Each refusal is an ``ImportRefused``: the caller rolls the
refused work back, then ``record`` writes an ``intake.refused`` audit event in a transaction of
its own, and ``recent`` lists those events on the coordinator's 形式审查 page.
"""

import unicodedata

from sqlalchemy import select

from ..audit import service as audit
from ..audit.models import AuditEvent
from ..errors import InvalidInput
from ..extensions import db
from . import reference as ref
from .permissions import can_recommend

NEUTRAL = "该申报书无法受理：统一社会信用代码校验未通过或已被使用，请联系省厅。"
ACTION = "intake.refused"
REASONS = {
    "cross_prefecture": "所在地市不符",
    "cross_division": "信用代码属他市",
    "duplicate": "重复申报",
}
# 济源 was a county-level city under 焦作's code (410881) before its own 419001: such a code may
# be either, so it decides nothing.
UNDECIDED_DIVISIONS = frozenset({ref.PROVINCE_DIVISION, "410881"})


class ImportRefused(InvalidInput):
    """A refused filing; ``details`` goes to the audit event (never to the uploader)."""

    def __init__(self, message: str, code: str, details: dict):
        super().__init__(message, code)
        self.details = {"reason": code, **details}


def normalise_uscc(text: str | None) -> str:
    """A credit code as stored and compared: full-width forms folded, no spaces, upper case (so
    "９１４１ ０３００…" cannot pass as another enterprise than "91410300…")."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


def division_owner(uscc: str) -> ref.Prefecture | None:
    """The prefecture a credit code's division decides, or None when it decides none."""
    code = normalise_uscc(uscc)
    if len(code) != 18 or not code[2:8].isdigit():
        return None
    division = code[2:8]
    if division in UNDECIDED_DIVISIONS:
        return None
    return ref.prefecture_of_division(division)


def check_scope(uscc: str, declared: str | None, prefecture, actor, details: dict) -> None:
    """Refuse a prefecture officer's filing of an enterprise of another prefecture."""
    if actor is None or not can_recommend(actor):
        return
    own = ref.prefectures().get(prefecture.name)
    named = ref.resolve_prefecture(declared)
    if named is not None and named.name != prefecture.name:
        raise ImportRefused(
            f"申报书所在地市为{named.name}，与本单位（{prefecture.name}）不符，不能由本单位推荐。",
            "cross_prefecture",
            {**details, "declared_prefecture": named.name},
        )
    owner = division_owner(uscc)
    code = normalise_uscc(uscc)
    if owner is not None and own is not None and not ref.division_fits_prefecture(code[2:8], own):
        raise ImportRefused(
            f"申报书统一社会信用代码的登记机关行政区划码（{code[2:8]}）属于{owner.name}，"
            f"与本单位（{prefecture.name}）不符，不能由本单位推荐。",
            "cross_division",
            {**details, "declared_prefecture": declared, "division_prefecture": owner.name},
        )


def duplicate(details: dict, other_prefecture: str) -> ImportRefused:
    """The refusal of an enterprise that already applied through another prefecture."""
    return ImportRefused(NEUTRAL, "duplicate", {**details, "other_prefecture": other_prefecture})


def attempt(actor, prefecture, uscc: str, declared: str | None, filename: str = "") -> dict:
    """What the audit event says about an attempt."""
    return {
        "file": filename,
        "uploader": getattr(actor, "username", None),
        "prefecture": prefecture.name,
        "declared_prefecture": declared,
        "uscc": uscc,
    }


def record(err: ImportRefused, actor, prefecture_id: int | None) -> None:
    """Write the refused attempt (after the caller rolled the attempt back; it commits)."""
    audit.record(
        ACTION, "prefecture", prefecture_id, actor=actor, after=err.details, reason=err.message
    )


def record_after_rollback(err: Exception, actor, prefecture_id: int | None) -> bool:
    """For doors that commit per attempt: roll back, record an ``ImportRefused`` and commit.
    Returns whether ``err`` was one."""
    db.session.rollback()
    if not isinstance(err, ImportRefused):
        return False
    record(err, actor, prefecture_id)
    db.session.commit()
    return True


def recent(limit: int = 100) -> list[AuditEvent]:
    """The latest refused cross-prefecture and duplicate filings, newest first."""
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == ACTION)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        ).scalars()
    )
