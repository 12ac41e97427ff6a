"""Result notices (评审结果通知): one letter per prefecture as .docx, generated into an outbox the
coordinator reviews and then releases; a released letter is visible to its prefecture and frozen."""

import hashlib
from datetime import date

from sqlalchemy import select

from ..applications.service import track_applications
from ..audit import service as audit
from ..auth.models import User
from ..auth.permissions import require
from ..clock import china_date, utcnow
from ..errors import DomainError
from ..extensions import db
from ..outbox import service as outbox
from ..panel.report import letter_advice
from ..programs.models import Prefecture, Program
from ..publicity.models import FinalIssue
from ..workflow.states import ENDORSED_STATES
from .exports import prefecture_letter_docx
from .models import ResultNotice
from .permissions import can_release_notice, can_release_notices
from .service import result_rows, run_of

ISSUER = "河南省工业和信息化厅"


def notices(program: Program) -> list[ResultNotice]:
    return list(
        db.session.execute(
            select(ResultNotice)
            .join(Prefecture, Prefecture.id == ResultNotice.prefecture_id)
            .where(ResultNotice.program_id == program.id)
            .order_by(Prefecture.sort_order)
        ).scalars()
    )


def issued(program_id: int) -> bool:
    """Whether the final list of the program has been issued (正式发文)."""
    return (
        db.session.execute(select(FinalIssue.id).where(FinalIssue.program_id == program_id)).first()
        is not None
    )


def require_issued(program_id: int) -> None:
    """Result letters tell final results: they wait for 正式发文 (DESIGN.md section 10)."""
    if not issued(program_id):
        raise DomainError("入库名单尚未正式发文，不能生成或发出结果通知。", "not_issued")


def confirmed_rows(program: Program) -> list:
    """Result rows of every track's confirmed run; refuses while a track with applications has
    no confirmed decision."""
    rows = []
    for track in program.tracks:
        run = run_of(program, track.code, "confirmed")
        if run is None:
            if track_applications(program, track.code, ENDORSED_STATES):
                raise DomainError(f"{track.name}的入库决定尚未确认，不能生成结果通知。",
                                  "decision_unconfirmed")  # fmt: skip
            continue
        rows += result_rows(run)
    return rows


def generate(program: Program, actor, issued_on: date | None = None) -> list[ResultNotice]:
    """(Re)build the draft letter of every prefecture with applications; released letters
    stay as they are."""
    require(can_release_notices(actor), "只有省厅协调员可以生成结果通知。")
    issued_on = issued_on or china_date(utcnow())
    rows = confirmed_rows(program)
    require_issued(program.id)
    existing = {n.prefecture_id: n for n in notices(program)}
    prefectures = {p.name: p for p in db.session.execute(select(Prefecture)).scalars()}
    by_prefecture: dict[str, list] = {}
    for row in rows:
        by_prefecture.setdefault(row.prefecture, []).append(row)
    made = []
    for name, its_rows in sorted(by_prefecture.items(), key=lambda kv: kv[1][0].prefecture_order):
        prefecture = prefectures[name]
        notice = existing.get(prefecture.id)
        if notice is not None and notice.status == "released":
            continue
        data = prefecture_letter_docx(program.name, name, its_rows, issued_on, ISSUER,
                                      letter_advice(r.anon_code for r in its_rows),
                                      official=True)  # fmt: skip
        if notice is None:
            notice = ResultNotice(program_id=program.id, prefecture_id=prefecture.id)
            db.session.add(notice)
        notice.status = "draft"
        notice.filename = f"{program.year}年智能工厂培育评审结果通知-{name}.docx"
        notice.data = data
        notice.sha256 = hashlib.sha256(data).hexdigest()
        notice.total = len(its_rows)
        notice.admitted = sum(1 for r in its_rows if r.outcome == "admitted")
        made.append(notice)
    db.session.flush()
    audit.record(
        "notice.generate", "program", program.id, actor=actor,
        after={"letters": {n.prefecture.name: n.sha256[:16] for n in made}},
    )  # fmt: skip
    return made


def release(notice: ResultNotice, actor) -> bool:
    """Release a draft letter to its prefecture; releasing twice does nothing."""
    require(can_release_notices(actor), "只有省厅协调员可以发出结果通知。")
    if not can_release_notice(actor, notice):
        return False
    require_issued(notice.program_id)
    notice.status = "released"
    notice.released_at = utcnow()
    notice.released_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        "notice.release", "result_notice", notice.id, actor=actor,
        after={"prefecture": notice.prefecture.name, "sha256": notice.sha256},
    )  # fmt: skip
    _mail_letter(notice)
    return True


def _mail_letter(notice: ResultNotice) -> None:
    """The released letter goes into the outbox for each officer of its prefecture."""
    program = db.session.get(Program, notice.program_id)
    officers = db.session.execute(
        select(User)
        .where(User.role == "prefecture", User.prefecture_id == notice.prefecture_id,
               User.is_active_account.is_(True))
        .order_by(User.id)
    ).scalars()  # fmt: skip
    for officer in officers:
        outbox.compose(
            "result_letter", key=f"result_letter:{notice.id}:{officer.id}",
            template="result_letter", recipient=officer, program=program,
            to_name=officer.display_name, to_address=officer.email,
            context={"program_name": program.name, "prefecture_name": notice.prefecture.name,
                     "total": notice.total, "admitted": notice.admitted},
            attachment=(notice.filename, notice.data),
        )  # fmt: skip
