"""The stages after the decision in ``review-app simulate``, through the same verbs the pages
use: 审定 and 公示 of each track; a few objections (one anonymous, not accepted; one checked and
dismissed; one checked and upheld, which revokes a proposal); 递补 of the next eligible
application with its own 审定 and 公示; 正式发文 once every period is over; the letters
released. Returns the summary's ``publicity``, ``objections`` and ``backfilled`` keys."""

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..applications.models import Application
from ..clock import china_date, utcnow
from ..decision import notices
from ..extensions import db
from . import issue as issuing
from . import objections, rules, service
from .models import Objection
from .objections import Filing
from .uploads import Upload

MINUTES = Upload("审定会议纪要.pdf", b"%PDF-1.4\n% simulated minutes\n%%EOF\n")
CONTACT = "河南省工业和信息化厅装备工业处，联系电话：0371—65509873"


def _moment(day) -> datetime:
    """10:00 Beijing time (naive UTC) on ``day``."""
    return datetime(day.year, day.month, day.day, 2, 0)


def _approve_and_publish(program, track: str, coord, start) -> object:
    service.record_approval(program, track, meeting_kind="director_office",
                            meeting_date=start, attendees="厅长、分管副厅长、装备工业处",
                            minutes=MINUTES, actor=coord)  # fmt: skip
    return service.publish(program, track, start_on=start, contact=CONTACT, actor=coord)


def _objection(period, app, rng: random.Random, named: bool) -> Objection:
    filing = Filing(
        name="张某" if named else "", unit="某装备制造企业" if named else "",
        phone=f"1380000{rng.randrange(1000, 9999)}" if named else "",
        email="objector@example.com" if named else "", application_id=app.id,
        content="反映该企业申报的关键工序数控化率与实际不符。",
    )  # fmt: skip
    objection, _ = objections.file_public(period, filing, [])
    return objection


def run(program, coord, checker, clock, rng: random.Random) -> dict:
    """Walk every track with proposals from 审定 to 正式发文; the clock moves with the periods."""
    start = china_date(utcnow())
    periods = []
    for track in ("excellent", "leading"):
        if rules.awaiting_publicity(program.id, track):
            periods.append(_approve_and_publish(program, track, coord, start))
    db.session.commit()
    backfilled = 0
    first = next((p for p in periods if p.track_code == "excellent"), None)
    if first is not None:
        clock.set(_moment(first.start_on) + timedelta(days=1))
        listed = service.listed_applications(first)
        anonymous = _objection(first, listed[0], rng, named=False)  # recorded, not accepted
        assert anonymous.status == "not_accepted"
        target = max(listed, key=lambda a: a.id)  # one upheld, one dismissed
        for app, upheld in ((target, True), (listed[0], False)):
            o = _objection(first, app, rng, named=True)
            objections.accept(o, coord)
            objections.assign_checker(o, checker.id, coord)
            objections.record_findings(o, "调阅生产记录并现场核对。", [], checker)
            objections.conclude(
                o, upheld,
                "核查属实，数据虚报。" if upheld else "经核查，申报数据与现场一致。", coord,
            )  # fmt: skip
        db.session.commit()
        entry, _ = rules.next_eligible(program.id, "excellent")
        if entry is not None:
            issuing.backfill(program, "excellent", "异议成立，按排名递补。", coord)
            backfilled = 1
            periods.append(_approve_and_publish(program, "excellent", coord,
                                                china_date(utcnow())))  # fmt: skip
        db.session.commit()
    end = max((p.end_on for p in periods), default=start)
    clock.set(_moment(end + timedelta(days=1)))
    issuing.issue(program, doc_number=f"豫工信装〔{program.year}〕12号", addressees="",
                  copied_to="各省辖市人民政府", actor=coord)  # fmt: skip
    for notice in notices.notices(program):
        notices.release(notice, coord)
    counts = dict(db.session.execute(
        select(Objection.status, func.count(Objection.id))
        .where(Objection.program_id == program.id).group_by(Objection.status)
    ).all())  # fmt: skip
    received = sum(counts.values())
    return {
        "publicity": [
            {
                "track": p.track_code,
                "kind": p.kind,
                "start": p.start_on.isoformat(),
                "end": p.end_on.isoformat(),
                "working_days": p.working_days,
            }
            for p in periods
        ],  # fmt: skip
        "objections": {
            "received": received,
            "accepted": received - counts.get("not_accepted", 0),
            "upheld": counts.get("upheld", 0),
        },
        "backfilled": backfilled,
        "revoked_then_rejected": db.session.scalar(
            select(func.count(Application.id)).where(
                Application.program_id == program.id,
                Application.state == "rejected",
                Application.id.in_(
                    select(Objection.application_id).where(Objection.status == "upheld")
                ),
            )
        ),  # fmt: skip
    }
